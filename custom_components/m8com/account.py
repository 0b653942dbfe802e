"""Set up and tear down one account: call store, endpoint, entities, resumed work.

Imported by ``async_setup`` in the executor, after the webhook ids are open,
so the heavy imports (pydantic, the storage and download code) cost the
window in which HA could answer a delivery for us nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.const import CONF_WEBHOOK_ID, Platform
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_time_interval

from .callback_list import CallbackList
from .const import CONF_CLOUDHOOK, CONF_EXPECT_CALLS_DAYS, CONF_SECRET, LOGGER
from .data import M8ComConfigEntry, M8ComRuntime
from .downloader import Downloader
from .endpoint import async_delete_cloudhook, async_endpoint_url, async_track_endpoint
from .health import async_health
from .intents import async_sync_intents
from .library import async_apply_retention, async_schedule_retention
from .media_files import media_root
from .options import option
from .pipeline import CallPipeline
from .recovery import async_recover
from .repairs import async_check_https, async_clear_issues, async_report_setup_failed
from .routing import async_routes, webhook_ids
from .services import async_setup_services
from .statistics import async_schedule_statistics
from .store import CallStore
from .transcriber import Transcriber
from .webhook import WebhookHandler

__all__ = [
    "async_migrate_account",
    "async_remove_account",
    "async_setup_account",
    "async_setup_services",
    "async_unload_account",
]


async def async_setup_account(
    hass: HomeAssistant, entry: M8ComConfigEntry, platforms: list[Platform]
) -> bool:
    """Set up one account; a failure says in a repair issue that calls wait.

    A failure is raised as ``ConfigEntryError``, so HA runs what the set-up
    registered with ``async_on_unload`` and cancels its background tasks on
    every supported version (2025.4 does so only for its own errors): the
    next reload starts clean.
    """
    async_routes(hass).async_sync(entry)  # a new account: open its id now
    try:
        await _async_setup_entry(hass, entry, platforms)
    except Exception as err:
        async_report_setup_failed(hass, entry, err)
        raise ConfigEntryError(str(err) or type(err).__name__) from err
    except BaseException as err:
        async_report_setup_failed(hass, entry, err)
        raise
    async_report_setup_failed(hass, entry, None)
    return True


async def _async_setup_entry(
    hass: HomeAssistant, entry: M8ComConfigEntry, platforms: list[Platform]
) -> None:
    """HA's order: everything that can fail first, the entities last.

    Entities forwarded before a failure would stay registered (HA does not
    unload the platforms of an entry that failed to set up) and bound to the
    old store; so the platforms come after the last step that can raise.
    """
    # 1. The call store (0.2's index imported once), closed with the entry.
    store = CallStore(hass, entry.entry_id)
    await store.async_open()
    entry.async_on_unload(store.async_close)
    transcriber = Transcriber(hass, entry, store)
    pipeline = CallPipeline(
        hass, entry, store, Downloader(hass, media_root(hass)), transcriber
    )
    # 2. The URL to show (cloudhook when Nabu Casa is active), kept up to date.
    webhook_id: str = entry.data[CONF_WEBHOOK_ID]
    url, _ = await async_endpoint_url(hass, webhook_id)
    handler = WebhookHandler(
        entry.title, lambda: entry.data[CONF_SECRET], pipeline.async_receive
    )
    callbacks = CallbackList(hass, entry)
    entry.runtime_data = M8ComRuntime(
        store=store,
        pipeline=pipeline,
        webhook_url=url,
        handler=handler,
        callbacks=callbacks,
    )
    entry.async_on_unload(await callbacks.async_start())
    async_check_https(hass, entry, url)

    @callback
    def _endpoint_changed(url: str, cloudhook: bool) -> None:
        entry.runtime_data.webhook_url = url
        if cloudhook != entry.data.get(CONF_CLOUDHOOK):
            data = {**entry.data, CONF_CLOUDHOOK: cloudhook}
            hass.config_entries.async_update_entry(entry, data=data)
        async_check_https(hass, entry, url)

    entry.async_on_unload(async_track_endpoint(hass, webhook_id, _endpoint_changed))
    # 3. Retention (done before the entry is loaded, so nothing sees calls it
    #    is about to erase), statistics, the silence watch, then the downloads
    #    and transcripts a restart interrupted.
    await async_apply_retention(hass, entry)
    async_schedule_retention(hass, entry)
    entry.async_on_unload(async_schedule_statistics(hass, entry))
    entry.async_on_unload(async_watch_silence(hass, entry))
    await async_recover(hass, entry, store, pipeline.async_schedule_download)
    await transcriber.async_resume()
    # Assist's intents follow the option (read again when it changes).
    async_sync_intents(hass, entry)
    entry.async_on_unload(entry.add_update_listener(_async_options_changed))
    entry.async_on_unload(lambda: async_sync_intents(hass, entry, loaded=False))
    # 4. Entities last: nothing after this can fail. Deliveries are routed to
    #    the handler once the entry is LOADED.
    await hass.config_entries.async_forward_entry_setups(entry, platforms)


async def _async_options_changed(hass: HomeAssistant, entry: M8ComConfigEntry) -> None:
    async_sync_intents(hass, entry)


@callback
def async_watch_silence(hass: HomeAssistant, entry: M8ComConfigEntry) -> CALLBACK_TYPE:
    """Check now and hourly whether deliveries stopped (option; 0 is off)."""

    @callback
    def _check(*_: Any) -> None:
        days = int(option(entry.options, CONF_EXPECT_CALLS_DAYS))
        newest = entry.runtime_data.store.last_received
        async_health(hass, entry.entry_id).check_silence(hass, entry, days, newest)

    _check()
    return async_track_time_interval(hass, _check, timedelta(hours=1))


REMOVED_SENSOR_KEYS = (
    "last_call", "last_caller", "last_callee", "last_direction", "last_agent",
    "last_answer_group", "last_talk_time", "last_wait_time", "last_summary",
)  # fmt: skip
"""0.1.0's last-call sensors, one state change (and logbook line) each."""


@callback
def async_migrate_account(hass: HomeAssistant, entry: M8ComConfigEntry) -> bool:
    """1.1 → 1.2: drop the last-call sensors; the event entity becomes opt-in.

    Their details now live in the calls sensor's attributes (kept out of the
    recorder), so the states with phone numbers are no longer written. The
    event entity stays, disabled, so users who automate on it re-enable it.
    """
    if entry.version > 1:
        return False  # a downgrade: HA reports that it cannot be set up
    if entry.minor_version < 2:  # noqa: PLR2004 - the minor version migrated to
        registry = er.async_get(hass)
        for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
            key = entity.unique_id.removeprefix(f"{entry.entry_id}_")
            if key in REMOVED_SENSOR_KEYS:
                registry.async_remove(entity.entity_id)
            elif key == "call_recording" and entity.disabled_by is None:
                registry.async_update_entity(
                    entity.entity_id, disabled_by=er.RegistryEntryDisabler.INTEGRATION
                )
        hass.config_entries.async_update_entry(entry, minor_version=2)
        LOGGER.info("%s: moved to one sensor per account (see CHANGELOG)", entry.title)
    return True


async def async_unload_account(
    hass: HomeAssistant, entry: M8ComConfigEntry, platforms: list[Platform]
) -> bool:
    """Unload the entities; the webhook ids stay open and answer 503 meanwhile."""
    return await hass.config_entries.async_unload_platforms(entry, platforms)


async def async_remove_account(hass: HomeAssistant, entry: M8ComConfigEntry) -> None:
    """Close the webhook ids; delete their cloudhooks, the call store and issues.

    Recordings stay in the media folder: they are the user's files.
    """
    async_routes(hass).async_remove(entry.entry_id)
    for webhook_id in sorted(webhook_ids(entry)):  # retired ones keep theirs
        await async_delete_cloudhook(hass, webhook_id)
    await CallStore.async_remove(hass, entry.entry_id)
    async_clear_issues(hass, entry)
