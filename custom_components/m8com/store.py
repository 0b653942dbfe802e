"""The per-entry call store: every call once, durable before its 200, queryable.

M8Com retries anything that is not answered 200, so the same call id can
arrive many times; the store is what makes each count exactly once, across
restarts too. It is an SQLite file (``store_db``) in ``.storage``; all its work
runs in HA's executor, one write and one read at a time, never in the event
loop. Writes that arrive together share one transaction and one fsync (group
commit), so a burst costs one disk flush, and a call's 200 waits for its
commit. Nothing proportional to the history stays in memory: the newest calls
and the day counts the sensor shows are small caches refreshed from queries.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
import copy
from datetime import date, datetime, timedelta
from pathlib import Path
import sqlite3
from typing import Any, Final, NamedTuple

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .call import Call, local_day
from .const import DOMAIN, LOGGER
from .phone_numbers import region_of
from .store_db import Database, remove_files
from .store_open import (
    async_damage_found,
    async_open_database,
    async_start_anew,
    damaged,
)
from .store_purge import TextPurge, erase, purge_pending
from .store_query import Query, build
from .store_rows import SELECT, from_row, numbers_of, to_row

RECENT_LIMIT: Final = 10
"""How many of the newest calls are cached (the sensor's ``recent_calls``)."""
HOLD_WAIT: Final = 5.0
"""How long a write waits for a backup to finish before it gives up (503)."""
RETRY_AFTER: Final = 30
NEWEST_FIRST: Final = "started DESC, received DESC, call_id DESC"
"""The one order of "newest": by start, calls that started together by receipt."""
_MANY: Final = 500
"""Ids per ``IN (…)`` query (SQLite allows at least 999 parameters)."""


class StoreUnavailableError(Exception):
    """The store cannot take a write now (backup running, disk full, damage).

    The delivery is answered 503 with ``Retry-After``: M8Com tries again.
    """

    retry_after = RETRY_AFTER


class BackupRunningError(StoreUnavailableError):
    """A backup held writes longer than ``HOLD_WAIT``."""


type _Op = Callable[[Database], Any]


def db_path(hass: HomeAssistant, entry_id: str) -> Path:
    """``.storage/m8com.<entry_id>.db``: private, beside HA's own storage."""
    return Path(hass.config.path(".storage", f"{DOMAIN}.{entry_id}.db"))


class CallStore:
    """All calls of one config entry, keyed by M8Com's call id."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Bind to the entry's database file; nothing is opened yet."""
        self._hass = hass
        self._entry_id = entry_id
        self._db = Database(db_path(hass, entry_id))
        self._write_lock = asyncio.Lock()
        self._read_lock = asyncio.Lock()
        self._batch: list[tuple[_Op, asyncio.Future[Any]]] = []
        self._released = asyncio.Event()
        self._released.set()
        self._recent: list[Call] = []
        self._counts: dict[date, int] = {}
        self.last_received: datetime | None = None
        """When HA last received a kept call (the silence watch)."""
        self.purge = TextPurge(
            hass, lambda op: self._async_write(op, patient=True), self._async_exact
        )

    @property
    def path(self) -> Path:
        """The database file."""
        return self._db.path

    @property
    def fts(self) -> bool:
        """Whether text searches use FTS5 (else ``LIKE``)."""
        return self._db.text_index

    async def async_open(self) -> None:
        """Open the file (importing 0.2's index once), then fill the caches.

        Damage that opening does not meet but set-up's first reads do (the
        caches, what recovery, transcription and the callback list read) goes
        the same way as damage found at open: set aside, a repair, a new store.
        """
        await async_open_database(self._hass, self._entry_id, self._db)
        try:
            await self._async_first_reads()
        except sqlite3.DatabaseError as err:
            if not damaged(err):
                raise
            await async_start_anew(self._hass, self._entry_id, self._db, err)
            await self._async_first_reads()
        if await self._hass.async_add_executor_job(purge_pending, self._db):
            self.purge.start()  # an erasure's words, from before a restart

    async def _async_first_reads(self) -> None:
        await self.async_refresh()
        for status in ("pending", "lost"):
            await self.async_with_status(status)
        await self.async_with_transcription("pending")
        await self.async_on_callback_list(RECENT_LIMIT)

    async def async_close(self) -> None:
        """Let pending writes finish, then close the file."""
        await self.purge.async_stop()
        async with self._write_lock, self._read_lock:
            await self._hass.async_add_executor_job(self._db.close)

    @staticmethod
    async def async_remove(hass: HomeAssistant, entry_id: str) -> None:
        """Delete an account's database when the entry is deleted (personal data)."""
        await hass.async_add_executor_job(remove_files, db_path(hass, entry_id))

    # Writes

    async def async_accept(self, call: Call) -> bool:
        """Store a new call durably; False if its id is already known.

        The row (JSON, normalised numbers) is made in the executor, with the
        write: the event loop pays nothing per party.
        """
        region = self._region
        if not await self._async_write(
            lambda db: db.insert(to_row(call), numbers_of(call, region))
        ):
            return False
        if call.status != "filtered":
            self._note_new(call)
        return True

    async def async_update(
        self, call: Call, fields: Iterable[str], *, delivery: bool = False
    ) -> bool:
        """Write the ``fields`` of a known call durably; False if it was erased.

        Only those fields: they are copied onto the stored call under the
        write lock, so a caller's older copy (a transcription resumed after a
        restart, a download) never writes back over what another part (the
        callback list, a user) changed meanwhile. A background write (not a
        ``delivery`` waiting for its answer) waits out a backup, however long.
        """
        changes = {name: copy.copy(getattr(call, name)) for name in fields}
        region = self._region

        def merge(db: Database) -> Call | None:
            row = db.current(call.call_id)
            if row is None:
                return None
            stored = from_row(row)
            for name, value in changes.items():
                setattr(stored, name, value)
            db.update(to_row(stored), numbers_of(stored, region))
            return stored

        merged: Call | None = await self._async_write(merge, patient=not delivery)
        if merged is None:
            return False
        self._recent = [
            merged if c.call_id == merged.call_id else c for c in self._recent
        ]
        return True

    async def async_erase(self, call_ids: set[int]) -> list[Call]:
        """Delete calls now and leave no trace in any file; return them.

        The calls returned are the rows as they were deleted, so their files
        are the ones to remove, including audio or a transcript committed
        after the caller read the calls. Returns once the deletion is
        committed and the WAL truncated; raises (and the erasure is not
        acknowledged) if either fails.
        """
        if not call_ids:
            return []
        async with self._write_lock, self._read_lock:
            await self._async_wait_release()
            rows = await self._hass.async_add_executor_job(
                self._erase_now, sorted(call_ids)
            )
            if rows and self._db.purge_needed:
                self.purge.start()
        await self.async_refresh()
        return await self._hass.async_add_executor_job(_calls, rows)

    def _erase_now(self, call_ids: list[int]) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = _transaction(
            self._db, lambda db: erase(db, call_ids)
        )
        self._db.checkpoint_exact()
        return rows

    async def _async_exact(self, op: _Op) -> None:
        """Run ``op`` (a checkpoint) with no read or write in the way."""
        async with self._write_lock, self._read_lock:
            await self._hass.async_add_executor_job(op, self._db)

    async def async_hold(self) -> None:
        """Before a backup: fold the WAL into the file and hold writes."""
        async with self._write_lock:
            self._released.clear()
            await self._hass.async_add_executor_job(self._db.checkpoint)

    def release(self) -> None:
        """After a backup: writes go on (those waiting first)."""
        self._released.set()

    async def _async_wait_release(self) -> None:
        if self._released.is_set():
            return
        try:
            async with asyncio.timeout(HOLD_WAIT):
                await self._released.wait()
        except TimeoutError as err:
            raise BackupRunningError("a backup is running") from err

    async def _async_write(self, op: _Op, *, patient: bool = False) -> Any:
        """Run ``op`` in the next group commit; return its result once durable.

        A delivery (not ``patient``) is refused after ``HOLD_WAIT`` of a backup
        (503: M8Com sends it again); a background write (download, transcript,
        callback list) has no one to retry it, so it waits for the backup's end.
        """
        while True:
            if patient and not self._released.is_set():
                LOGGER.debug("A background write waits for the backup to end")
                await self._released.wait()
            try:
                return await self._async_commit(op)
            except BackupRunningError:
                if not patient:
                    raise

    async def _async_commit(self, op: _Op) -> Any:
        future: asyncio.Future[Any] = self._hass.loop.create_future()
        self._batch.append((op, future))
        if len(self._batch) == 1:
            self._hass.async_create_background_task(
                self._async_flush(), f"{DOMAIN} store commit", eager_start=False
            )
        return await asyncio.shield(future)

    async def _async_flush(self) -> None:
        async with self._write_lock:
            batch, self._batch = self._batch, []
            ops = [op for op, _ in batch]
            try:
                await self._async_wait_release()
                results = await self._hass.async_add_executor_job(
                    _transaction_all, self._db, ops
                )
            except BaseException as err:  # every waiting delivery gets its 503
                async_damage_found(self._hass, self._entry_id, err)
                failure = _unavailable(err)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(failure)
                if not isinstance(err, Exception):
                    raise
                return
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, _Failed):  # this call only: a 503 for it
                    async_damage_found(self._hass, self._entry_id, result.error)
                    future.set_exception(_unavailable(result.error))
                else:
                    future.set_result(result)

    # Reads

    async def _async_read(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        async with self._read_lock:
            return await self._hass.async_add_executor_job(self._db.read, sql, params)

    async def _async_calls(self, where: str, *params: Any) -> list[Call]:
        rows = await self._async_read(f"{SELECT} {where}", list(params))
        return await self._hass.async_add_executor_job(_calls, rows)

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
        sql, params = build(query, fts=self.fts)
        rows = await self._async_read(sql, params)
        return await self._hass.async_add_executor_job(_calls, rows)

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

    # Caches: what the sensor reads in the event loop, bounded.

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
        day = local_day(call)
        if day in self._counts or abs((day - dt_util.now().date()).days) <= 1:
            self._counts[day] = self._counts.get(day, 0) + 1
        if len(self._recent) < RECENT_LIMIT or _order(call) > _order(self._recent[-1]):
            self._recent.append(call)
            self._recent.sort(key=_order, reverse=True)
            del self._recent[RECENT_LIMIT:]
        if self.last_received is None or call.received > self.last_received:
            self.last_received = call.received

    @property
    def _region(self) -> str:
        return region_of(self._hass.config.country)


def _order(call: Call) -> tuple[datetime, datetime, int]:
    """Newest first: by start, then by receipt (``NEWEST_FIRST`` in SQL)."""
    return (call.started, call.received, call.call_id)


class _Failed(NamedTuple):
    """One write of a batch failed (and was undone); the others go on."""

    error: Exception


def _transaction(db: Database, op: _Op) -> Any:
    result = _transaction_all(db, [op])[0]
    if isinstance(result, _Failed):
        raise result.error
    return result


def _transaction_all(db: Database, ops: list[_Op]) -> list[Any]:
    """Run ops in one transaction: one commit, one fsync of the WAL.

    Each op has its own savepoint, so one call that cannot be written (a bug,
    a value SQLite refuses) fails alone instead of the whole burst.
    """
    writer = db.writer
    writer.execute("BEGIN IMMEDIATE")
    try:
        results: list[Any] = []
        for op in ops:
            writer.execute("SAVEPOINT op")
            try:
                results.append(op(db))
            except Exception as err:  # noqa: BLE001 - handed to its caller
                writer.execute("ROLLBACK TO op")
                results.append(_Failed(err))
            writer.execute("RELEASE op")
        writer.execute("COMMIT")
    except BaseException:
        if writer.in_transaction:
            writer.execute("ROLLBACK")
        raise
    return results


def _calls(rows: list[tuple[Any, ...]]) -> list[Call]:
    return [from_row(row) for row in rows]


def _unavailable(err: BaseException) -> Exception:
    """What a waiting writer gets: why, as a 503 with ``Retry-After``."""
    if isinstance(err, StoreUnavailableError):
        return err
    if isinstance(err, asyncio.CancelledError):  # HA is stopping: a 503, calmly
        return StoreUnavailableError("Home Assistant is stopping")
    if isinstance(err, sqlite3.Error):
        LOGGER.error("The call store could not write: %s", err)
        unavailable = StoreUnavailableError(str(err))
        unavailable.__cause__ = err
        return unavailable
    return err if isinstance(err, Exception) else OSError("write interrupted")
