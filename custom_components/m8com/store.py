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
from collections.abc import Iterable
import copy
from pathlib import Path
import sqlite3
from typing import Any, Final

from homeassistant.core import HomeAssistant

from .call import Call
from .const import DOMAIN, LOGGER
from .phone_numbers import region_of
from .store_cache import RECENT_LIMIT, CachedReads
from .store_checkpoint import Checkpoints
from .store_commit import (
    Failed,
    Op,
    StoreUnavailableError,
    to_the_end,
    transaction,
    transaction_all,
    unavailable,
)
from .store_db import Database, remove_files
from .store_open import (
    async_damage_found,
    async_open_database,
    async_start_anew,
    damaged,
)
from .store_purge import TextPurge, erase, purge_pending
from .store_reads import calls_of
from .store_rows import from_row, numbers_of, to_row

__all__ = ["HOLD_WAIT", "BackupRunningError", "CallStore", "StoreUnavailableError"]

HOLD_WAIT: Final = 5.0
"""How long a write waits for a backup to finish before it gives up (503)."""


class BackupRunningError(StoreUnavailableError):
    """A backup held writes longer than ``HOLD_WAIT``."""


def db_path(hass: HomeAssistant, entry_id: str) -> Path:
    """``.storage/m8com.<entry_id>.db``: private, beside HA's own storage."""
    return Path(hass.config.path(".storage", f"{DOMAIN}.{entry_id}.db"))


class CallStore(CachedReads):
    """All calls of one config entry, keyed by M8Com's call id.

    The reads (``get_recordings``, the media browser, …) are ``StoreReads``',
    the sensor's caches ``CachedReads``'; this class adds the writes.
    """

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Bind to the entry's database file; nothing is opened yet."""
        super().__init__(hass, Database(db_path(hass, entry_id)))
        self._entry_id = entry_id
        self._write_lock = asyncio.Lock()
        self._batch: list[tuple[Op, asyncio.Future[Any]]] = []
        self._released = asyncio.Event()
        self._released.set()
        self._checkpoints = Checkpoints(hass, self._db.path)
        self.purge = TextPurge(
            hass, lambda op: self._async_write(op, patient=True), self._async_exact
        )

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
        await self._hass.async_add_executor_job(self._checkpoints.open, self._db.writer)
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
        async with self._write_lock, self._read_lock, self._checkpoints.lock:
            await self._hass.async_add_executor_job(self._checkpoints.close)
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
        async with self._write_lock, self._read_lock, self._checkpoints.lock:
            await self._async_wait_release()
            rows = await to_the_end(
                self._hass.async_add_executor_job(self._erase_now, sorted(call_ids))
            )
            try:
                # The rows are gone (committed); if this fails, the purge of
                # the text index still starts (its last step checkpoints).
                await to_the_end(
                    self._hass.async_add_executor_job(self._db.checkpoint_exact)
                )
            finally:
                if rows and self._db.purge_needed:
                    self.purge.start()
        await self.async_refresh()
        return await self._hass.async_add_executor_job(calls_of, rows)

    def _erase_now(self, call_ids: list[int]) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = transaction(
            self._db, lambda db: erase(db, call_ids)
        )
        return rows

    async def _async_exact(self, op: Op) -> None:
        """Run ``op`` (a checkpoint) with no read or write in the way."""
        async with self._write_lock, self._read_lock, self._checkpoints.lock:
            await to_the_end(self._hass.async_add_executor_job(op, self._db))

    async def async_hold(self) -> None:
        """Before a backup: fold the WAL into the file and hold writes."""
        async with self._write_lock, self._checkpoints.lock:
            self._released.clear()
            await to_the_end(self._hass.async_add_executor_job(self._db.checkpoint))

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

    async def _async_write(self, op: Op, *, patient: bool = False) -> Any:
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

    async def _async_commit(self, op: Op) -> Any:
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
                results, frames = await to_the_end(
                    self._hass.async_add_executor_job(self._commit, ops)
                )
            except BaseException as err:  # every waiting delivery gets its 503
                async_damage_found(self._hass, self._entry_id, err)
                failure = unavailable(err)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(failure)
                if not isinstance(err, Exception):
                    raise
                return
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, Failed):  # this call only: a 503 for it
                    async_damage_found(self._hass, self._entry_id, result.error)
                    future.set_exception(unavailable(result.error))
                else:
                    future.set_result(result)
            self._checkpoints.async_after_commit(frames)

    def _commit(self, ops: list[Op]) -> tuple[list[Any], int]:
        """The batch's transaction, then how many frames the WAL holds now."""
        return transaction_all(self._db, ops), self._checkpoints.frames()

    @property
    def _region(self) -> str:
        return region_of(self._hass.config.country)
