"""The call store's checkpoints: rare, in the background, never under a delivery."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
import sqlite3
import threading
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com import store_checkpoint
from custom_components.m8com.store_checkpoint import Checkpoints

from .conftest import PostFn, stored_calls, wait_for
from .test_store import action, call


async def settle() -> None:
    """Let the tasks run until they wait (yields, no fixed time)."""
    for _ in range(50):
        await asyncio.sleep(0)


def wal_frames(entry: MockConfigEntry) -> int:
    checkpoints: Checkpoints = entry.runtime_data.store._checkpoints
    return checkpoints.frames()


@contextmanager
def held_checkpoint(
    entered: threading.Event, leave: threading.Event, frames: int
) -> Iterator[None]:
    """Checkpoint past ``frames`` WAL frames, held inside until ``leave`` is set."""
    real = Checkpoints._checkpoint

    def held(checkpoints: Checkpoints) -> None:
        entered.set()
        leave.wait()
        real(checkpoints)

    with (
        patch.object(store_checkpoint, "CHECKPOINT_FRAMES", frames),
        patch.object(Checkpoints, "_checkpoint", held),
    ):
        yield


async def test_commits_leave_the_wal_to_the_background_checkpoint(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    """Below the mark no commit checkpoints; past it one runs beside the writer."""
    for n in range(1, 6):
        await post(call(n))
    grown = wal_frames(loaded_entry)
    assert grown > 5 * 10  # every commit's pages are still in the WAL
    entered, leave = threading.Event(), threading.Event()
    with held_checkpoint(entered, leave, grown):
        await post(call(6))
        await wait_for(entered.is_set)
        # A delivery while the checkpoint runs: answered, not held up by it.
        assert (await post(call(7))).status == HTTPStatus.OK
        assert 7 in stored_calls(loaded_entry)
        leave.set()
        await hass.async_block_till_done(wait_background_tasks=True)
        await post(call(8))  # the next write starts the WAL over
    assert wal_frames(loaded_entry) < grown


async def test_an_erasure_waits_for_a_running_checkpoint_then_truncates(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    """Both checkpoint: the erasure's TRUNCATE comes after, never fails busy."""
    for n in range(1, 4):
        await post(call(n))
    entered, leave = threading.Event(), threading.Event()
    with held_checkpoint(entered, leave, 1):
        await post(call(4))
        await wait_for(entered.is_set)
        erasure = hass.async_create_task(
            action(hass, "delete_recordings", call_ids=[1])
        )
        await settle()
        assert not erasure.done()
        leave.set()
        assert await erasure == {"deleted": 1}
    assert set(stored_calls(loaded_entry)) == {2, 3, 4}


async def test_closing_waits_for_a_running_checkpoint(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    entered, leave = threading.Event(), threading.Event()
    with held_checkpoint(entered, leave, 1):
        await post(call(1))
        await wait_for(entered.is_set)
        unload = hass.async_create_task(
            hass.config_entries.async_unload(loaded_entry.entry_id)
        )
        await settle()
        assert not unload.done()
        leave.set()
        assert await unload
    assert await hass.config_entries.async_setup(loaded_entry.entry_id)
    assert set(stored_calls(loaded_entry)) == {1}


async def test_without_a_wal_index_sqlite_keeps_checkpointing(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    """A WAL index that cannot be opened: the writer's own checkpoints stay on."""
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    with patch("custom_components.m8com.store_checkpoint.os.open", side_effect=OSError):
        assert await hass.config_entries.async_setup(loaded_entry.entry_id)
    store = loaded_entry.runtime_data.store
    writer = store._db.writer
    (pages,) = await hass.async_add_executor_job(
        lambda: writer.execute("PRAGMA wal_autocheckpoint").fetchone()
    )
    assert pages == 1000  # SQLite's default
    assert (await post(call(1))).status == HTTPStatus.OK


async def test_a_checkpoint_connection_that_cannot_open_leaves_sqlites_own(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    """The account still sets up (no store left open by a failed set-up)."""
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    with patch.object(
        store_checkpoint,
        "_connect",
        side_effect=sqlite3.OperationalError("unable to open database file"),
    ):
        assert await hass.config_entries.async_setup(loaded_entry.entry_id)
    store = loaded_entry.runtime_data.store
    assert store._checkpoints.frames() == 0  # no WAL index watched
    writer = store._db.writer
    (pages,) = await hass.async_add_executor_job(
        lambda: writer.execute("PRAGMA wal_autocheckpoint").fetchone()
    )
    assert pages == 1000  # SQLite's default
    assert (await post(call(1))).status == HTTPStatus.OK
