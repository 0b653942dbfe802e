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

Run: .venv/bin/python -m benchmarks.scale [--calls N]
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import random
import statistics
import sys
import tempfile
import time
from typing import Any
from zoneinfo import ZoneInfo

from homeassistant.util import dt as dt_util
from yarl import URL

from benchmarks._common import start_with_entry
from benchmarks._load import Load, measure, post_all
from benchmarks.webhook import AUTOMATIONS, DIY, JSON, OURS, automation, hook_id
from custom_components.m8com.call import Call
from custom_components.m8com.store_db import Database
from custom_components.m8com.store_rows import to_row
from e2e.harness import HomeAssistantProcess, WebSocket

BURST = 1000
ROUNDS = 5
REQUESTS = 400
SETTLE = 6.0
LONE = 4
LONE_GAP = 12.0
READS = 7
BUSY_DAY = 10_000
ZONE = "Europe/Stockholm"
STEMS = ("fakt", "ord", "lev", "kund", "betal", "avt", "retur", "frakt", "pris")
WORDS = [f"{a}{b}" for a in STEMS for b in ("ura", "er", "ning", "are", "et", "or")]
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


def rss_mib(pid: int) -> float:
    """HA's resident memory."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


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


async def action(ha: HomeAssistantProcess, name: str, data: dict[str, Any]) -> Any:
    """An m8com action through the REST API, with its response."""
    return await ha.rest("POST", f"/api/services/m8com/{name}?return_response", data)


async def phase(
    ha: HomeAssistantProcess, endpoint: str, entry_id: str, probe: dict[str, str]
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
    # Lone calls, one every 12 s (what a quiet office sends).
    lone = []
    for _ in range(LONE):
        before = written(pid)
        await post_all(endpoint, OURS, [body()])
        await asyncio.sleep(LONE_GAP)
        lone.append(written(pid) - before)
    figures["lone_call_bytes"] = statistics.median(lone)
    # The same for the equivalent automation: what HA itself writes per call.
    peer, lone = f"{ha.url}/api/webhook/{hook_id(DIY)}", []
    for _ in range(LONE):
        before = written(pid)
        await post_all(peer, JSON, [body()])
        await asyncio.sleep(LONE_GAP)
        lone.append(written(pid) - before)
    figures["lone_call_bytes_automation"] = statistics.median(lone)
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
    async with WebSocket(ha) as ws:
        target = f"media-source://m8com/{entry_id}/{day}"
        began = time.perf_counter()
        listing = await ws.command(
            {"type": "media_source/browse_media", "media_content_id": target}
        )
        figures["browse_day_cold_ms"] = (time.perf_counter() - began) * 1000
        figures["browse_day_items"] = len(listing["children"])
        figures["browse_day_ms"] = await timed(
            lambda: ws.command(
                {"type": "media_source/browse_media", "media_content_id": target}
            ),
            3,
        )
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
    figures["throughput_ratio"], figures["cpu_ratio"] = await versus(ha, endpoint)
    figures["rss_end_mib"] = rss_mib(pid)
    return figures


async def versus(ha: HomeAssistantProcess, endpoint: str) -> tuple[float, float]:
    """Paired rounds against the equivalent automation: (throughput, CPU) ratios."""
    if ha.process is None:
        raise RuntimeError("HA is not running")
    peer = f"{ha.url}/api/webhook/{hook_id(DIY)}"
    ratios, cpu = [], []
    for n in range(ROUNDS):
        results: dict[str, Load] = {}
        sides = [("m8com", endpoint, OURS), (DIY, peer, JSON)]
        for name, url, headers in sides if n % 2 == 0 else sides[::-1]:
            bodies = [body() for _ in range(REQUESTS)]
            results[name] = await measure(ha.process.pid, url, headers, bodies, SETTLE)
        ratios.append(results["m8com"].rps / results[DIY].rps)
        cpu.append(results["m8com"].total_ms / results[DIY].total_ms)
        print(f"  round {n + 1}: throughput {ratios[-1]:.2f}, CPU {cpu[-1]:.2f}")
    return statistics.median(ratios), statistics.median(cpu)


def fill(path: Path, total: int, busy_day: datetime) -> dict[str, str]:
    """Add ``total`` calls to the store file in bulk; what the probes look for.

    Written with the integration's own mapping (``to_row``) in large
    transactions; the numbers are generated in E.164, which is their
    normalised form. One local day gets ``BUSY_DAY`` recordings, the rest are
    spread over the three years before it; every tenth call has a 3 KB
    transcript of generated words.
    """
    dt_util.set_default_time_zone(ZoneInfo(ZONE))  # local days as HA sees them
    rng = random.Random(4711)
    db = Database(path)
    db.open()
    writer = db.writer
    writer.execute("PRAGMA synchronous = OFF")
    span = timedelta(days=3 * 365).total_seconds()
    first = busy_day - timedelta(days=3 * 365)
    batch = 20_000
    for start in range(1, total + 1, batch):
        writer.execute("BEGIN")
        for n in range(start, min(start + batch, total + 1)):
            if n <= BUSY_DAY:
                started = busy_day + timedelta(seconds=n * 8)
            else:
                started = first + timedelta(seconds=rng.random() * span)
            call = Call(
                call_id=n,
                received=started + timedelta(minutes=3),
                start_time=started,
                end_time=started + timedelta(minutes=2),
                caller_number=f"+4670{n:07d}",
                callee_number=f"+468{n % 97:07d}",
                direction="inbound" if n % 3 else "outbound",
                talk_time=120.0,
                agent_name=f"Agent {n % 13}",
                answer_group_name=f"Group {n % 5}",
                recorder_id=f"agent{n % 13}@example.se",
                summary=f"Call {n}: asked about invoice {n * 7}.",
                status="saved",
                files=[f"m8com/{started:%Y/%m/%d/%H%M%S}_{n}.mp3"],
                transcript=" ".join(rng.choices(WORDS, k=330)) if n % 10 == 0 else None,
            )
            row = to_row(call)
            writer.execute("INSERT INTO calls VALUES (?,?,?,?,?,?,?,?,?,?)", row)
            writer.executemany(
                "INSERT OR IGNORE INTO numbers VALUES (?, ?)",
                [(call.caller_number, n), (call.callee_number, n),
                 (str(call.recorder_id).casefold(), n)],
            )  # fmt: skip
        writer.execute("COMMIT")
        print(f"  {min(start + batch - 1, total)} calls", end="\r", flush=True)
    writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    print()
    return {
        "number": "+46700004711",
        "text": "invoice 32977",  # call 4711's summary
        "day": busy_day.astimezone(ZoneInfo(ZONE)).date().isoformat(),
        "erase": f"+4670{total - 5:07d}",
    }


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
        await ha.start()
        await ha.login()
        endpoint = ha.url + URL(result["description_placeholders"]["webhook_url"]).path
        try:
            await post_all(endpoint, OURS, [body() for _ in range(1000)])
            today = datetime.now(ZoneInfo(ZONE)).date().isoformat()
            small = await phase(
                ha, endpoint, entry_id,
                {"number": "+46732000005", "text": "invoice 14000035",
                 "day": today, "erase": "+46732000006"},
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
            big = await phase(ha, endpoint, entry_id, probe)
            print(json.dumps(big, indent=1))
        finally:
            await ha.stop()
        table(small, big, total)


if __name__ == "__main__":
    asyncio.run(main())
