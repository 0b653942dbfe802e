"""After a restart: clear debris, give audio back to its calls, resume the work.

A crash or restart can leave ``.part`` files, recordings whose outcome was
never committed, downloads still within their links' 30 minutes, and
transcripts still to make. Nothing of it may be silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .call import RECOVERY_FIELDS, Call
from .const import CONF_MEDIA_SUBDIR, LOGGER, MEDIA_SUBDIR
from .media_files import media_root, scan_folder, scan_transcripts
from .repairs import async_report_lost, async_report_orphans
from .store import CallStore


async def async_recover(
    hass: HomeAssistant,
    entry: ConfigEntry,
    store: CallStore,
    schedule_download: Callable[[Call], None],
) -> None:
    """Re-attach found audio, then resume or give up pending downloads.

    A pending call whose links have expired can never be fetched again
    (unless M8Com redelivers it); it is marked lost and listed in a repair
    issue, so the loss is visible instead of silent.
    """
    root = media_root(hass)
    subdir = entry.data.get(CONF_MEDIA_SUBDIR, MEDIA_SUBDIR)
    found = await hass.async_add_executor_job(scan_folder, root, subdir)
    orphans = await _async_reattach(store, found)
    # sec: transcripts of no call (written before a crash, call erased) too.
    texts = await hass.async_add_executor_job(scan_transcripts, root, subdir)
    known = await store.async_get_many(set(texts))
    orphans += [f for i, files in texts.items() if i not in known for f in files]
    async_report_orphans(hass, entry, orphans)
    now = dt_util.utcnow()
    for record in await store.async_with_status("pending"):
        if not record.urls:  # pragma: no cover - 0.1.0 kept such calls pending
            record.mark_saved([])
            await store.async_update(record, RECOVERY_FIELDS)
        elif record.links_expire <= now:
            record.mark_lost()
            await store.async_update(record, RECOVERY_FIELDS)
        else:
            schedule_download(record)
    async_report_lost(hass, entry, await store.async_with_status("lost"))


async def _async_reattach(store: CallStore, found: dict[int, list[str]]) -> list[str]:
    """Give audio on disk back to its call; return the files that have none.

    A crash after a recording was renamed into place but before its outcome
    was committed leaves a complete file that the call does not name; without
    this it would be invisible to the browser, retention and erasure.
    """
    orphans: list[str] = []
    now = dt_util.utcnow()
    known = await store.async_get_many(set(found))
    for call_id, files in found.items():
        record = known.get(call_id)
        if record is None or record.status == "filtered":
            orphans.extend(files)
            continue
        missing = [f for f in files if f not in record.files]
        if not missing or (record.urls and record.links_expire > now):
            continue  # nothing new, or the resumed download rewrites it
        LOGGER.info("Call %s: re-attached %s recording(s)", call_id, len(missing))
        record.mark_saved(missing)
        await store.async_update(record, RECOVERY_FIELDS)
    return orphans
