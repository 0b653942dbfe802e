"""Benchmark diagnosis only: the call store's commits without their ``fsync``.

Put on the HA process's PYTHONPATH by ``benchmarks.webhook --store-unsynced``:
the store's ``PRAGMA synchronous = FULL`` becomes ``NORMAL`` (in WAL mode a
commit is then not flushed to the disk before the 200), so a run shows what
the durable ack costs in throughput. Never used by tests or the integration;
HA's recorder, which asks for ``NORMAL`` itself, is unchanged.
"""

import sqlite3
from typing import Any

_connect = sqlite3.connect
_FULL = "PRAGMA synchronous = FULL"


class _Unsynced(sqlite3.Connection):
    """A connection that turns the store's FULL into NORMAL."""

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        """Run ``sql``, with ``synchronous = FULL`` made ``NORMAL``."""
        if sql.strip() == _FULL:
            sql = "PRAGMA synchronous = NORMAL"
        return super().execute(sql, *args)


def _connect_unsynced(*args: Any, **kwargs: Any) -> sqlite3.Connection:
    kwargs.setdefault("factory", _Unsynced)
    connection: sqlite3.Connection = _connect(*args, **kwargs)
    return connection


sqlite3.connect = _connect_unsynced  # type: ignore[assignment]  # a diagnosis
