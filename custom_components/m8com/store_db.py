"""The call store's SQLite file: opened, written and read off the event loop.

Every method here blocks and runs in HA's executor, never in the event loop;
``store.py`` makes sure one write runs at a time (one writer connection) and
one read at a time (one reader connection, which WAL lets run beside a write).

Durability: WAL with ``synchronous=FULL``, so a committed transaction is on
the disk itself (one fsync of the WAL per transaction), and the writes of a
burst share one transaction. Exactness: ``secure_delete`` zeroes what a delete
frees, FTS5 removes an erased call's words (its ``secure-delete`` option where
the SQLite build has it, else a background merge: ``store_purge``), and the
WAL is checkpointed and truncated after every erasure.
"""

from __future__ import annotations

from collections.abc import Iterable
import contextlib
import os
from pathlib import Path
import sqlite3
from typing import Any, Final

from .store_rows import COLUMNS, SELECT, Row
from .store_schema import has_text_index, migrate

_MODE: Final = 0o600
_FILES: Final = ("", "-wal", "-shm", "-journal")


class Database:
    """One account's ``.storage/m8com.<entry_id>.db``."""

    def __init__(self, path: Path) -> None:
        """Bind to the file; nothing is opened yet."""
        self.path = path
        self.text_index = False
        """FTS5 is there (else searches use ``LIKE``)."""
        self.exact_text_delete = False
        """FTS5 deletes words in place (SQLite 3.42+); else ``store_purge`` does."""
        self._write: sqlite3.Connection | None = None
        self._read: sqlite3.Connection | None = None

    def open(self) -> None:
        """Open (creating if need be), bring the schema up to date, check it.

        Raises ``sqlite3.DatabaseError`` for a damaged or foreign file.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, _MODE))
        try:
            self._write = _connect(self.path)
            self._write.execute("PRAGMA journal_mode = WAL").fetchone()
            migrate(self._write)
            self._write.execute("SELECT count(*) FROM days").fetchone()
            self.text_index = has_text_index(self._write)
            if self.text_index:
                self.exact_text_delete = _secure_text_delete(self._write)
            self._read = _connect(self.path)
            self._read.execute("PRAGMA query_only = ON")
        except BaseException:
            self.close()
            raise
        for suffix in _FILES[1:3]:
            with contextlib.suppress(FileNotFoundError):
                Path(f"{self.path}{suffix}").chmod(_MODE)

    def close(self) -> None:
        """Close both connections (a clean close folds and removes the WAL)."""
        for db in (self._read, self._write):
            if db is not None:
                with contextlib.suppress(sqlite3.Error):
                    db.close()
        self._read = self._write = None

    @property
    def writer(self) -> sqlite3.Connection:
        """The one connection that writes (used by one job at a time)."""
        if self._write is None:
            msg = "the call store is closed"
            raise sqlite3.ProgrammingError(msg)
        return self._write

    def read(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of a query on the reader connection."""
        if self._read is None:
            msg = "the call store is closed"
            raise sqlite3.ProgrammingError(msg)
        return self._read.execute(sql, tuple(params)).fetchall()

    def insert(self, row: Row, numbers: Iterable[str]) -> bool:
        """Add a call; False if its id is already stored (inside a transaction)."""
        db = self.writer
        cursor = db.execute(
            f"INSERT OR IGNORE INTO calls ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",  # noqa: S608
            row,
        )
        if cursor.rowcount == 0:
            return False
        db.executemany(
            "INSERT OR IGNORE INTO numbers VALUES (?, ?)",
            [(number, row[0]) for number in numbers],
        )
        return True

    def current(self, call_id: int) -> tuple[Any, ...] | None:
        """A call's row as the writer sees it (inside a write's transaction)."""
        row: tuple[Any, ...] | None = self.writer.execute(
            f"{SELECT} WHERE call_id = ?", (call_id,)
        ).fetchone()
        return row

    def update(self, row: Row, numbers: Iterable[str]) -> bool:
        """Rewrite a stored call; False if it is gone (erased meanwhile)."""
        db = self.writer
        call_id = row[0]
        cursor = db.execute(
            "UPDATE calls SET status = ?, transcription = ?, record = ? "
            "WHERE call_id = ?",
            (row[5], row[6], row[9], call_id),
        )
        if cursor.rowcount == 0:
            return False
        # Only when they changed: each FTS5 rewrite costs pages and fsync bytes.
        db.execute(
            "UPDATE calls SET transcript = ?, words = ? WHERE call_id = ? "
            "AND (transcript IS NOT ? OR words IS NOT ?)",
            (row[7], row[8], call_id, row[7], row[8]),
        )
        wanted = set(numbers)
        stored = {n for (n,) in db.execute(_NUMBERS_OF, (call_id,))}
        if wanted != stored:
            db.execute("DELETE FROM numbers WHERE call_id = ?", (call_id,))
            db.executemany(
                "INSERT INTO numbers VALUES (?, ?)", [(n, call_id) for n in wanted]
            )
        return True

    def delete(self, call_ids: Iterable[int]) -> list[tuple[Any, ...]]:
        """Delete calls (numbers and text go with them); their rows as deleted."""
        db = self.writer
        deleted: list[tuple[Any, ...]] = []
        for call_id in call_ids:
            deleted += db.execute(
                f"DELETE FROM calls WHERE call_id = ? RETURNING {COLUMNS}",  # noqa: S608
                (call_id,),
            ).fetchall()
        return deleted

    @property
    def purge_needed(self) -> bool:
        """An erased call's words stay in the text index until ``store_purge``."""
        return self.text_index and not self.exact_text_delete

    def checkpoint_exact(self) -> None:
        """After an erasure is committed: no page of it left in the WAL."""
        (busy, _, _) = self.writer.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            msg = "the call store could not be checkpointed after an erasure"
            raise sqlite3.OperationalError(msg)

    def checkpoint(self) -> None:
        """Fold the WAL into the database file (before a backup copies it)."""
        self.writer.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()


PAGE_SIZE: Final = 1024
_FTS5_SECURE_DELETE: Final = (3, 42, 0)
_NUMBERS_OF: Final = "SELECT number FROM numbers WHERE call_id = ?"


def _connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit)."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    # A call's commit touches ~20 pages (its row, five indexes, its numbers,
    # the day count, the text index): with 1 KiB pages that is ~21 KB to the
    # WAL per lone call instead of ~70 KB with SQLite's 4 KiB default (flash
    # wear on an SD card). Takes effect when the file is created.
    db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    db.execute("PRAGMA busy_timeout = 10000")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA secure_delete = ON")
    db.execute("PRAGMA foreign_keys = ON")
    return db


def _secure_text_delete(db: sqlite3.Connection) -> bool:
    """Turn on FTS5's in-place delete if this SQLite has it (3.42+)."""
    # Decided by version, not by trying: a refused FTS5 command leaves the
    # table locked against checkpoints for the connection's lifetime.
    if sqlite3.sqlite_version_info < _FTS5_SECURE_DELETE:
        return False
    db.execute("INSERT INTO calls_text (calls_text, rank) VALUES ('secure-delete', 1)")
    return True


def set_aside(path: Path, suffix: str) -> Path:
    """Move a damaged database (and its WAL) aside; return where it went."""
    target = path.with_name(f"{path.name}.{suffix}")
    for extra in _FILES:
        source = Path(f"{path}{extra}")
        if source.exists():
            source.replace(f"{target}{extra}")
    return target


def remove_files(path: Path) -> None:
    """Delete the database and its WAL files (the account was removed)."""
    for extra in _FILES:
        Path(f"{path}{extra}").unlink(missing_ok=True)
