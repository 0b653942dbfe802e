"""The call store: durable, exact erasure, text search, backups, damage, last call."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from http import HTTPStatus
import sqlite3
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com import backup, store_commit
from custom_components.m8com.const import DOMAIN
from custom_components.m8com.store import CallStore
from custom_components.m8com.store_db import Database
from custom_components.m8com.store_schema import MIGRATIONS

from .conftest import PostFn, load_payload, state_of, stored_calls

SENSOR = "sensor.m8com_calls_today"
DAY_MS = 86_400_000


def call(call_id: int, age_days: float = 0, **changes: Any) -> dict[str, Any]:
    """A call without audio that started ``age_days`` ago."""
    start = int(dt_util.utcnow().timestamp() * 1000 - age_days * DAY_MS)
    return {
        **load_payload("v2"),
        "id": call_id,
        "fileUrls": [],
        "startTime": start,
        **changes,
    }


async def action(hass: HomeAssistant, name: str, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN, name, data, blocking=True, return_response=True
    )


async def ids(hass: HomeAssistant, **data: Any) -> list[int]:
    found = await action(hass, "get_recordings", **data)
    return [r["call_id"] for r in found["recordings"]]


def files_of(store: CallStore) -> bytes:
    """Everything the store has on disk: database, WAL and shared memory."""
    path = store.path
    return b"".join(
        candidate.read_bytes()
        for candidate in (path, path.with_name(f"{path.name}-wal"),
                          path.with_name(f"{path.name}-shm"))
        if candidate.exists()
    )  # fmt: skip


async def test_erasure_leaves_no_trace_in_any_file(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    """The number and a transcript word of an erased call are in no store file."""
    store = loaded_entry.runtime_data.store
    await post(call(1, callerNumber="+46709998877", summary="Kvittot zanzibarfrukt"))
    await post(call(2, callerNumber="+46701112233", summary="Another call"))
    record = stored_calls(loaded_entry)[1]
    record.transcript = "We spoke about the quixoticwidget order"
    assert await store.async_update(record, ["transcript"])
    assert b"quixoticwidget" in files_of(store)
    assert b"+46709998877" in files_of(store)
    assert await action(hass, "delete_recordings", number="0709998877") == {
        "deleted": 1
    }
    assert b"+46709998877" not in files_of(store)  # at once
    # SQLite < 3.42: the words go with a background purge (test_store_purge.py)
    await hass.async_block_till_done(wait_background_tasks=True)
    content = files_of(store)
    for trace in (b"+46709998877", b"quixoticwidget", b"zanzibarfrukt"):
        assert trace not in content
    assert b"+46701112233" in content  # the other call stays
    assert await ids(hass) == [2]


async def test_a_failed_erasure_fails_the_action_and_keeps_the_call(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    await post(call(1))
    with (
        patch(
            "custom_components.m8com.store_db.Database.delete",
            side_effect=sqlite3.OperationalError("database or disk is full"),
        ),
        pytest.raises(HomeAssistantError, match="could not be erased"),
    ):
        await action(hass, "delete_recordings", call_ids=[1])
    assert list(stored_calls(loaded_entry)) == [1]
    assert await ids(hass) == [1]


async def test_an_erasure_survives_a_restart(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    await post(call(1))
    await post(call(2))
    assert await action(hass, "delete_recordings", call_ids=[1]) == {"deleted": 1}
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    assert list(stored_calls(loaded_entry)) == [2]
    assert await ids(hass) == [2]


@pytest.mark.parametrize(
    ("number", "matches"),
    [
        ("+46701234567", {1, 2, 3, 4}),
        ("0701234567", {1, 2, 3, 4}),
        ("+46701234567#99", {5}),
        ("+46701234567,,123", set()),
    ],
)
async def test_erasure_matches_the_same_subscriber_exactly(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    number: str,
    matches: set[int],
) -> None:
    """tel:/sip: forms and recorderId match; extensions are other parties."""
    await post(call(1, callerNumber="+46 70-123 45 67"))
    await post(call(2, callerNumber="tel:+46701234567", calleeNumber="+4681"))
    await post(call(3, callerNumber="x", referredTo="sip:+46701234567@pbx.example"))
    await post(call(4, callerNumber="y", recorderId="+46701234567"))
    await post(call(5, callerNumber="+46701234567#99", recorderId="agent@x"))
    await post(call(6, callerNumber="+46701234567,,1234", recorderId="agent@x"))
    deleted = await action(hass, "delete_recordings", number=number)
    assert deleted == {"deleted": len(matches)}
    assert set(stored_calls(loaded_entry)) == {1, 2, 3, 4, 5, 6} - matches


async def test_text_search_ranked_and_combined(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    await post(call(1, summary="Invoice 4711 is wrong", callerNumber="+46701111111"))
    await post(call(2, summary="Question about invoice", callerNumber="+46702222222"))
    await post(call(3, summary="Invoice 4711, invoice 4711 again, 4711",
                    callerNumber="+46702222222"))  # fmt: skip
    await post(call(4, agentName="Åsa Öberg", summary="Nothing"))
    assert await ids(hass, text="invoice 4711") == [3, 1]
    assert await ids(hass, text="INVOICE") == [3, 2, 1] or set(
        await ids(hass, text="INVOICE")
    ) == {1, 2, 3}
    assert await ids(hass, text="invoice 4711", number="0702222222") == [3]
    assert await ids(hass, text="asa") == [4]  # names, diacritics folded
    assert await ids(hass, text='4711" OR "x') == []  # never FTS5 syntax
    assert await ids(hass, text="...") == []


async def test_text_search_without_fts5_uses_like(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = loaded_entry.runtime_data.store.path
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    path.unlink()
    with patch(
        "custom_components.m8com.store_schema.fts5_available", return_value=False
    ):
        assert await hass.config_entries.async_setup(loaded_entry.entry_id)
        await hass.async_block_till_done()
    assert caplog.text.count("no FTS5") == 1
    await post(call(1, summary="Invoice 4711 is wrong"))
    await post(call(2, summary="Question about invoice"))
    assert sorted(await ids(hass, text="invoice 4711")) == [1]
    assert sorted(await ids(hass, text="invoice")) == [1, 2]
    assert await ids(hass, text="...") == []  # no word: nothing, as with FTS5
    assert await ids(hass, text="_ 4711") == [1]  # ``_`` is no LIKE wildcard
    assert await action(hass, "delete_recordings", call_ids=[1]) == {"deleted": 1}
    assert await ids(hass, text="invoice") == [2]


async def test_last_call_is_the_last_started_everywhere(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    """A late delivery of an earlier call does not become "the last call"."""
    await post(call(2, age_days=0.01))
    await post(call(1, age_days=0.02))  # arrives last, started first
    state = state_of(hass, SENSOR)
    assert state.attributes["call_id"] == 2
    assert [c["call_id"] for c in state.attributes["recent_calls"]] == [2, 1]
    assert state.state == "2"
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    state = state_of(hass, SENSOR)
    assert state.attributes["call_id"] == 2
    assert [c["call_id"] for c in state.attributes["recent_calls"]] == [2, 1]
    await action(hass, "delete_recordings", call_ids=[2])
    state = state_of(hass, SENSOR)
    assert state.attributes["call_id"] == 1
    assert [c["call_id"] for c in state.attributes["recent_calls"]] == [1]
    assert state.state == "1"


async def test_retention_ages_a_future_start_from_its_receipt(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    await post(call(1, age_days=-400))  # M8Com's clock says next year
    await post(call(2))
    future = dt_util.utcnow() + timedelta(days=40)
    with patch("homeassistant.util.dt.utcnow", return_value=future):
        assert await action(hass, "purge_recordings", older_than_days=30) == {
            "deleted": 2
        }
    assert stored_calls(loaded_entry) == {}


async def test_backup_checkpoints_and_holds_writes(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    """During a backup a delivery waits; released, it is answered 200."""
    store = loaded_entry.runtime_data.store
    await post(call(1))
    await backup.async_pre_backup(hass)
    wal = store.path.with_name(f"{store.path.name}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    waiting = hass.async_create_task(post(call(2)))
    await asyncio.sleep(0)
    assert not waiting.done()
    await backup.async_post_backup(hass)
    assert (await waiting).status == HTTPStatus.OK
    assert set(stored_calls(loaded_entry)) == {1, 2}


async def test_a_long_backup_answers_503_with_retry_after(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    await backup.async_pre_backup(hass)
    with patch("custom_components.m8com.store.HOLD_WAIT", 0):
        answer = await post(call(1))
    assert answer.status == HTTPStatus.SERVICE_UNAVAILABLE
    assert answer.headers["Retry-After"] == "30"
    await backup.async_post_backup(hass)
    assert (await post(call(1))).status == HTTPStatus.OK
    assert set(stored_calls(loaded_entry)) == {1}


async def test_a_damaged_store_is_set_aside_with_a_repair(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    config_entry = loaded_entry
    path = config_entry.runtime_data.store.path
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    for extra in ("-wal", "-shm"):
        path.with_name(f"{path.name}{extra}").unlink(missing_ok=True)
    path.write_bytes(b"this is not a database" * 500)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    aside = [p.name for p in path.parent.iterdir() if ".damaged-" in p.name]
    assert len(aside) == 1
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"store_damaged_{config_entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders == {"name": "M8Com", "file": aside[0]}
    assert (await post(call(1))).status == HTTPStatus.OK
    assert set(stored_calls(config_entry)) == {1}
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    assert set(stored_calls(config_entry)) == {1}  # no loop: the new file holds


async def test_a_newer_schema_is_refused_not_set_aside(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    path = CallStore(hass, config_entry.entry_id).path
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    assert not await hass.config_entries.async_setup(config_entry.entry_id)
    assert [p.name for p in path.parent.iterdir() if "damaged" in p.name] == []


async def test_files_are_private_and_removed_with_the_entry(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    path = loaded_entry.runtime_data.store.path
    await post(call(1))
    assert path.stat().st_mode & 0o777 == 0o600
    assert await hass.config_entries.async_remove(loaded_entry.entry_id)
    assert not path.exists()


async def test_one_bad_call_in_a_burst_fails_alone(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    """Calls that share a commit: the one that cannot be written gets its 503."""
    real = Database.insert

    def insert(db: Database, row: Any, numbers: Any) -> bool:
        if row[0] == 2:
            raise ValueError("a value SQLite refuses")
        return real(db, row, numbers)

    with patch.object(Database, "insert", insert):
        answers = await asyncio.gather(*(post(call(n)) for n in (1, 2, 3)))
    assert [a.status for a in answers] == [200, 503, 200]
    assert set(stored_calls(loaded_entry)) == {1, 3}
    assert (await post(call(2))).status == HTTPStatus.OK


async def test_calls_that_arrive_together_share_one_commit(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    """Group commit: one transaction (one fsync) carries several calls."""
    real = store_commit.transaction_all
    sizes: list[int] = []

    def counted(db: Database, ops: list[Any]) -> list[Any]:
        sizes.append(len(ops))
        return real(db, ops)

    with patch("custom_components.m8com.store.transaction_all", counted):
        answers = await asyncio.gather(*(post(call(n)) for n in range(1, 21)))
    assert {a.status for a in answers} == {HTTPStatus.OK}
    assert sum(sizes) == 20
    assert max(sizes) > 1
    assert len(stored_calls(loaded_entry)) == 20


async def test_a_write_cut_short_by_a_stop_is_a_calm_503(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """HA cancels the commit while stopping: 503 + Retry-After, no traceback."""
    with patch(
        "custom_components.m8com.store.transaction_all",
        side_effect=asyncio.CancelledError,
    ):
        answer = await post(call(1))
    assert answer.status == HTTPStatus.SERVICE_UNAVAILABLE
    assert answer.headers["Retry-After"] == "30"
    assert "Traceback" not in caplog.text
    assert "Home Assistant is stopping" in caplog.text


async def test_a_store_damaged_inside_is_repaired_not_503_forever(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    """Damage in the pages of ``calls`` (the schema readable): set aside too.

    Whether opening or set-up's first reads meet it depends on the SQLite
    version; either way the account starts with a new store and a repair.
    """
    for call_id in range(1, 200):
        await post(call(call_id, summary="x" * 300))
    path = loaded_entry.runtime_data.store.path
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    data = bytearray(path.read_bytes())
    page = 1024
    for start in range(20 * page, len(data), page):  # the schema pages stay
        data[start + 8 : start + page] = b"\xa5" * (page - 8)
    path.write_bytes(bytes(data))
    assert await hass.config_entries.async_setup(loaded_entry.entry_id)
    await hass.async_block_till_done()
    answers = [(await post(call(1000 + n))).status for n in range(3)]
    assert answers == [HTTPStatus.OK] * 3
    assert set(stored_calls(loaded_entry)) == {1000, 1001, 1002}
    assert [p for p in path.parent.iterdir() if ".damaged-" in p.name]
    assert ir.async_get(hass).async_get_issue(
        DOMAIN, f"store_damaged_{loaded_entry.entry_id}"
    )
