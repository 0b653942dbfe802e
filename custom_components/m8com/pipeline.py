"""What happens to a validated call: record, announce, then fetch its audio.

The order is the contract with M8Com and with users: a call is made durable
first (so the 200 we answer is honest), then announced once on the bus and to
the entities, and only then is the audio fetched in the background, because
the webhook must never wait for a download.
"""

from __future__ import annotations

from datetime import datetime

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util import dt as dt_util

from .call import DOWNLOAD_FIELDS, RETRY_FIELDS, Call
from .const import (
    CONF_DOWNLOAD_AUDIO,
    CONF_MAX_RECORDING_MB,
    CONF_MEDIA_SUBDIR,
    DOMAIN,
    EVENT_CALL_RECORDING,
    EVENT_RECORDING_SAVED,
    LOGGER,
    MAX_URLS_PER_CALL,
    MEDIA_SUBDIR,
    signal_new_call,
)
from .download_job import DownloadError, Fetch, build_targets, redact_url
from .downloader import Downloader
from .formatting import media_ids
from .media_files import media_root, remove_files
from .options import accepts, option
from .payload import CallPayload
from .phone_book import PhoneBook
from .repairs import (
    async_report_disk,
    async_report_lost,
    async_report_phone_book,
)
from .store import CallStore
from .transcriber import Transcriber


class CallPipeline:
    """Turns each new call id into one record, one event and one download."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        store: CallStore,
        downloader: Downloader,
        transcriber: Transcriber,
    ) -> None:
        """Wire the pipeline to its entry's store, downloader and transcriber."""
        self._hass = hass
        self._entry = entry
        self._store = store
        self._downloader = downloader
        self._transcriber = transcriber
        self._book = PhoneBook()

    async def async_receive(self, call: CallPayload, *, local_origin: bool) -> bool:
        """Accept a call once; return False for a repeat delivery of its id.

        ``local_origin``: the delivery came from a loopback or private address,
        so its links may point there too (``fetch_policy``).
        """
        record = Call.from_payload(call, dt_util.utcnow())
        options = self._entry.options
        try:
            wanted = accepts(options, record)
        except Exception:  # noqa: BLE001 - an option must never cost a call
            LOGGER.exception("Could not apply the filters to call %s", call.id)
            wanted = True
        if not wanted:
            # Kept only so a resend is recognised: no numbers, names, links.
            record = Call(record.call_id, record.received, status="filtered")
        else:
            record.local_origin = local_origin
            await self._book.async_name(self._hass, self._entry.options, record)
            async_report_phone_book(self._hass, self._entry, self._book.problem)
            extra = max(len(record.urls) - MAX_URLS_PER_CALL, 0) + call.more_urls
            if extra > 0:
                record.urls = record.urls[:MAX_URLS_PER_CALL]
                record.error = (
                    f"{extra} more recording links ignored "
                    f"(at most {MAX_URLS_PER_CALL} a call)"
                )
            if not option(options, CONF_DOWNLOAD_AUDIO):
                record.urls = []  # bearer links are not even stored when unused
        if wanted and not record.urls:
            record.status = "saved"  # nothing to fetch: final on arrival
        if not await self._store.async_accept(record):
            LOGGER.debug("Call %s already received; acknowledging repeat", call.id)
            if wanted:
                await self._async_retry_with(call, local_origin=local_origin)
            return False
        if not wanted:
            LOGGER.debug("Call %s is outside this account's filters", call.id)
            return True
        entry_id = self._entry.entry_id
        data = record.event_data(entry_id)
        # The account's device: a logbook card of the device lists the calls
        # (HA's logbook cards leave out sensors with a unit, like ours).
        data["device_id"] = self._device_id()
        self._hass.bus.async_fire(EVENT_CALL_RECORDING, data)
        async_dispatcher_send(self._hass, signal_new_call(entry_id), record)
        if record.urls:
            self.async_schedule_download(record)
        return True

    def _device_id(self) -> str | None:
        """The account's service device (created with its entities)."""
        devices = dr.async_entries_for_config_entry(
            dr.async_get(self._hass), self._entry.entry_id
        )
        return devices[0].id if devices else None

    @callback
    def async_schedule_download(
        self, record: Call, deadline: datetime | None = None
    ) -> None:
        """Fetch the audio in the background, tied to the entry's lifetime."""
        # Not started eagerly: the download begins after the webhook has
        # answered, so M8Com's ack never pays for connecting to the file server.
        self._entry.async_create_background_task(
            self._hass,
            self._async_download(record, deadline or record.links_expire),
            f"{DOMAIN} download {record.call_id}",
            eager_start=False,
        )

    async def _async_retry_with(self, call: CallPayload, *, local_origin: bool) -> None:
        """A redelivery brings fresh links: use them for a failed or lost download.

        Committed before the 200, since M8Com will not send these links again.
        """
        record = await self._store.async_get(call.id)
        if (
            record is None
            or record.status not in ("failed", "lost")
            or not call.file_urls
            or not option(self._entry.options, CONF_DOWNLOAD_AUDIO)
        ):
            return
        LOGGER.info("Call %s was delivered again; retrying its recording", call.id)
        record.retry_with(
            list(call.file_urls)[:MAX_URLS_PER_CALL],
            local_origin=local_origin,
            now=dt_util.utcnow(),
        )
        if not await self._store.async_update(record, RETRY_FIELDS, delivery=True):
            return  # erased meanwhile
        async_report_lost(
            self._hass, self._entry, await self._store.async_with_status("lost")
        )
        self.async_schedule_download(record)

    async def _async_download(self, record: Call, deadline: datetime) -> None:
        subdir = self._entry.data.get(CONF_MEDIA_SUBDIR, MEDIA_SUBDIR)
        targets = build_targets(
            subdir, record.call_id, record.started, len(record.urls)
        )
        max_bytes = int(option(self._entry.options, CONF_MAX_RECORDING_MB)) * 2**20
        files: list[str] = []
        errors: list[str] = []
        disk_error: str | None = None
        for url, target in zip(record.urls, targets, strict=True):
            try:
                files.append(
                    await self._downloader.async_fetch(
                        Fetch(url, target, deadline, max_bytes, record.local_origin)
                    )
                )
            except DownloadError as err:
                errors.append(err.reason)
                disk_error = err.reason if err.disk else disk_error
                LOGGER.warning(
                    "Could not store recording of call %s from %s: %s",
                    record.call_id,
                    redact_url(url),
                    err.reason,
                )
            except Exception:  # noqa: BLE001 - a bug must not leave the call pending
                errors.append("internal error")
                LOGGER.exception(
                    "Unexpected error storing recording of call %s from %s",
                    record.call_id,
                    redact_url(url),
                )
        record.mark_downloaded(
            files, errors, transcribe=bool(self._transcriber.entity_id)
        )
        if not await self._store.async_update(record, DOWNLOAD_FIELDS):
            # Erased (action or retention) while downloading: leave nothing behind.
            await self._hass.async_add_executor_job(
                remove_files, media_root(self._hass), files
            )
            return
        if record.transcription == "pending":
            self._transcriber.async_schedule(record)
        async_report_disk(
            self._hass, self._entry, disk_error, files_written=bool(files)
        )
        if files:
            self._hass.bus.async_fire(
                EVENT_RECORDING_SAVED,
                {
                    "entry_id": self._entry.entry_id,
                    "call_id": record.call_id,
                    "files": files,
                    "media_content_ids": media_ids(self._entry.entry_id, record),
                },
            )
