"""0.2's JSON index and journal move into the call store once, crash-safely."""

from __future__ import annotations

import json
from pathlib import Path
import sqlite3
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com import store_import
from custom_components.m8com.const import DOMAIN
from custom_components.m8com.store_db import Database
from custom_components.m8com.store_import import import_legacy

from .conftest import RECEIVED, calls_in, journal, legacy_index, stored_calls


def record(call_id: int, status: str = "saved", **extra: Any) -> dict[str, Any]:
    return {
        "call_id": call_id,
        "received": RECEIVED.isoformat(),
        "caller_number": f"+4670{call_id:07d}",
        "status": status,
        **extra,
    }


def write_journal(path: Path, lines: list[Any]) -> None:
    path.write_text(
        "".join(f"{json.dumps(line)}\n" for line in lines) + '{"seq": 99, "ca'
    )


async def test_snapshot_and_journal_are_imported_then_removed(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    snapshot = legacy_index(
        hass,
        config_entry.entry_id,
        {"seq": 3, "calls": [record(1), record(2, "pending"), record(1, "lost")]},
    )
    write_journal(
        journal(hass, config_entry.entry_id),
        [
            {"seq": 2, "call": record(2, "failed")},  # in the snapshot already
            {"seq": 4, "call": record(2, "saved", files=["m8com/a.mp3"])},
            {"seq": 5, "call": record(3, "pending", urls=["https://r.test/3.mp3"])},
            record(4),  # 0.1.0: a bare call that only adds
            record(1, "failed"),  # 0.1.0: never replaces
            "not a call",
        ],
    )
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    calls = stored_calls(config_entry)
    assert {i: c.status for i, c in calls.items()} == {
        1: "saved",
        2: "saved",
        3: "lost",  # its links expired long ago: recovery marks it
        4: "saved",
    }
    assert calls[2].files == ["m8com/a.mp3"]
    assert not snapshot.exists()
    assert not journal(hass, config_entry.entry_id).exists()


def test_a_crash_mid_import_loses_and_doubles_nothing(tmp_path: Path) -> None:
    """Killed after some batches: the next start ends in the same store."""
    calls = [record(n) for n in range(1, 5001)]
    snapshot = tmp_path / "m8com.x"
    snapshot.write_text(json.dumps({"data": {"seq": 1, "calls": calls}}))
    log = tmp_path / "m8com.x.jsonl"
    write_journal(log, [{"seq": 2, "call": record(17, "failed")}])
    db = Database(tmp_path / "m8com.x.db")
    db.open()
    real = store_import._commit
    done: list[int] = []

    def crash_after_two(*args: Any, **kwargs: Any) -> None:
        if len(done) == 2:
            raise KeyboardInterrupt  # as abrupt as it gets in-process
        real(*args, **kwargs)
        done.append(1)

    with (
        patch.object(store_import, "BATCH", 1000),
        patch.object(store_import, "_commit", crash_after_two),
        pytest.raises(KeyboardInterrupt),
    ):
        import_legacy(db, snapshot, log, "SE")
    assert len(calls_in(db.path)) == 2000
    assert snapshot.exists()
    assert log.exists()
    assert import_legacy(db, snapshot, log, "SE") == (5000, None)
    stored = calls_in(db.path)
    assert sorted(stored) == list(range(1, 5001))
    assert stored[17].status == "failed"
    assert not snapshot.exists()
    assert not log.exists()
    with sqlite3.connect(db.path) as check:
        assert check.execute("SELECT count(*) FROM numbers").fetchall() == [(5000,)]
        assert check.execute("SELECT sum(calls) FROM days").fetchall() == [(5000,)]
    db.close()


def test_a_snapshot_streams_in_chunks(tmp_path: Path) -> None:
    """Calls that straddle the read size, with multi-byte text, in 0.1.0 form."""
    calls = [record(n, summary="Åsa ringde om fakturan " * 20) for n in range(300)]
    snapshot = tmp_path / "m8com.y"
    snapshot.write_text(json.dumps({"data": {"calls": calls}}, indent=4))
    db = Database(tmp_path / "m8com.y.db")
    db.open()
    with patch.object(store_import, "_CHUNK", 1000):
        assert import_legacy(db, snapshot, tmp_path / "none.jsonl", None) == (300, None)
    assert calls_in(db.path)[299].summary == calls[299]["summary"]
    db.close()


def test_an_empty_or_foreign_snapshot_imports_nothing(tmp_path: Path) -> None:
    db = Database(tmp_path / "m8com.z.db")
    db.open()
    for text in ("", '{"data": {}}', '{"data": {"calls": []}}'):
        snapshot = tmp_path / "m8com.z"
        snapshot.write_text(text)
        assert import_legacy(db, snapshot, tmp_path / "none.jsonl", None) == (0, None)
    db.close()


async def test_a_damaged_snapshot_is_set_aside(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    snapshot = legacy_index(hass, config_entry.entry_id, {"calls": [record(1)]})
    snapshot.write_text(snapshot.read_text()[:-30] + "{broken")
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    assert not snapshot.exists()
    assert [p for p in snapshot.parent.iterdir() if ".damaged-" in p.name]
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"store_damaged_{config_entry.entry_id}"
    )
    assert issue is not None


async def test_a_damaged_snapshot_keeps_the_journal_calls(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """Torn inside call 2: call 1 (read before) and the journal's call 3 stay."""
    snapshot = legacy_index(
        hass, config_entry.entry_id, {"seq": 1, "calls": [record(1), record(2)]}
    )
    text = snapshot.read_text()
    snapshot.write_text(text[: text.index('"call_id": 2') + 5])
    journal(hass, config_entry.entry_id).write_text(
        json.dumps({"seq": 2, "call": record(3)}) + "\n"
    )
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    assert set(stored_calls(config_entry)) == {1, 3}
    assert not journal(hass, config_entry.entry_id).exists()
    assert [p for p in snapshot.parent.iterdir() if ".damaged-" in p.name]
    assert ir.async_get(hass).async_get_issue(
        DOMAIN, f"store_damaged_{config_entry.entry_id}"
    )


async def test_one_malformed_call_in_the_0_2_index_does_not_stop_the_account(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A call without ``received`` (snapshot) or with a bad one (journal): skipped."""
    legacy_index(
        hass,
        config_entry.entry_id,
        {"seq": 0, "calls": [record(1), {"call_id": 2}, record(3)]},
    )
    journal(hass, config_entry.entry_id).write_text(
        json.dumps({"seq": 1, "call": {**record(4), "received": 7}}) + "\n"
    )
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    assert set(stored_calls(config_entry)) == {1, 3}
    assert "Skipped call 2 of the 0.2 index" in caplog.text
    assert "Skipped call 4 of the 0.2 index" in caplog.text
