"""The call store in a real HA: 0.2's index imported across a SIGKILL.

A 100 000-call 0.2 index (snapshot + journal) is imported at the first start;
HA is killed (SIGKILL) while the import runs, started again, and the store
then holds every call exactly once, with the journal's last word on each,
and the old files are gone.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import sqlite3
from typing import Any

from .entries import create_entry
from .harness import HomeAssistantProcess, until

CALLS = 100_000
RECEIVED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def legacy_call(n: int, status: str = "saved") -> dict[str, Any]:
    """A call as 0.2 kept it."""
    start = RECEIVED - timedelta(minutes=n)
    return {
        "call_id": n, "received": RECEIVED.isoformat(),
        "start_time": start.isoformat(), "caller_number": f"+4670{n:07d}",
        "callee_number": "+46812345678", "direction": "inbound",
        "summary": f"Call {n} about invoice {n * 7}", "status": status,
        "files": [], "urls": [],
    }  # fmt: skip


def write_legacy(storage: Path, entry_id: str) -> None:
    """0.2's snapshot (seq 3) and a journal with two newer changes and a torn line."""
    key = f"m8com.{entry_id}"
    calls = [legacy_call(n) for n in range(1, CALLS + 1)]
    snapshot = {"version": 1, "minor_version": 1, "key": key,
                "data": {"seq": 3, "calls": calls}}  # fmt: skip
    (storage / key).write_text(json.dumps(snapshot, indent=4))
    lines = [
        {"seq": 3, "call": legacy_call(10, "pending")},  # already in the snapshot
        {"seq": 4, "call": legacy_call(11, "failed")},
        {"seq": 5, "call": legacy_call(CALLS + 1)},
    ]
    (storage / f"{key}.jsonl").write_text(
        "".join(json.dumps(line) + "\n" for line in lines) + '{"seq": 6, "ca'
    )


def count(database: Path) -> int:
    """Committed calls in the store file (0 while it does not exist)."""
    if not database.exists():
        return 0
    with contextlib.closing(
        sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    ) as db:
        try:
            return int(db.execute("SELECT count(*) FROM calls").fetchone()[0])
        except sqlite3.OperationalError:  # the schema is still being made
            return 0


async def test_a_sigkill_mid_migration_loses_and_doubles_nothing(
    ha: HomeAssistantProcess,
) -> None:
    result = await create_entry(ha)
    entry_id = result["result"]["entry_id"]
    await ha.stop()
    storage = ha.config / ".storage"
    database = storage / f"m8com.{entry_id}.db"
    database.unlink()
    for extra in ("-wal", "-shm"):
        Path(f"{database}{extra}").unlink(missing_ok=True)
    write_legacy(storage, entry_id)
    await ha.start()

    async def part_committed() -> bool:  # the import runs: kill now
        return 0 < count(database) < CALLS

    await until(part_committed, timeout=300)
    await ha.kill()
    partial = count(database)
    assert 0 < partial < CALLS
    assert (storage / f"m8com.{entry_id}").exists()
    await ha.start()
    await ha.login()
    await ha.wait_running()
    await ha.stop()
    with contextlib.closing(sqlite3.connect(database)) as db:
        total, distinct = db.execute(
            "SELECT count(*), count(DISTINCT call_id) FROM calls"
        ).fetchone()
        statuses = dict(
            db.execute("SELECT call_id, status FROM calls WHERE call_id IN (10, 11)")
        )
        numbers = db.execute("SELECT count(*) FROM numbers").fetchone()[0]
    assert (total, distinct) == (CALLS + 1, CALLS + 1)
    assert statuses == {10: "saved", 11: "failed"}
    assert numbers == (CALLS + 1) * 2  # caller + the shared callee, per call
    assert not (storage / f"m8com.{entry_id}").exists()
    assert not (storage / f"m8com.{entry_id}.jsonl").exists()
