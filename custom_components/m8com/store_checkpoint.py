"""Folding the call store's WAL into its file: rarely, and off the ack's path.

SQLite's default checkpoints every 1 000 WAL frames, inside the commit that
crosses the mark, so one delivery in ~100 waits while ~1 MB of pages is
copied. Each checkpoint writes every page changed since the last one once
more, now into the database file; the larger the file, the more of those
pages are scattered (one 4 KiB disk block each): at a million calls that made
a call in a burst cost 20 KiB of disk writes instead of 12 KiB at a thousand
(``benchmarks.store_writes``). Pages changed again before the next
checkpoint are written once, so checkpointing every ``CHECKPOINT_FRAMES``
instead writes less (13 KiB a call at a million, 9.5 at a thousand).

The writer's automatic checkpoint is off (``store_db``); after a commit that
leaves at least ``CHECKPOINT_FRAMES`` in the WAL, a ``PASSIVE`` checkpoint
runs on a connection of its own, beside the writer (WAL lets both run at
once): no delivery waits for it. The WAL stays under ~11 MB. An erasure and
a backup still checkpoint (and truncate) at once; they take ``lock`` first.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
import sqlite3
import struct
from typing import Final

from homeassistant.core import HomeAssistant, callback

from .const import DOMAIN, LOGGER
from .store_commit import to_the_end

CHECKPOINT_FRAMES: Final = 10_000
"""WAL frames (1 KiB pages) between checkpoints: ~11 MB of WAL at most."""
_MAX_FRAME: Final = struct.Struct("=I")
_MAX_FRAME_AT: Final = 16
"""``mxFrame`` in the wal-index header at the start of the ``-shm`` file
(https://www.sqlite.org/walformat.html): the frames in the WAL now."""


class Checkpoints:
    """One store's background checkpoints."""

    def __init__(self, hass: HomeAssistant, path: Path) -> None:
        """Bind to the database file; ``open`` after the writer opened it."""
        self._hass = hass
        self._path = path
        self.lock = asyncio.Lock()
        """Held while a checkpoint runs; erasure, backup and close take it."""
        self._db: sqlite3.Connection | None = None
        self._shm: int | None = None
        self._task: asyncio.Task[None] | None = None

    def open(self, writer: sqlite3.Connection) -> None:
        """Take checkpoints over from ``writer``; open a connection for them.

        In the executor, before any write (nothing else uses ``writer`` yet).
        Without a readable WAL index, or a connection of their own, the writer
        keeps SQLite's own checkpoints (the account still sets up).
        """
        try:
            self._shm = os.open(f"{self._path}-shm", os.O_RDONLY)
            self._db = _connect(self._path)
        except (OSError, sqlite3.Error) as err:
            LOGGER.debug("No background checkpoints (%s): SQLite checkpoints", err)
            self.close()
            return
        writer.execute("PRAGMA wal_autocheckpoint = 0")

    def close(self) -> None:
        """Close both (executor); a running checkpoint has ended (``lock``)."""
        if self._shm is not None:
            os.close(self._shm)
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = self._shm = None

    def frames(self) -> int:
        """Frames in the WAL now (executor; 0 if it cannot tell)."""
        if self._shm is None:
            return 0
        try:
            header = os.pread(self._shm, _MAX_FRAME.size, _MAX_FRAME_AT)
        except OSError:
            return 0
        return _MAX_FRAME.unpack(header)[0] if len(header) == _MAX_FRAME.size else 0

    @callback
    def async_after_commit(self, frames: int) -> None:
        """A commit left ``frames`` in the WAL: start a checkpoint if that is enough."""
        if frames < CHECKPOINT_FRAMES or self._db is None:
            return
        if self._task is None or self._task.done():
            self._task = self._hass.async_create_background_task(
                self._async_run(), f"{DOMAIN} store checkpoint", eager_start=False
            )

    async def _async_run(self) -> None:
        async with self.lock:
            try:
                await to_the_end(self._hass.async_add_executor_job(self._checkpoint))
            except sqlite3.Error as err:  # the next commit tries again
                LOGGER.warning("The call store's WAL could not be folded in: %s", err)

    def _checkpoint(self) -> None:
        if self._db is not None:
            self._db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()


def _connect(path: Path) -> sqlite3.Connection:
    """The checkpoints' own connection (autocommit, durable)."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA synchronous = FULL")
    return db
