"""The recordings library: find, erase and expire calls.

Call audio is personal data: users must be able to answer "what do we have
on this number?", erase it on request, and keep nothing longer than they may.
Every deletion removes only files this integration wrote (the paths on the
call's record) together with the call's index entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from .call import Call
from .const import CONF_RETENTION_DAYS, DOMAIN, LOGGER, signal_erased
from .data import M8ComConfigEntry
from .formatting import media_ids
from .media_files import media_root, remove_files
from .options import option
from .phone_numbers import same_number
from .repairs import async_report_lost


def involves(record: Call, number: str, region: str) -> bool:
    """Whether a number took part in the call in any role (``numbers``)."""
    parties = (
        record.caller_number,
        record.callee_number,
        record.referred_to,
        record.referred_by,
    )
    return any(same_number(party, number, region) for party in parties)


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
        "files": list(record.files),
        "media_content_ids": media_ids(entry_id, record),
    }


async def async_delete(
    hass: HomeAssistant, entry: M8ComConfigEntry, records: Iterable[Call]
) -> int:
    """Erase calls: their files first, then their index entries."""
    doomed = list(records)
    if not doomed:
        return 0
    files = [
        file
        for record in doomed
        for file in (*record.files, *filter(None, [record.transcript_file]))
    ]
    await hass.async_add_executor_job(remove_files, media_root(hass), files)
    await entry.runtime_data.index.async_erase({record.call_id for record in doomed})
    # Everything else of ours that may name these calls is refreshed too.
    async_report_lost(hass, entry, entry.runtime_data.index)
    async_dispatcher_send(hass, signal_erased(entry.entry_id))
    return len(doomed)


def older_than(entry: M8ComConfigEntry, cutoff: datetime) -> list[Call]:
    """Calls of an account that started before ``cutoff``."""
    return [r for r in entry.runtime_data.index.calls.values() if r.started < cutoff]


async def async_apply_retention(hass: HomeAssistant, entry: M8ComConfigEntry) -> int:
    """Delete what is older than the account's retention (0 keeps everything)."""
    days = int(option(entry.options, CONF_RETENTION_DAYS))
    if days <= 0:
        return 0
    deleted = await async_delete(
        hass, entry, older_than(entry, dt_util.utcnow() - timedelta(days=days))
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
