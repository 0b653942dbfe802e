"""A ``Call`` as a row of the call store, and back.

The columns the store queries by are computed here once, when a call is
written (its start, its local day, retention's clock, each party's normalised
number, the searchable text); everything else travels in one JSON column, so
a new ``Call`` field needs no schema change.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, Final

from homeassistant.helpers.json import json_bytes
from homeassistant.util.json import json_loads_object

from .call import Call, local_day
from .phone_numbers import normalise

COLUMNS: Final = (
    "call_id, started, received, aged, day, status, transcription, "
    "transcript, words, record"
)
"""The ``calls`` columns in the order ``to_row`` gives them."""
_QUALIFIED: Final = ", ".join(f"calls.{column}" for column in COLUMNS.split(", "))
SELECT: Final = f"SELECT {_QUALIFIED} FROM calls"  # noqa: S608 - constant names
_OWN_COLUMNS: Final = frozenset({"call_id", "status", "transcription", "transcript"})
_WORDS: Final = (
    "summary", "ai_summary", "caller_name", "callee_name",
    "agent_name", "agent_id", "answer_group_name", "answer_group_id",
)  # fmt: skip
"""What a text search finds besides the transcript."""
_NO_DEFAULT: Final = object()
_RECORD_FIELDS: Final = tuple(
    (
        f.name,
        None if f.default is None else [] if f.default_factory is list else _NO_DEFAULT,
    )
    for f in dataclasses.fields(Call)
    if f.name not in _OWN_COLUMNS
)
"""The ``record`` fields and when they are left out: empty (``None`` or ``[]``,
their default: ``Call.from_dict`` puts them back). Half of a typical record is
empty fields (872 bytes → 414), so the file and every backup of it shrink by
~40 %. SQL reads a missing key as NULL, as it read the null; fields with
another default (``direction``: "unknown") are always written, so a query by
them finds the default too."""
PARTIES: Final = (
    "caller_number", "callee_number", "referred_to", "referred_by", "recorder_id",
)  # fmt: skip
"""Every field that can name a subscriber: erasure and search by number."""

Row = tuple[int, float, float, float, str | None, str, str | None, str | None,
            str, str]  # fmt: skip


def to_row(call: Call) -> Row:
    """The ``calls`` row of a call (``COLUMNS`` order)."""
    started = call.started.timestamp()
    received = call.received.timestamp()
    record = {
        name: value
        for name, default in _RECORD_FIELDS
        if not _is_default(value := getattr(call, name), default)
    }
    return (
        call.call_id,
        started,
        received,
        min(started, received),  # a start time in the future ages from receipt
        None if call.status == "filtered" else local_day(call).isoformat(),
        call.status,
        call.transcription,
        call.transcript,
        "\n".join(filter(None, (getattr(call, key) for key in _WORDS))),
        json_bytes(record).decode(),
    )


def _is_default(value: object, default: object) -> bool:
    """Equal and of the same type (``0`` is not ``False``, ``0.0`` not ``None``)."""
    return value.__class__ is default.__class__ and value == default


def numbers_of(call: Call, region: str) -> set[str]:
    """The normalised numbers and identifiers of every party to the call."""
    return {
        normalise(value, region)
        for key in PARTIES
        if (value := getattr(call, key)) and str(value).strip()
    }


def from_row(row: tuple[Any, ...]) -> Call:
    """Rebuild a call from its row (``SELECT`` order)."""
    data: dict[str, Any] = json_loads_object(row[9])
    data |= {
        "call_id": row[0],
        "status": row[5],
        "transcription": row[6],
        "transcript": row[7],
    }
    return Call.from_dict(data)


def timestamp(moment: datetime) -> float:
    """A moment as the store keeps it (Unix seconds)."""
    return moment.timestamp()
