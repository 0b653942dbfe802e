"""An account's call store and its 0.2 files, written and read as files.

Tests read the store as a second process would (committed transactions
only), so a call the integration has not yet committed is not "stored".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import sqlite3
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com.call import Call
from custom_components.m8com.const import DOMAIN
from custom_components.m8com.store_rows import SELECT, from_row

from .recordings import RECORDING_URL

__all__ = [
    "RECEIVED",
    "calls_in",
    "journal",
    "legacy_index",
    "pending",
    "start",
    "stored",
    "stored_calls",
]

RECEIVED = datetime(2025, 3, 14, 14, 6, tzinfo=UTC)
"""When a test's stored call arrived."""


def legacy_index(hass: HomeAssistant, entry_id: str, data: dict[str, Any]) -> Path:
    """Write 0.2's snapshot file ``.storage/m8com.<entry_id>`` as HA's Store did."""
    key = f"{DOMAIN}.{entry_id}"
    path = Path(hass.config.path(".storage", key))
    path.parent.mkdir(parents=True, exist_ok=True)
    wrapped = {"version": 1, "minor_version": 1, "key": key, "data": data}
    path.write_text(json.dumps(wrapped, indent=4))
    return path


def journal(hass: HomeAssistant, entry_id: str) -> Path:
    """An account's 0.2 journal file (imported and removed by the store)."""
    return Path(hass.config.path(".storage", f"{DOMAIN}.{entry_id}.jsonl"))


def stored_calls(entry: MockConfigEntry | Any) -> dict[int, Call]:
    """Every call in an account's store file, read as a second process would."""
    return calls_in(entry.runtime_data.store.path)


def calls_in(path: Path) -> dict[int, Call]:
    """Every call in a store file (committed transactions only)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {
            row[0]: from_row(row) for row in db.execute(f"{SELECT} ORDER BY call_id")
        }
    finally:
        db.close()


def stored(entry: MockConfigEntry | Any, call_id: int) -> Call:
    """One call of an account's store (KeyError if it is not there)."""
    return stored_calls(entry)[call_id]


def pending(call_id: int, age: timedelta, url: str = RECORDING_URL) -> dict[str, Any]:
    """A stored call that was accepted ``age`` ago and never downloaded."""
    received = dt_util.utcnow() - age
    return {
        "call_id": call_id,
        "received": received.isoformat(),
        "start_time": (received - timedelta(minutes=2)).isoformat(),
        "caller_number": "+46701234567",
        "callee_number": "+46812345678",
        "status": "pending",
        "urls": [url],
    }


async def start(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    storage: dict[str, Any],
    calls: list[Any],
) -> None:
    """Set an account up on a 0.2 index (as after a restart and an upgrade)."""
    legacy_index(hass, entry.entry_id, {"calls": calls})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
