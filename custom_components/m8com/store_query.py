"""Questions to the call store, as indexed SQL.

``get_recordings`` combines any of its filters with a text search; each filter
narrows through an index (number → ``numbers``, text → FTS5 (``store_search``),
time → the start-time index), so the cost follows the answer, not the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from .store_rows import SELECT
from .store_search import NEWEST, WORD, Read, search


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
    if query.answer_group is not None:
        if (group := _group(read, query)) is None:
            return []  # no call has this group
        where.append(group)
        params += [query.answer_group] * group.count("?")
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
    if query.direction is not None:  # ``+``: a number's few calls are checked
        lead = "+" if query.number is not None else ""
        where.append(f"{lead}{_FIELD.format('direction')} = ?")
        params.append(query.direction)
    return where, params


_FIELD: Final = "json_extract(calls.record, '$.{}')"
"""A field of the record, as the schema's indexes (step 6) name it."""
_GROUP: Final = (_FIELD.format("answer_group_id"), _FIELD.format("answer_group_name"))


def _group(read: Read, query: Query) -> str | None:
    """The answer group's condition: its id or its name, through their indexes.

    ``answer_group`` may be either; probing which one any call has (one index
    seek each) lets the condition name that one field, so the index reads
    the group's newest calls only. None: no call has it (nothing to read).
    """
    held = [
        field
        for field in _GROUP
        if read(
            f"SELECT 1 FROM calls WHERE day IS NOT NULL AND {field} = ? LIMIT 1",  # noqa: S608
            [query.answer_group],
        )
    ]
    if not held:
        return None
    lead = "+" if query.number is not None else ""  # a number's few calls lead
    if len(held) == 1:
        return f"{lead}{held[0]} = ?"
    # One group's id is another's name: both groups' calls, sorted (no walk).
    each = "SELECT call_id FROM calls WHERE day IS NOT NULL AND {} = ?"
    return f"calls.call_id IN ({' UNION '.join(map(each.format, _GROUP))})"
