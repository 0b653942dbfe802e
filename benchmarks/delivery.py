"""Delivery benchmark: what the durability guarantees cost, and the start-up window.

1. Ack latency with the journal fsynced before the 200 (what ships) against
   the same HA with ``os.fsync`` a no-op (the peer: the journal before this
   change), in the same run: 100 sequential POSTs (M8Com's usual pace: one call
   at a time) and 400 POSTs at concurrency 20 (a backlog after an outage).
   Budget: ack p50 <= 10 ms.
2. The start-up window: a sender posts calls back to back while HA starts;
   figures are the time from HA's HTTP server answering (first 404, or HA's
   200 for an id nobody registered) to the integration answering (its first
   503, while the account loads), and how many calls HA itself
   answered 200 for our webhook id ("unregistered webhook" in its log). Once
   with a minimal config, once with ``cloud:`` configured, which sets up
   HA's webhook component before this integration.

Run: .venv/bin/python -m benchmarks.delivery
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
import json
from pathlib import Path
import statistics
import sys
import tempfile
import time

import aiohttp
from yarl import URL

from benchmarks._common import SECRET, start_with_entry
from benchmarks._load import post_all
from e2e.harness import HomeAssistantProcess

HEADERS = {"Authorization": f"Bearer {SECRET}", "Content-Type": "application/json"}
NO_FSYNC = str(Path(__file__).parent / "no_fsync")


def body(call_id: int) -> bytes:
    """A realistic call without recordings (the ack path only)."""
    return json.dumps(
        {
            "id": call_id,
            "fileUrls": [],
            "callerNumber": f"+4670{call_id:07d}",
            "calleeNumber": "+46812345678",
            "startTime": 1_700_000_000_000 + call_id * 1000,
            "talkTime": 1000 * (call_id % 600),
            "agentName": f"Agent {call_id % 7}",
            "answerGroupName": "Support",
            "direction": "inbound",
        }
    ).encode()


async def sequential(url: str, first: int, count: int) -> list[float]:
    """One call at a time: the latency of each ack."""
    latencies = []
    async with aiohttp.ClientSession() as session:
        for call_id in range(first, first + count):
            began = time.perf_counter()
            async with session.post(url, data=body(call_id), headers=HEADERS) as r:
                assert r.status == 200, r.status  # noqa: PLR2004, S101
            latencies.append(time.perf_counter() - began)
    return sorted(latencies)


def pct(values: list[float], q: float) -> float:
    """The q-quantile of sorted seconds, in milliseconds."""
    return values[min(len(values) - 1, int(len(values) * q))] * 1000


async def ack_latency(*, fsync: bool) -> dict[str, float]:
    """Sequential and burst ack percentiles of one fresh HA."""
    with tempfile.TemporaryDirectory() as tmp:
        ha = HomeAssistantProcess(
            config=Path(tmp) / "config",
            env={} if fsync else {"PYTHONPATH": NO_FSYNC},
        )
        ha, entry = await start_with_entry(Path(tmp) / "config", ha)
        try:
            url = ha.url + URL(entry["description_placeholders"]["webhook_url"]).path
            await sequential(url, 1, 20)  # warm-up
            seq = await sequential(url, 100, 100)
            _, burst = await post_all(
                url, HEADERS, [body(i) for i in range(1000, 1400)]
            )
        finally:
            await ha.stop()
    return {
        "seq_p50": pct(seq, 0.5),
        "seq_p99": pct(seq, 0.99),
        "burst_p50": pct(burst, 0.5),
        "burst_p99": pct(burst, 0.99),
    }


async def startup_window(extra_config: str) -> tuple[float | None, int, float]:
    """(window in s, calls HA answered 200 for our id, over how many s)."""
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config"
        ha = HomeAssistantProcess(config=config, extra_config=extra_config)
        ha, entry = await start_with_entry(Path(tmp) / "config", ha)
        url = ha.url + URL(entry["description_placeholders"]["webhook_url"]).path
        webhook_id = url.rsplit("/", 1)[-1]
        await asyncio.sleep(2)  # HA saves the new entry with a delay
        await ha.stop()
        first: dict[int, float] = {}
        stop = asyncio.Event()

        async def send() -> None:
            call_id = 10_000
            async with aiohttp.ClientSession() as session:
                while not stop.is_set():
                    call_id += 1
                    status = 0
                    with contextlib.suppress(aiohttp.ClientError):
                        async with session.post(
                            url, data=body(call_id), headers=HEADERS
                        ) as r:
                            status = r.status
                    first.setdefault(status, time.monotonic())
                    await asyncio.sleep(0.002)

        sender = asyncio.create_task(send())
        try:
            await ha.start()
            await asyncio.sleep(3)
        finally:
            stop.set()
            await sender
            await ha.stop()
        http_up = min((t for s, t in first.items() if s), default=None)
        # The integration's first answer is a 503: the account is still loading.
        ours = first.get(503)
        lost = [
            datetime.fromisoformat(line[:23])
            for line in ha.log_text().splitlines()
            if "unregistered webhook" in line and webhook_id in line
        ]
        window = None if http_up is None or ours is None else ours - http_up
        span = (lost[-1] - lost[0]).total_seconds() if lost else 0.0
        return window, len(lost), span


async def main() -> None:
    """Print both parts."""
    print("== ack latency, ms (fsync before 200 | peer: no fsync), same run")
    rounds: dict[bool, list[dict[str, float]]] = {True: [], False: []}
    for _ in range(2):
        for fsync in (True, False):
            rounds[fsync].append(await ack_latency(fsync=fsync))
    for key in ("seq_p50", "seq_p99", "burst_p50", "burst_p99"):
        with_fsync = statistics.median(r[key] for r in rounds[True])
        without = statistics.median(r[key] for r in rounds[False])
        print(f"{key:10} {with_fsync:7.2f} | {without:7.2f}")
    print("== start-up window (HTTP answering -> integration answering)")
    for name, extra in (("minimal", ""), ("with cloud:", "cloud:\n")):
        window, lost, span = await startup_window(extra)
        shown = "n/a" if window is None else f"{window * 1000:.0f} ms"
        print(
            f"{name:12} HTTP up -> integration answering {shown}; calls HA "
            f"itself answered 200 for our id: {lost} (over {span * 1000:.0f} ms)"
        )


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
