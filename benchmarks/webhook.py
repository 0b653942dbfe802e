"""Webhook benchmark against a real HA process on loopback.

1. Throughput and p50/p99 ack latency of 400 POSTs at concurrency 20, as a
   ratio to HA's own automation ``webhook`` trigger in the same HA, same run
   (median of 5 paired rounds, order rotating). Every call differs in every
   detail (numbers, agent, group, durations, summary), as real calls do, and
   HA runs its default recorder (SQLite); recorder rows per request are
   counted in its database for each side. Our calls carry no file URLs
   here: this measures the ack path (auth, validation, journal, event,
   entities), which is what M8Com waits for. Two automations are measured:
   the bare one (fires an empty event: the issue's reference) and the one a
   user would write instead of this integration (fires the call as an event).
   Each side is also charged with HA's CPU per request (see _load.py).
2. Ack time of a call whose recording is 200 MB vs a small one (mean and
   median of 41, after a warm-up call; the file server runs in its own process).
3. HA's RSS growth while it stores a 300 MB recording.

Run: .venv/bin/python -m benchmarks.webhook [--throughput-only] [--m8com-unrecorded]
[--store-unsynced]
[--item7 | --fixed-order --same-start --frontend --subscribed]
(``--m8com-unrecorded`` and ``--store-unsynced`` are diagnoses: the recorder then
skips our event and entities; the store then commits without ``fsync``; the
others are the conditions of issue 23 item 7, see _paired.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from pathlib import Path
import sqlite3
import sys
import tempfile
import time
from typing import Any

from yarl import URL

from benchmarks._common import JSON, OURS, start_with_entry
from benchmarks._load import post_all
from benchmarks._paired import (
    Conditions,
    Side,
    config_extra,
    link_thread_names,
    paired_rounds,
    report,
)
from benchmarks._recordings import big_recordings
from custom_components.m8com.const import EVENT_CALL_RECORDING
from e2e.harness import HomeAssistantProcess, WebSocket

REQUESTS = 400
ROUNDS = 5
SETTLE = 6.0
BARE, DIY = "automation", "automation+call"
AUTOMATIONS: dict[str, dict[str, Any]] = {
    BARE: {"event": "bench_automation_fired"},
    DIY: {"event": "bench_call", "event_data": {"call": "{{ trigger.json }}"}},
}
ids = itertools.count(1)


def call(file_urls: list[str], started: int | None = None) -> bytes:
    """A realistic V2 payload: a fresh id, and every detail differs per call.

    ``started``: the start time (ms) to give it; by default each call has its
    own, a minute ago.
    """
    now = int(time.time() * 1000)
    n = next(ids)
    started = started or now - 60_000 - n
    return json.dumps(
        {
            "id": n, "fileUrls": file_urls, "callerNumber": f"+4670{n:07d}",
            "calleeNumber": f"+468{n % 97:07d}", "startTime": started,
            "endTime": now, "waitTime": 1000 + 37 * n % 20_000,
            "talkTime": 5000 + 911 * n % 900_000, "agentId": f"a-{n % 13}",
            "agentName": f"Agent {n % 13}", "answerGroupName": f"Group {n % 5}",
            "answerGroupId": f"ag-{n % 5}", "referredTo": None, "referredBy": None,
            "direction": "inbound" if n % 3 else "outbound",
            "recorderId": f"agent{n % 13}@example.se",
            "summary": f"Benchmark call {n}: asked about invoice {n * 7}.",
            "userId": f"u-{n % 13}",
        }
    ).encode()  # fmt: skip


def automation(name: str, action: dict[str, Any]) -> dict[str, Any]:
    """An automation with a webhook trigger named after it."""
    return {
        "id": name, "alias": name, "mode": "parallel", "max": 1000,
        "triggers": [
            {"trigger": "webhook", "webhook_id": hook_id(name),
             "allowed_methods": ["POST"], "local_only": False}
        ],
        "actions": [action],
    }  # fmt: skip


def hook_id(name: str) -> str:
    """The webhook id of a benchmark automation."""
    return "bench-" + name.replace("+", "-")


async def throughput(
    ha: HomeAssistantProcess, endpoint: str, conditions: Conditions
) -> None:
    """Paired rounds: ours vs each automation (order rotating, or fixed)."""
    sides = {
        "m8com": Side(endpoint, OURS, EVENT_CALL_RECORDING),
        **{
            name: Side(f"{ha.url}/api/webhook/{hook_id(name)}", JSON, a["event"])
            for name, a in AUTOMATIONS.items()
        },
    }
    async with WebSocket(ha) as ws:  # the reference must really carry the call
        await ws.subscribe("bench_call")
        body = call([])
        await post_all(sides[DIY].url, sides[DIY].headers, [body])
        (event,) = await ws.events(1)
        if event["data"]["call"]["id"] != json.loads(body)["id"]:
            raise RuntimeError(f"{DIY} did not fire the call: {event}")
    for side in sides.values():  # warm-up
        await post_all(side.url, side.headers, [call([]) for _ in range(50)])
    await asyncio.sleep(SETTLE)
    before = await asyncio.to_thread(recorder_rows, ha)
    results = await paired_rounds(
        ha, sides, calls, conditions, rounds=ROUNDS, requests=REQUESTS, settle=SETTLE
    )
    print(f"conditions: {conditions}")
    for name in AUTOMATIONS:
        report(results, "m8com", name)
    added = await asyncio.to_thread(recorder_rows, ha) - before
    per_call = added / (ROUNDS * REQUESTS)
    print(f"recorder rows per request, all sides together: {per_call:.2f}")
    print("target: ratio to the equivalent automation (automation+call) >= 1.0")


def calls(count: int, started: int | None) -> list[bytes]:
    """``count`` realistic calls (see ``call``), all started at once if given."""
    return [call([], started) for _ in range(count)]


def recorder_rows(ha: HomeAssistantProcess) -> int:
    """Rows in the tables a request can add to, whoever wrote them.

    Events, their data, states and new attribute rows: HA's whole cost.
    """
    with contextlib.closing(
        sqlite3.connect(ha.config / "home-assistant_v2.db")
    ) as database:
        return sum(
            int(database.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608
            for table in ("events", "event_data", "states", "state_attributes")
        )


# Diagnosis only, never a user's setup: the recorder keeps the call-carrying
# event and our entities' states out of the database, to show what it costs.
WITHOUT_RECORDER = """\
  exclude:
    event_types: [m8com_call_recording]
    entity_globs: ["sensor.m8com_*", "event.m8com_*"]
"""


async def main() -> None:
    """One HA with all three webhooks; the three measurements in turn."""
    with tempfile.TemporaryDirectory() as tmp:
        ha, result = await start_with_entry(Path(tmp) / "config")
        await ha.stop()
        ha.automations = [automation(n, a) for n, a in AUTOMATIONS.items()]
        conditions = Conditions.from_argv()
        ha.extra_config = config_extra(conditions)
        link_thread_names(ha)
        if "--store-unsynced" in sys.argv:
            unsynced = str(Path(__file__).parent / "store_unsynced")
            ha.env = {"PYTHONPATH": unsynced}
            print("diagnosis: the call store commits without fsync (not durable)")
        if "--m8com-unrecorded" in sys.argv:
            ha.recorder_extra = WITHOUT_RECORDER
            print("diagnosis: the recorder skips m8com's event and entities")
        await ha.start()
        await ha.login()
        endpoint = ha.url + URL(result["description_placeholders"]["webhook_url"]).path
        try:
            await throughput(ha, endpoint, conditions)
            if "--throughput-only" not in sys.argv:
                await big_recordings(ha, endpoint, call)
        finally:
            await ha.stop()


if __name__ == "__main__":
    asyncio.run(main())
