"""The call store's schema: numbered steps, applied once each, in order.

``PRAGMA user_version`` holds how many steps a database has had; opening it
applies the rest inside one transaction, so a crash leaves it at a step
boundary. To add a table or an indexed column, append one function to
``MIGRATIONS`` (never change an earlier one). A new ``Call`` field needs no
step: it travels in the ``record`` JSON column (``store_rows``).

Every question the integration asks has an index: the call id (the primary
key: deduplication), the start time (recent calls, hours, retention), the
local day (the media browser, today's count), when HA received it (the silence
watch), the status and transcription (work to resume after a restart), and
each party's normalised number (erasure and search never parse the history).
"""

from __future__ import annotations

from collections.abc import Callable
import sqlite3
from typing import Final


def _calls(db: sqlite3.Connection) -> None:
    _script(
        db,
        """
        CREATE TABLE calls (
            call_id INTEGER PRIMARY KEY,
            started REAL NOT NULL,       -- start time (or receipt), Unix seconds
            received REAL NOT NULL,
            aged REAL NOT NULL,          -- retention's clock: min(started, received)
            day TEXT,                    -- local start day; NULL when filtered
            status TEXT NOT NULL,
            transcription TEXT,
            transcript TEXT,
            words TEXT,                  -- summaries, names, agent, group: searched
            record TEXT NOT NULL         -- every other field, JSON
        );
        -- Newest first is (started, received, call_id) everywhere: in index
        -- order, so "the ten newest" and "a day's calls" are never sorted.
        CREATE INDEX calls_day ON calls (day, started, received, call_id)
            WHERE day IS NOT NULL;
        CREATE INDEX calls_started ON calls (started, received, call_id)
            WHERE day IS NOT NULL;
        CREATE INDEX calls_aged ON calls (aged);
        CREATE INDEX calls_received ON calls (received) WHERE day IS NOT NULL;
        CREATE INDEX calls_status ON calls (status)
            WHERE status IN ('pending', 'failed', 'lost');
        CREATE INDEX calls_transcription ON calls (transcription)
            WHERE transcription IN ('pending', 'failed');
        CREATE TABLE numbers (
            number TEXT NOT NULL,        -- E.164, or the identifier case-folded
            call_id INTEGER NOT NULL REFERENCES calls ON DELETE CASCADE,
            PRIMARY KEY (number, call_id)
        ) WITHOUT ROWID;
        CREATE INDEX numbers_call ON numbers (call_id);
        CREATE TABLE days (
            day TEXT PRIMARY KEY,
            calls INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TRIGGER days_add AFTER INSERT ON calls WHEN new.day IS NOT NULL
        BEGIN
            INSERT INTO days VALUES (new.day, 1)
                ON CONFLICT (day) DO UPDATE SET calls = calls + 1;
        END;
        CREATE TRIGGER days_remove AFTER DELETE ON calls WHEN old.day IS NOT NULL
        BEGIN
            UPDATE days SET calls = calls - 1 WHERE day = old.day;
            DELETE FROM days WHERE day = old.day AND calls <= 0;
        END;
        """,
    )


def _text(db: sqlite3.Connection) -> None:
    """FTS5 over the transcript and the short texts, kept in step by triggers.

    External content (the ``calls`` table): the text is stored once; the
    triggers give FTS5 the exact old values it needs to delete a row.
    Without FTS5 in the SQLite build, searches fall back to ``LIKE``.
    """
    if not fts5_available(db):
        return
    _script(
        db,
        """
        CREATE VIRTUAL TABLE calls_text USING fts5 (
            transcript, words, content='calls', content_rowid='call_id',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER text_add AFTER INSERT ON calls BEGIN
            INSERT INTO calls_text (rowid, transcript, words)
                VALUES (new.call_id, new.transcript, new.words);
        END;
        CREATE TRIGGER text_remove AFTER DELETE ON calls BEGIN
            INSERT INTO calls_text (calls_text, rowid, transcript, words)
                VALUES ('delete', old.call_id, old.transcript, old.words);
        END;
        CREATE TRIGGER text_change AFTER UPDATE OF transcript, words ON calls BEGIN
            INSERT INTO calls_text (calls_text, rowid, transcript, words)
                VALUES ('delete', old.call_id, old.transcript, old.words);
            INSERT INTO calls_text (rowid, transcript, words)
                VALUES (new.call_id, new.transcript, new.words);
        END;
        """,
    )


def _callbacks(db: sqlite3.Connection) -> None:
    """The callback list (``callback_list``): its calls by item, open ones apart.

    The item fields travel in ``record`` like every other; these partial
    indexes on their JSON hold only calls that are on the list, so set-up reads
    the open items (and the last ticked-off ones) without a scan of the history.
    """
    _script(
        db,
        """
        CREATE INDEX calls_callback_item
            ON calls (json_extract(record, '$.callback_item'))
            WHERE json_extract(record, '$.callback_item') IS NOT NULL;
        CREATE INDEX calls_callback_open
            ON calls (json_extract(record, '$.callback'))
            WHERE json_extract(record, '$.callback') = 'open';
        """,
    )


def _callbacks_done(db: sqlite3.Connection) -> None:
    """Ticked-off callback items by when they were ticked off, newest first.

    Set-up shows the last few ticked-off items: with this index that is a walk
    of its first entries, not a scan and sort of every item ever ticked off
    (800 ms at 100 000 of them without it; the cost grew with the history).
    """
    db.execute(
        "CREATE INDEX calls_callback_done "
        "ON calls (json_extract(record, '$.callback_done_at')) "
        "WHERE json_extract(record, '$.callback') = 'done'"
    )


def _chores(db: sqlite3.Connection) -> None:
    """Work the store owes itself, kept across restarts.

    ``purge_text``: an erasure's words are still in the text index's older
    segments (SQLite < 3.42 cannot delete them in place); written in the
    erasure's own transaction, removed when the purge has merged them away,
    so a restart in between purges again (``store_purge``).
    """
    db.execute("CREATE TABLE chores (chore TEXT PRIMARY KEY) WITHOUT ROWID")


def _directions_and_groups(db: sqlite3.Connection) -> None:
    """``get_recordings`` by direction or answer group, newest first, indexed.

    Both live in the ``record`` JSON: checked call by call along the newest
    calls, a direction or group that few (or no) calls have read the whole
    history (11-21 s at a million calls). In each index a value's calls are in
    newest-first order, so "the 50 newest of group X" reads 50 entries.
    """
    for name, field in (
        ("calls_direction", "direction"),
        ("calls_group_id", "answer_group_id"),
        ("calls_group_name", "answer_group_name"),
    ):
        value = f"json_extract(record, '$.{field}')"
        db.execute(
            f"CREATE INDEX {name} ON calls ({value}, started, received, call_id) "
            f"WHERE day IS NOT NULL AND {value} IS NOT NULL"
        )


def _script(db: sqlite3.Connection, script: str) -> None:
    """Run statements one by one (``executescript`` would commit the migration)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""


def fts5_available(db: sqlite3.Connection) -> bool:
    """Whether this SQLite build has FTS5 (Python's usually does)."""
    cursor = db.cursor()
    try:
        cursor.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5 (x)")
    except sqlite3.OperationalError:
        return False
    finally:
        cursor.close()  # a failed statement held open would lock checkpoints
    db.execute("DROP TABLE temp.fts5_probe")
    return True


def has_text_index(db: sqlite3.Connection) -> bool:
    """Whether the database was made with its FTS5 table."""
    row = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'calls_text'").fetchone()
    return row is not None


MIGRATIONS: Final[list[Callable[[sqlite3.Connection], None]]] = [
    _calls,
    _text,
    _callbacks,
    _callbacks_done,
    _chores,
    _directions_and_groups,
]
"""Schema steps; ``PRAGMA user_version`` says how many a database has had."""


class SchemaTooNewError(Exception):
    """The file is from a newer version of the integration (a downgrade).

    Not a ``sqlite3.DatabaseError``: the file is sound and must not be set
    aside as damaged; set-up fails and says why until the upgrade is back.
    """


def migrate(db: sqlite3.Connection) -> None:
    """Apply the steps this database has not had yet, in one transaction."""
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version > len(MIGRATIONS):
        msg = f"the call store is from a newer version (schema {version})"
        raise SchemaTooNewError(msg)
    if version == len(MIGRATIONS):
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        for step in MIGRATIONS[version:]:
            step(db)
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
