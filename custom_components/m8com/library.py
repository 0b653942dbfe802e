"""The recordings library: find, erase and expire calls.

Call audio is personal data: users must be able to answer "what do we have
on this number?", erase it on request, and keep nothing longer than they may.
Every deletion removes only files this integration wrote (the paths on the
call's record) together with the call's row in the store. The row goes
first, durably: an erasure is acknowledged only once it is on disk, and if
that fails the action fails and nothing is deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from .call import Call
from .const import CONF_RETENTION_DAYS, DOMAIN, LOGGER, signal_erased
from .data import M8ComConfigEntry
from .formatting import media_ids
from .media_files import media_root, remove_files
from .options import option
from .repairs import async_report_lost


def as_response(entry_id: str, record: Call) -> dict[str, Any]:
    """One recording in ``m8com.get_recordings``'s response."""
    data = record.event_data(entry_id)
    keys = (
        "call_id", "entry_id", "start_time", "end_time", "caller_number",
        "caller_name", "callee_number", "callee_name", "direction",
        "answer_group_name", "agent_name",
        "talk_time", "summary",
    )  # fmt: skip
    return {
        **{key: data[key] for key in keys},
        "status": record.status,
        "error": record.error,
        "transcription": record.transcription,
        "transcription_error": record.transcription_error,
        "transcript": record.transcript,
        "ai_summary": record.ai_summary,
        "action_items": list(record.action_items),
        "callback_needed": record.callback_needed,
        "callback": record.callback,
        "callback_due": _iso(record.callback_due),
        "callback_done_at": _iso(record.callback_done_at),
        "callback_done_by": record.callback_done_by,
        "files": list(record.files),
        "media_content_ids": media_ids(entry_id, record),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def async_delete(
    hass: HomeAssistant, entry: M8ComConfigEntry, records: Iterable[Call]
) -> int:
    """Erase calls: their rows (durably, leaving no trace), then their files.

    Raises ``HomeAssistantError`` if the store cannot write: the action then
    fails, and no restart brings back what it reports as deleted.
    """
    doomed = list(records)
    if not doomed:
        return 0
    store = entry.runtime_data.store
    try:
        erased = await store.async_erase({record.call_id for record in doomed})
    except Exception as err:
        # The rows may be deleted already (a checkpoint after the commit
        # failed): the files of the calls asked for go anyway, or nothing
        # would ever name them again (a retry finds no row).
        await hass.async_add_executor_job(
            remove_files, media_root(hass), _files_of(doomed)
        )
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="erase_failed",
            translation_placeholders={"error": str(err) or type(err).__name__},
        ) from err
    # The files of the rows as deleted: audio or a transcript committed after
    # ``records`` were read goes too (and those read, if a row was gone).
    files = _files_of([*doomed, *erased])
    await hass.async_add_executor_job(remove_files, media_root(hass), files)
    # Everything else of ours that may name these calls is refreshed too.
    async_report_lost(hass, entry, await store.async_with_status("lost"))
    async_dispatcher_send(hass, signal_erased(entry.entry_id))
    return len(doomed)


def _files_of(calls: list[Call]) -> set[str]:
    """Every file a call has: its audio and its transcript."""
    return {
        file
        for call in calls
        for file in (*call.files, *filter(None, [call.transcript_file]))
    }


async def async_older_than(entry: M8ComConfigEntry, cutoff: datetime) -> list[Call]:
    """Calls of an account that started before ``cutoff``.

    A start time in the future counts from when HA received the call, so a
    wrong clock at M8Com cannot keep a call forever.
    """
    return await entry.runtime_data.store.async_older_than(cutoff)


async def async_apply_retention(hass: HomeAssistant, entry: M8ComConfigEntry) -> int:
    """Delete what is older than the account's retention (0 keeps everything)."""
    days = int(option(entry.options, CONF_RETENTION_DAYS))
    if days <= 0:
        return 0
    deleted = await async_delete(
        hass,
        entry,
        await async_older_than(entry, dt_util.utcnow() - timedelta(days=days)),
    )
    if deleted:
        LOGGER.info(
            "%s: deleted %s calls older than %s days", entry.title, deleted, days
        )
    return deleted


@callback
def async_schedule_retention(hass: HomeAssistant, entry: M8ComConfigEntry) -> None:
    """Apply retention once a day (set-up awaits the first run itself)."""

    @callback
    def _run(*_: Any) -> None:
        entry.async_create_background_task(
            hass, async_apply_retention(hass, entry), f"{DOMAIN} retention"
        )

    entry.async_on_unload(async_track_time_interval(hass, _run, timedelta(days=1)))
