"""Scale benchmark: a call costs the same with 1 000 or 1 000 000 calls kept.

One real HA process (the harness's, default recorder) with the integration
and the "equivalent automation" peer of ``benchmarks.webhook``:

1. A store of about 1 000 calls (posted through HTTP): ack p50/p99 of a burst
   at concurrency 20, the bytes HA writes per call (``/proc/<pid>/io``,
   ``write_bytes``: what reaches the disk, the recorder included), a lone call
   every 12 s, the reads and an erasure, a reload, HA's RSS, and throughput
   against the equivalent automation (median of 5 paired rounds).
2. HA is stopped and the store is filled to ``--calls`` (1 000 000 by default;
   10 % with a 3 KB transcript, one local day of 10 000 recordings) directly
   in bulk with the integration's own row mapping (``store_rows``), not
   through HTTP; HA is started again and the same figures are taken.

Run: .venv/bin/python -m benchmarks.scale [--calls N] [--item7 | --fixed-order
--same-start --frontend --subscribed] (the conditions of the paired rounds, as in
``benchmarks.webhook``; see _paired.py)
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import statistics
import sys
import tempfile
import time
from typing import Any
from zoneinfo import ZoneInfo

from yarl import URL

from benchmarks._common import JSON, OURS, action, rss_mib, start_with_entry
from benchmarks._fill import ZONE, fill
from benchmarks._load import measure, post_all
from benchmarks._paired import (
    Conditions,
    Side,
    config_extra,
    link_thread_names,
    paired_rounds,
    report,
)
from benchmarks.reads import browse_figures
from benchmarks.webhook import AUTOMATIONS, DIY, automation, hook_id
from custom_components.m8com.const import EVENT_CALL_RECORDING
from e2e.harness import HomeAssistantProcess

BURST = 1000
ROUNDS = 5
REQUESTS = 400
SETTLE = 6.0
LONE = 4
LONE_GAP = 12.0
READS = 7
ids = iter(range(2_000_000, 9_999_999))


def body(**extra: Any) -> bytes:
    """A realistic call (as ``benchmarks.webhook``) that started a minute ago."""
    n = next(ids)
    now = int(time.time() * 1000)
    return json.dumps(
        {
            "id": n, "fileUrls": [], "callerNumber": f"+4673{n:07d}",
            "calleeNumber": f"+468{n % 97:07d}", "startTime": now - 60_000,
            "endTime": now, "talkTime": 5000 + 911 * n % 900_000,
            "waitTime": 1000 + 37 * n % 20_000, "agentName": f"Agent {n % 13}",
            "answerGroupName": f"Group {n % 5}", "direction": "inbound",
            "recorderId": f"agent{n % 13}@example.se",
            "summary": f"Benchmark call {n}: asked about invoice {n * 7}.",
            **extra,
        }
    ).encode()  # fmt: skip


def written(pid: int) -> int:
    """Bytes the HA process has written to storage so far."""
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    return 0


def ms(values: list[float]) -> float:
    """Median of durations, in milliseconds."""
    return statistics.median(values) * 1000


async def timed(coro_fn: Any, times: int = READS) -> float:
    """Median milliseconds of ``times`` runs."""
    runs = []
    for _ in range(times):
        began = time.perf_counter()
        await coro_fn()
        runs.append(time.perf_counter() - began)
    return ms(runs)


async def phase(
    ha: HomeAssistantProcess,
    endpoint: str,
    entry_id: str,
    probe: dict[str, str],
    conditions: Conditions,
) -> dict[str, float]:
    """Every figure of the issue's table for the store as it is now."""
    if ha.process is None:
        raise RuntimeError("HA is not running")
    pid = ha.process.pid
    figures: dict[str, float] = {"rss_start_mib": rss_mib(pid)}
    # A burst at concurrency 20, then the recorder's commit.
    await asyncio.sleep(SETTLE)
    before = written(pid)
    load = await measure(pid, endpoint, OURS, [body() for _ in range(BURST)], SETTLE)
    figures |= {
        "ack_p50_ms": load.p50_ms,
        "ack_p99_ms": load.p99_ms,
        "calls_per_s": load.rps,
        "bytes_per_call": (written(pid) - before) / BURST,
    }
    # Lone calls, one every 12 s (what a quiet office sends), to us and to the
    # equivalent automation (what HA itself writes per call).
    figures["lone_call_bytes"] = await lone_bytes(pid, endpoint, OURS)
    figures["lone_call_bytes_automation"] = await lone_bytes(
        pid, f"{ha.url}/api/webhook/{hook_id(DIY)}", JSON
    )
    # Reads.
    figures["get_by_number_ms"] = await timed(
        lambda: action(ha, "get_recordings", {"number": probe["number"]})
    )
    figures["get_by_text_ms"] = await timed(
        lambda: action(ha, "get_recordings", {"text": probe["text"]})
    )
    day = probe["day"]
    figures["get_by_day_ms"] = await timed(
        lambda: action(
            ha,
            "get_recordings",
            {"since": f"{day}T00:00:00", "until": f"{day}T23:59:59"},
        )
    )
    figures |= await browse_figures(ha, entry_id, day)
    # Erasure of one subscriber (a number with one call).
    began = time.perf_counter()
    erased = await action(ha, "delete_recordings", {"number": probe["erase"]})
    figures["erase_by_number_ms"] = (time.perf_counter() - began) * 1000
    figures["erased"] = erased["service_response"]["deleted"]
    # Reload (set-up of the entry).
    reloads = []
    for _ in range(3):
        began = time.perf_counter()
        await ha.rest("POST", f"/api/config/config_entries/entry/{entry_id}/reload")
        reloads.append(time.perf_counter() - began)
    figures["reload_ms"] = ms(reloads)
    figures["throughput_ratio"], figures["cpu_ratio"] = await versus(
        ha, endpoint, conditions
    )
    figures["rss_end_mib"] = rss_mib(pid)
    return figures


async def lone_bytes(pid: int, url: str, headers: dict[str, str]) -> float:
    """Median bytes HA writes for one call when calls come one every 12 s."""
    lone = []
    for _ in range(LONE):
        before = written(pid)
        await post_all(url, headers, [body()])
        await asyncio.sleep(LONE_GAP)
        lone.append(written(pid) - before)
    return statistics.median(lone)


async def versus(
    ha: HomeAssistantProcess, endpoint: str, conditions: Conditions
) -> tuple[float, float]:
    """Paired rounds against the equivalent automation: (throughput, CPU) ratios."""
    sides = {
        "m8com": Side(endpoint, OURS, EVENT_CALL_RECORDING),
        DIY: Side(f"{ha.url}/api/webhook/{hook_id(DIY)}", JSON, "bench_call"),
    }
    results = await paired_rounds(
        ha, sides, bodies, conditions, rounds=ROUNDS, requests=REQUESTS, settle=SETTLE
    )
    return report(results, "m8com", DIY)


def bodies(count: int, started: int | None) -> list[bytes]:
    """``count`` calls (see ``body``), all started at once if given."""
    extra = {} if started is None else {"startTime": started}
    return [body(**extra) for _ in range(count)]


def table(small: dict[str, float], big: dict[str, float], total: int) -> None:
    """Both phases side by side, with the ratios the issue asks for."""
    print(f"\n| figure | ~1 000 calls | {total:,} calls | ratio |")
    print("|---|---|---|---|")
    for key, value in small.items():
        ratio = big[key] / value if value else float("nan")
        print(f"| {key} | {value:.2f} | {big[key]:.2f} | {ratio:.2f} |")
    growth = big["rss_end_mib"] - small["rss_start_mib"]
    print(f"RSS growth over the empty store: {growth:.1f} MiB")


async def main() -> None:
    """Small store, then the big one, in one HA configuration."""
    total = (
        int(sys.argv[sys.argv.index("--calls") + 1])
        if "--calls" in sys.argv
        else 1_000_000
    )
    with tempfile.TemporaryDirectory() as tmp:
        ha, result = await start_with_entry(Path(tmp) / "config")
        entry_id = result["result"]["entry_id"]
        await ha.stop()
        ha.automations = [automation(n, a) for n, a in AUTOMATIONS.items()]
        conditions = Conditions.from_argv()
        ha.extra_config = config_extra(conditions)
        link_thread_names(ha)
        await ha.start()
        await ha.login()
        endpoint = ha.url + URL(result["description_placeholders"]["webhook_url"]).path
        try:
            await post_all(endpoint, OURS, [body() for _ in range(1000)])
            today = datetime.now(ZoneInfo(ZONE)).date().isoformat()
            small = await phase(
                ha, endpoint, entry_id,
                {"number": "+46732000005", "text": "invoice 14000035",
                 "day": today, "erase": "+46732000006"}, conditions,
            )  # fmt: skip
            print(json.dumps(small, indent=1))
        finally:
            await ha.stop()
        busy = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        busy -= timedelta(days=2)
        print(f"filling the store to {total} calls in bulk")
        began = time.perf_counter()
        probe = await asyncio.to_thread(
            fill, ha.config / ".storage" / f"m8com.{entry_id}.db", total, busy
        )
        print(f"filled in {time.perf_counter() - began:.0f} s")
        await ha.start()
        await ha.login()
        try:
            big = await phase(ha, endpoint, entry_id, probe, conditions)
            print(json.dumps(big, indent=1))
        finally:
            await ha.stop()
        table(small, big, total)


if __name__ == "__main__":
    asyncio.run(main())
