"""Exact erasure where SQLite cannot delete FTS5 words in place (< 3.42).

FTS5 before SQLite 3.42 (Debian bookworm's 3.40, so HA Core installs there)
deletes a row from its text index by adding a "delete" marker: the erased
call's words stay in the older index segments until a merge that includes
every segment rewrites them away. ``optimize`` does that in one go, but at a
million calls that is a 113 MB index rewritten in ~14 s with the write lock
held, so every delivery meanwhile waits (issue 23).

So the erasure itself only deletes the rows (the number and the row are gone
from every file when it returns) and notes a ``purge_text`` chore in its own
transaction; this purge then merges the whole index in slices of
``PURGE_PAGES`` pages, each slice its own short write in the group commit, so
deliveries go on between them. The first slice is a ``merge`` with a negative
count (every segment, the erased call's included, is put into one merge); the
following ones continue that merge until FTS5 has nothing left to do; then the
WAL is checkpointed and truncated and the chore removed. A restart in between
finds the chore and purges again. Erasures during a purge are folded into one
more pass.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, Final

from homeassistant.core import HomeAssistant

from .const import DOMAIN, LOGGER
from .store_db import Database

PURGE_PAGES: Final = 32
"""FTS5 pages (~4 KB each) one slice merges: ~20-40 ms a slice on a loaded Pi-class
machine, so a delivery waits at most that long behind the purge."""
CHORE: Final = "purge_text"

type Write = Callable[[Callable[[Database], Any]], Awaitable[Any]]


def erase(db: Database, call_ids: list[int]) -> list[tuple[Any, ...]]:
    """Delete calls (inside a transaction); note the purge their words need."""
    rows = db.delete(call_ids)
    if rows and db.purge_needed:
        db.writer.execute("INSERT OR IGNORE INTO chores VALUES (?)", (CHORE,))
    return rows


def purge_pending(db: Database) -> bool:
    """Whether an erasure's words may still be in the text index."""
    row = db.writer.execute("SELECT 1 FROM chores WHERE chore = ?", (CHORE,))
    return row.fetchone() is not None


def merge_slice(db: Database, *, first: bool) -> bool:
    """Merge up to ``PURGE_PAGES`` pages of the text index; True when done.

    FTS5 says a ``merge`` that changed fewer than two rows did nothing.
    """
    writer = db.writer
    before = writer.total_changes
    pages = -PURGE_PAGES if first else PURGE_PAGES
    writer.execute(
        "INSERT INTO calls_text (calls_text, rank) VALUES ('merge', ?)", (pages,)
    )
    return writer.total_changes - before < 2  # noqa: PLR2004 - FTS5's own rule


class TextPurge:
    """Runs the purge in the background, one pass for any number of erasures."""

    def __init__(self, hass: HomeAssistant, write: Write, scrub: Write) -> None:
        """``write`` runs an op in the group commit; ``scrub`` truncates the WAL."""
        self._hass = hass
        self._write = write
        self._scrub = scrub
        self._erasures = 0
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """Whether a purge is under way (tests and diagnostics)."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """An erasure was committed (or a restart found one): purge its words.

        Called while the erasure still holds the write lock, so every slice
        that runs after it sees the new count.
        """
        self._erasures += 1
        if not self.running:
            self._task = self._hass.async_create_background_task(
                self._async_run(), f"{DOMAIN} text purge", eager_start=False
            )

    async def async_stop(self) -> None:
        """Stop between slices (closing); the chore stays for the next start."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _async_run(self) -> None:
        try:
            while True:
                seen = self._erasures
                first = True
                while not await self._write(partial(merge_slice, first=first)):
                    first = False
                if seen != self._erasures:
                    continue  # its delete markers came after the merge began
                await self._scrub(Database.checkpoint_exact)
                if await self._write(partial(self._done, seen=seen)):
                    return
        except Exception:  # noqa: BLE001 - background: the chore stays for a restart
            LOGGER.exception("Purging erased calls' words from the text index failed")

    def _done(self, db: Database, seen: int) -> bool:
        """Remove the chore, unless another erasure came after the pass began."""
        if seen != self._erasures:
            return False
        db.writer.execute("DELETE FROM chores WHERE chore = ?", (CHORE,))
        return True
