"""Exact erasure on SQLite < 3.42: a fast answer, the words purged right after.

Every test here runs the store as on SQLite 3.40 (FTS5 without in-place
delete), on whichever SQLite the venv has: the purge path is the same.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
import sqlite3
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com import store_purge
from custom_components.m8com.store import CallStore
from custom_components.m8com.store_purge import CHORE

from .conftest import PostFn, stored_calls, wait_for
from .test_store import action, call, files_of

WORDS = ("quixoticwidget", "zanzibarfrukt", "vermillionkey")


@pytest.fixture(autouse=True)
def fts5_without_in_place_delete() -> Iterator[None]:
    """As on SQLite 3.40.1: FTS5 leaves delete markers, words stay in segments."""
    with patch("custom_components.m8com.store_db._FTS5_SECURE_DELETE", (99, 0, 0)):
        yield


async def calls_with_words(store: CallStore, post: PostFn, entry: Any) -> None:
    """Call n says WORDS[n - 1] in its transcript; calls 4..40 fill the index."""
    for n in range(1, 41):
        number = f"+467099988{n:02d}"
        await post(call(n, callerNumber=number, summary=f"Topic {n}"))
    for n in range(1, 41):
        record = stored_calls(entry)[n]
        word = WORDS[n - 1] if n <= len(WORDS) else f"ordinary{n}"
        record.transcript = f"We spoke about the {word} order " * 20
        assert await store.async_update(record, ["transcript"])


def chores(store: CallStore) -> list[str]:
    with sqlite3.connect(f"file:{store.path}?mode=ro", uri=True) as db:
        return [chore for (chore,) in db.execute("SELECT chore FROM chores")]


def gate(store: CallStore, *, before: bool = False) -> tuple[asyncio.Event, list[int]]:
    """Hold the purge after (or ``before``) its first slice until the event is set."""
    go, slices = asyncio.Event(), []
    write = store.purge._write

    async def held(op: Any) -> Any:
        slices.append(1)
        if before:
            await go.wait()
        result = await write(op)
        await go.wait()
        return result

    store.purge._write = held
    return go, slices


async def test_erasure_answers_then_purges_every_word(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    store = loaded_entry.runtime_data.store
    await calls_with_words(store, post, loaded_entry)
    assert b"quixoticwidget" in files_of(store)
    assert await action(hass, "delete_recordings", number="0709998801") == {
        "deleted": 1
    }
    assert b"+46709998801" not in files_of(store)  # the number: at once
    await hass.async_block_till_done(wait_background_tasks=True)
    content = files_of(store)
    assert b"quixoticwidget" not in content
    assert b"zanzibarfrukt" in content  # the other calls' words stay
    assert chores(store) == []


async def test_deliveries_go_on_during_a_purge_and_later_erasures_join_it(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    """Slices are short writes of their own; an erasure meanwhile gets a pass."""
    store = loaded_entry.runtime_data.store
    await calls_with_words(store, post, loaded_entry)
    go, slices = gate(store)
    with patch.object(store_purge, "PURGE_PAGES", 1):
        await action(hass, "delete_recordings", call_ids=[1])
        await wait_for(lambda: slices)
        assert store.purge.running
        assert (await post(call(100))).status == 200  # between two slices
        assert 100 in stored_calls(loaded_entry)
        await action(hass, "delete_recordings", call_ids=[2])
        assert chores(store) == [CHORE]
        go.set()
        await hass.async_block_till_done(wait_background_tasks=True)
    content = files_of(store)
    assert b"quixoticwidget" not in content
    assert b"zanzibarfrukt" not in content
    assert b"vermillionkey" in content
    assert chores(store) == []
    assert len(slices) > 2  # a slice of one page at a time, not one optimize


async def test_a_purge_cut_short_by_a_restart_runs_again(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    store = loaded_entry.runtime_data.store
    await calls_with_words(store, post, loaded_entry)
    _, slices = gate(store, before=True)
    await action(hass, "delete_recordings", call_ids=[3])
    await wait_for(lambda: slices)
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert chores(store) == [CHORE]
    assert b"vermillionkey" in files_of(store)
    assert await hass.config_entries.async_setup(loaded_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    store = loaded_entry.runtime_data.store
    assert b"vermillionkey" not in files_of(store)
    assert chores(store) == []


async def test_a_failing_purge_keeps_its_chore_for_the_next_start(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = loaded_entry.runtime_data.store
    await calls_with_words(store, post, loaded_entry)
    with patch.object(
        store_purge, "merge_slice", side_effect=sqlite3.OperationalError("disk I/O")
    ):
        await action(hass, "delete_recordings", call_ids=[1])
        await hass.async_block_till_done(wait_background_tasks=True)
    assert "Purging erased calls' words from the text index failed" in caplog.text
    assert chores(store) == [CHORE]
    assert (await post(call(200))).status == 200  # the store goes on
