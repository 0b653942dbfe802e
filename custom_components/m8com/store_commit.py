"""The call store's group commit: many writes, one transaction, one fsync.

Kept apart from ``store.py`` (which decides *when* a batch commits: backups,
locks, futures) because this is *how* it commits, in the executor: savepoints
so one bad call fails alone, and what a waiting delivery is told when the
commit fails (a 503 with ``Retry-After``, never a traceback for a stop).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import sqlite3
from typing import Any, Final, NamedTuple

from .const import LOGGER
from .store_db import Database

RETRY_AFTER: Final = 30


class StoreUnavailableError(Exception):
    """The store cannot take a write now (backup running, disk full, damage).

    The delivery is answered 503 with ``Retry-After``: M8Com tries again.
    """

    retry_after = RETRY_AFTER


type Op = Callable[[Database], Any]
"""One write, run in the executor inside the batch's transaction."""


class Failed(NamedTuple):
    """One write of a batch failed (and was undone); the others go on."""

    error: Exception


async def to_the_end[T](job: asyncio.Future[T]) -> T:
    """Await a database job in the executor; if cancelled, let it end first.

    A cancelled ``await`` would release the store's lock while the thread
    still uses the connection, and closing it then (HA stopping, a reload)
    crashes the process inside SQLite. So a cancellation waits for the
    thread, then goes on.
    """
    try:
        return await asyncio.shield(job)
    except asyncio.CancelledError:
        while not job.done():
            try:
                await asyncio.wait([job])
            except asyncio.CancelledError:
                continue
        raise


def transaction(db: Database, op: Op) -> Any:
    """Run one op in its own transaction; its error is raised."""
    result = transaction_all(db, [op])[0]
    if isinstance(result, Failed):
        raise result.error
    return result


def transaction_all(db: Database, ops: list[Op]) -> list[Any]:
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
                results.append(Failed(err))
            writer.execute("RELEASE op")
        writer.execute("COMMIT")
    except BaseException:
        if writer.in_transaction:
            writer.execute("ROLLBACK")
        raise
    return results


def unavailable(err: BaseException) -> Exception:
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
