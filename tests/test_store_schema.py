"""The call store's schema: steps applied once, in order; queries use indexes."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
import sqlite3
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant

from custom_components.m8com import store_schema
from custom_components.m8com.store import CallStore
from custom_components.m8com.store_db import Database


def indexes(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        return {name for (name,) in rows}


def test_an_older_store_gets_the_later_steps_and_keeps_its_calls(
    tmp_path: Path,
) -> None:
    """A file made by the first three steps is brought up to date at open."""
    path = tmp_path / "calls.db"
    with (
        patch.object(store_schema, "MIGRATIONS", store_schema.MIGRATIONS[:3]),
        sqlite3.connect(path, isolation_level=None) as db,
    ):
        store_schema.migrate(db)
        db.execute(
            "INSERT INTO calls (call_id, started, received, aged, status, record) "
            "VALUES (1, 0, 0, 0, 'saved', '{\"callback\": \"done\"}')"
        )
    assert "calls_callback_done" not in indexes(path)
    database = Database(path)
    database.open()
    database.close()
    assert "calls_callback_done" in indexes(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (
            len(store_schema.MIGRATIONS),
        )
        assert db.execute("SELECT call_id FROM calls").fetchall() == [(1,)]


async def test_the_last_ticked_off_items_walk_an_index_not_the_history(
    hass: HomeAssistant,
) -> None:
    """Set-up's "last 50 ticked off" reads the index in order: no scan, no sort."""
    store = CallStore(hass, "schema")
    await store.async_open()
    asked: list[str] = []
    real = Database.read

    def read(db: Database, sql: str, params: Iterable[Any] = ()) -> Any:
        asked.append(sql)
        return real(db, sql, params)

    with patch.object(Database, "read", read):
        await store.async_on_callback_list(50)
    (sql,) = [s for s in asked if "callback_done_at" in s]
    with sqlite3.connect(store.path) as db:
        plan = " ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", [50]))
    await store.async_close()
    assert "USING INDEX calls_callback_done" in plan
    assert "TEMP B-TREE" not in plan
