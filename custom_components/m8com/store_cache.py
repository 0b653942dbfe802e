"""The call store's small caches: what the sensor reads in the event loop.

The sensor updates on every call and must not query (nor wait for) the file
each time, yet nothing proportional to the history may stay in memory: so the
newest ten calls and the counts of yesterday, today and tomorrow are kept,
refreshed from queries (open, erasure, midnight) and bumped per new call.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .call import Call, local_day
from .store_db import Database
from .store_reads import NEWEST_FIRST, StoreReads

RECENT_LIMIT: Final = 10
"""How many of the newest calls are cached (the sensor's ``recent_calls``)."""


class CachedReads(StoreReads):
    """``StoreReads`` plus the newest calls and the day counts around today."""

    def __init__(self, hass: HomeAssistant, db: Database) -> None:
        """Empty caches until ``async_refresh``."""
        super().__init__(hass, db)
        self._recent: list[Call] = []
        self._counts: dict[date, int] = {}
        self.last_received: datetime | None = None
        """When HA last received a kept call (the silence watch)."""

    @property
    def newest(self) -> Call | None:
        """The kept call that started last."""
        return self._recent[0] if self._recent else None

    def recent(self, count: int = RECENT_LIMIT) -> list[Call]:
        """The kept calls that started last, newest first (at most 10)."""
        return self._recent[:count]

    def count_on(self, day: date) -> int:
        """Kept calls that started on a local day (today, yesterday, tomorrow)."""
        return self._counts.get(day, 0)

    async def async_refresh(self) -> None:
        """Reload the caches from the file (open, erasure, midnight)."""
        today = dt_util.now().date()
        days = [(today + timedelta(days=n)).isoformat() for n in (-1, 0, 1)]
        rows = await self._async_read(
            "SELECT day, calls FROM days WHERE day IN (?, ?, ?)", days
        )
        self._counts = {date.fromisoformat(day): n for day, n in rows}
        self._recent = await self._async_calls(
            f"WHERE day IS NOT NULL ORDER BY {NEWEST_FIRST} LIMIT ?", RECENT_LIMIT
        )
        rows = await self._async_read(
            "SELECT max(received) FROM calls WHERE day IS NOT NULL", []
        )
        newest = rows[0][0]
        self.last_received = (
            None if newest is None else dt_util.utc_from_timestamp(newest)
        )

    def _note_new(self, call: Call) -> None:
        """Count a call just stored (no query: the sensor updates per call)."""
        day = local_day(call)
        if day in self._counts or abs((day - dt_util.now().date()).days) <= 1:
            self._counts[day] = self._counts.get(day, 0) + 1
        if len(self._recent) < RECENT_LIMIT or _order(call) > _order(self._recent[-1]):
            self._recent.append(call)
            self._recent.sort(key=_order, reverse=True)
            del self._recent[RECENT_LIMIT:]
        if self.last_received is None or call.received > self.last_received:
            self.last_received = call.received


def _order(call: Call) -> tuple[datetime, datetime, int]:
    """Newest first: by start, then by receipt (``NEWEST_FIRST`` in SQL)."""
    return (call.started, call.received, call.call_id)
