"""Questions to the call store, as indexed SQL.

``get_recordings`` combines any of its filters with a text search; each filter
narrows through an index (number → ``numbers``, text → FTS5 (``store_search``),
time → the start-time index), so the cost follows the answer, not the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .store_rows import SELECT
from .store_search import NEWEST, WORD, Read, group_filter, search


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


def find(read: Read, query: Query, *, fts: bool) -> list[tuple[Any, ...]]:
    """Rows of the calls a query asks for (in the executor, on the reader)."""
    where, params = _filters(query)
    if query.answer_group is not None and fts:
        if (narrowing := group_filter(read, query.answer_group)) is None:
            return []  # no call names this group
        for condition, value in narrowing:
            where.append(condition)
            params.append(value)
    if query.text is not None and fts:
        return search(
            read, query.text, where, params, by_rank=query.by_rank, limit=query.limit
        )
    if query.text is not None:  # no FTS5 in this SQLite: every word, anywhere
        words = dict.fromkeys(WORD.findall(query.text))
        if not words:  # as with FTS5: no word, no match (never every call)
            return []
        for word in words:
            where.append("(calls.transcript LIKE ? OR calls.words LIKE ?)")
            params += [f"%{word}%"] * 2
    sql = f"{SELECT} WHERE {' AND '.join(where)} ORDER BY {NEWEST} LIMIT ?"
    return read(sql, [*params, query.limit])


def _filters(query: Query) -> tuple[list[str], list[Any]]:
    """Every filter but the text, as SQL conditions on ``calls``."""
    where = ["calls.day IS NOT NULL"]
    params: list[Any] = []
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
    return where, params
