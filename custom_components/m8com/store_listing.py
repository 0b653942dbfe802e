"""The media browser's rows: a recording's title, without the whole call.

A busy day lists 10 000 recordings; rebuilding each as a ``Call`` (every field,
every timestamp parsed) measured 130 ms of a browse, and reading whole
transcripts megabytes. These rows carry only what a title shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from homeassistant.util import dt as dt_util
from homeassistant.util.json import json_loads_object

from .formatting import GIST_LENGTH

_PREFIX: Final = GIST_LENGTH * 4
LISTING: Final = (
    f"SELECT call_id, started, record, substr(transcript, 1, {_PREFIX}) "  # noqa: S608
    "FROM calls WHERE day = ? AND started >= ? AND started < ? "
    "ORDER BY started DESC, received DESC, call_id DESC"
)
"""A day's calls that started in ``[?, ?)``, newest first (``calls_day`` index)."""


@dataclass(slots=True)  # not frozen: its __init__ costs 3x (10 000 per day)
class Listing:
    """A call with recordings as the media browser lists it (``recording_title``)."""

    call_id: int
    started: datetime
    files: list[str]
    caller_name: str | None
    caller_number: str | None
    callee_name: str | None
    callee_number: str | None
    direction: str
    agent_name: str | None
    answer_group_name: str | None
    talk_time: float | None
    ai_summary: str | None
    transcript: str | None
    """Its first words only."""


def listings(rows: list[tuple[Any, ...]]) -> list[Listing]:
    """The rows of ``LISTING`` with recordings (in the executor)."""
    found: list[Listing] = []
    for call_id, started, record, transcript in rows:
        data: dict[str, Any] = json_loads_object(record)
        if not (files := data.get("files")):
            continue
        found.append(
            Listing(
                call_id=call_id,
                started=dt_util.utc_from_timestamp(started),
                files=files,
                caller_name=data.get("caller_name"),
                caller_number=data.get("caller_number"),
                callee_name=data.get("callee_name"),
                callee_number=data.get("callee_number"),
                direction=data.get("direction") or "unknown",
                agent_name=data.get("agent_name"),
                answer_group_name=data.get("answer_group_name"),
                talk_time=data.get("talk_time"),
                ai_summary=data.get("ai_summary"),
                transcript=transcript,
            )
        )
    return found
