"""Questions to the call store, as indexed SQL.

``get_recordings`` combines any of its filters with a text search; each filter
narrows through an index (number → ``numbers``, text → FTS5, time → the
start-time index), so the cost follows the answer, not the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import re
from typing import Any, Final

from .store_rows import SELECT

_WORD: Final = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Query:
    """What ``get_recordings`` asks; None means "any"."""

    since: datetime | None = None
    until: datetime | None = None
    number: str | None = None
    """Normalised already (``phone_numbers.normalise``)."""
    direction: str | None = None
    answer_group: str | None = None
    text: str | None = None
    limit: int = 50
    by_rank: bool = True
    """Text search: best match first; False: newest first (who, not what)."""


def fts_match(text: str) -> str | None:
    """FTS5 query: every word of the text, each a quoted prefix-free term.

    Quoting keeps the user's text from being read as FTS5 syntax
    (``NEAR``, ``-``, ``"``, ``*``); None when the text has no word.
    """
    words = _WORD.findall(text)
    return " AND ".join(f'"{word}"' for word in words) or None


def build(query: Query, *, fts: bool) -> tuple[str, list[Any]]:
    """The SQL and parameters for a query (newest first, or best match first)."""
    where = ["calls.day IS NOT NULL"]
    params: list[Any] = []
    joins = ""
    order = "calls.started DESC, calls.received DESC, calls.call_id DESC"
    if query.since is not None:
        where.append("calls.started >= ?")
        params.append(query.since.timestamp())
    if query.until is not None:
        where.append("calls.started <= ?")
        params.append(query.until.timestamp())
    if query.number is not None:
        where.append("calls.call_id IN (SELECT call_id FROM numbers WHERE number = ?)")
        params.append(query.number)
    if query.direction is not None:
        where.append("json_extract(calls.record, '$.direction') = ?")
        params.append(query.direction)
    if query.answer_group is not None:
        where.append(
            "? IN (json_extract(calls.record, '$.answer_group_id'), "
            "json_extract(calls.record, '$.answer_group_name'))"
        )
        params.append(query.answer_group)
    if query.text is not None:
        words = _WORD.findall(query.text)
        if fts:
            joins = " JOIN calls_text ON calls_text.rowid = calls.call_id"
            where.append("calls_text MATCH ?")
            params.append(fts_match(query.text) or '"*"')
            if query.by_rank:
                order = f"calls_text.rank, {order}"
        else:
            for word in words or [""]:
                where.append("(calls.transcript LIKE ? OR calls.words LIKE ?)")
                params += [f"%{word}%"] * 2
    sql = (
        f"{SELECT.replace('FROM calls', 'FROM calls' + joins)} "
        f"WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ?"
    )
    return sql, [*params, query.limit]
