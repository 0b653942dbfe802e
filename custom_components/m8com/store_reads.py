"""The call store's questions: every read, on its own connection and thread.

Split from the writes (``store.py``) because reads follow different rules:
WAL lets one reader run beside the writer, so a search or a day in the media
browser never waits for a burst's commit, and a read holds no write lock. One
read at a time (the reader connection is not shared between threads).
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from homeassistant.core import HomeAssistant

from .call import Call
from .store_commit import to_the_end
from .store_db import Database
from .store_listing import LISTING, Listing, listings
from .store_query import Query, find
from .store_rows import SELECT, from_row

NEWEST_FIRST: Final = "started DESC, received DESC, call_id DESC"
"""The one order of "newest": by start, calls that started together by receipt."""
_MANY: Final = 500
"""Ids per ``IN (…)`` query (SQLite allows at least 999 parameters)."""


class StoreReads:
    """What the integration asks the store; ``CallStore`` adds writes and caches."""

    def __init__(self, hass: HomeAssistant, db: Database) -> None:
        """Read ``db`` through HA's executor, one query at a time."""
        self._hass = hass
        self._db = db
        self._read_lock = asyncio.Lock()

    @property
    def path(self) -> Path:
        """The database file."""
        return self._db.path

    @property
    def fts(self) -> bool:
        """Whether text searches use FTS5 (else ``LIKE``)."""
        return self._db.text_index

    async def _async_read(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        async with self._read_lock:
            return await to_the_end(  # never close the connection under a read
                self._hass.async_add_executor_job(self._db.read, sql, params)
            )

    async def _async_calls(self, where: str, *params: Any) -> list[Call]:
        rows = await self._async_read(f"{SELECT} {where}", list(params))
        return await self._hass.async_add_executor_job(calls_of, rows)

    async def async_get(self, call_id: int) -> Call | None:
        """One stored call (a filtered one too), or None."""
        found = await self._async_calls("WHERE call_id = ?", call_id)
        return found[0] if found else None

    async def async_get_many(self, call_ids: set[int]) -> dict[int, Call]:
        """Stored calls by id (start-up: the owners of audio found on disk)."""
        ids = sorted(call_ids)
        found: dict[int, Call] = {}
        for start in range(0, len(ids), _MANY):
            part = ids[start : start + _MANY]
            marks = ",".join("?" * len(part))
            for call in await self._async_calls(f"WHERE call_id IN ({marks})", *part):
                found[call.call_id] = call
        return found

    async def async_find(self, query: Query) -> list[Call]:
        """``get_recordings``: kept calls matching every filter given."""
        fts, read = self.fts, self._db.read

        def job() -> list[Call]:  # the probes and the query in one executor job
            return calls_of(find(read, query, fts=fts))

        async with self._read_lock:
            return await self._hass.async_add_executor_job(job)

    async def async_involving(self, number: str) -> list[Call]:
        """Every stored call a (normalised) number took part in, in any role."""
        return await self._async_calls(
            "WHERE call_id IN (SELECT call_id FROM numbers WHERE number = ?)", number
        )

    async def async_with_status(self, status: str) -> list[Call]:
        """Calls whose audio is pending, failed or lost (indexed)."""
        return await self._async_calls(
            "WHERE status = ? AND status IN ('pending', 'failed', 'lost') "
            "ORDER BY started DESC",
            status,
        )

    async def async_with_transcription(self, state: str) -> list[Call]:
        """Calls whose transcription is pending or failed (indexed)."""
        return await self._async_calls(
            "WHERE transcription = ? AND transcription IN ('pending', 'failed') "
            "ORDER BY received",
            state,
        )

    async def async_on_callback_list(self, done: int) -> list[Call]:
        """The calls of open callback items and of the last ``done`` ticked off.

        Both through the partial indexes of the schema's ``_callbacks`` step.
        """
        found = await self._async_calls(
            "WHERE json_extract(record, '$.callback') = 'open'"
        )
        return found + await self._async_calls(
            "WHERE json_extract(record, '$.callback_item') IS NOT NULL "
            "AND json_extract(record, '$.callback') = 'done' "
            "ORDER BY json_extract(record, '$.callback_done_at') DESC LIMIT ?",
            done,
        )

    async def async_older_than(self, cutoff: datetime) -> list[Call]:
        """Calls retention removes: begun before ``cutoff``.

        A start time in the future counts from when HA received the call.
        """
        return await self._async_calls("WHERE aged < ?", cutoff.timestamp())

    async def async_days(self) -> list[date]:
        """The local days with kept calls, newest first."""
        rows = await self._async_read("SELECT day FROM days ORDER BY day DESC", [])
        return [date.fromisoformat(day) for (day,) in rows]

    async def async_day(self, day: date) -> list[Call]:
        """The kept calls of a local day, newest first."""
        return await self._async_calls(
            f"WHERE day = ? ORDER BY {NEWEST_FIRST}", day.isoformat()
        )

    async def async_day_starts(self, day: date) -> list[float]:
        """When each recording of a local day started (Unix seconds).

        Only calls with audio: what the media browser lists (and so counts).
        """
        rows = await self._async_read(
            "SELECT started FROM calls WHERE day = ? "
            "AND json_array_length(record, '$.files') > 0",
            [day.isoformat()],
        )
        return [started for (started,) in rows]

    async def async_listing(
        self, day: date, first: datetime, last: datetime
    ) -> list[Listing]:
        """The recordings of a local day that started in ``[first, last)``.

        Newest first, as ``Listing`` rows: only what a title needs, read and
        built in the executor (no ``Call``, only a transcript's first words).
        """
        rows = await self._async_read(
            LISTING, [day.isoformat(), first.timestamp(), last.timestamp()]
        )
        return await self._hass.async_add_executor_job(listings, rows)

    async def async_between(self, first: datetime, last: datetime) -> list[Call]:
        """Kept calls that started in ``[first, last)`` (statistics)."""
        return await self._async_calls(
            "WHERE day IS NOT NULL AND started >= ? AND started < ?",
            first.timestamp(),
            last.timestamp(),
        )

    async def async_counts(self) -> dict[str, dict[str, int]]:
        """Row counts by status, direction and transcription (diagnostics)."""
        counts: dict[str, dict[str, int]] = {}
        for name, expression in (
            ("by_status", "status"),
            ("by_direction", "json_extract(record, '$.direction')"),
            ("by_transcription", "transcription"),
        ):
            rows = await self._async_read(
                f"SELECT {expression}, count(*) FROM calls "  # noqa: S608
                f"WHERE {expression} IS NOT NULL GROUP BY 1",
                [],
            )
            counts[name] = {str(key): int(n) for key, n in rows}
        return counts

    async def async_failed_lately(self, column: str, value: str) -> list[Call]:
        """The last 20 calls to arrive with a failure, oldest first."""
        found = await self._async_calls(
            f"WHERE {column} = ? ORDER BY received DESC LIMIT 20", value
        )
        return found[::-1]


def calls_of(rows: list[tuple[Any, ...]]) -> list[Call]:
    """Rebuild calls from rows (in the executor: JSON parsing is CPU)."""
    return [from_row(row) for row in rows]
