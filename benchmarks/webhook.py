"""Webhook benchmark against a real HA process on loopback.

1. Throughput and p50/p99 ack latency of 400 POSTs at concurrency 20, as a
   ratio to HA's own automation ``webhook`` trigger in the same HA, same run
   (median of 3 paired rounds, order alternating). Our calls carry no file
   URLs here: this measures the ack path (auth, validation, journal, event,
   entities), which is what M8Com waits for.
2. Ack time of a call whose recording is 200 MB vs a small one (median of 11,
   after a warm-up call; the file server runs in its own process).
3. HA's RSS growth while it stores a 300 MB recording.

Run: .venv/bin/python benchmarks/webhook.py
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import itertools
import json
from pathlib import Path
import statistics
import subprocess
import sys
import tempfile
import time

from _common import SECRET, start_with_entry
import aiohttp
from yarl import URL

from tests.e2e.harness import HomeAssistantProcess, free_port

REQUESTS = 400
CONCURRENCY = 20
ROUNDS = 3
SETTLE = 6.0
ACK_SAMPLES = 11
AUTOMATION_HOOK = "bench-automation-hook"
ids = itertools.count(1)


def call(file_urls: list[str]) -> bytes:
    """A realistic V2 payload with a fresh id."""
    now = int(time.time() * 1000)
    return json.dumps(
        {
            "id": next(ids), "fileUrls": file_urls, "callerNumber": "+46701234567",
            "calleeNumber": "+46812345678", "startTime": now - 60_000, "endTime": now,
            "waitTime": 2000, "talkTime": 58_000, "agentId": "a-1", "agentName": "Anna",
            "answerGroupName": "Support", "answerGroupId": "ag-1", "referredTo": None,
            "referredBy": None, "direction": "inbound", "recorderId": "anna@example.se",
            "summary": "Benchmark call.", "userId": "u-1",
        }
    ).encode()  # fmt: skip


async def load(
    url: str, headers: dict[str, str], bodies: list[bytes]
) -> dict[str, float]:
    """POST every body with CONCURRENCY in flight; throughput and latencies."""
    latencies: list[float] = []
    queue = iter(bodies)
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=CONCURRENCY)
    ) as session:

        async def worker() -> None:
            for body in queue:
                began = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as resp:
                    await resp.read()
                    if resp.status != 200:  # noqa: PLR2004
                        raise RuntimeError(f"{url}: HTTP {resp.status}")
                latencies.append(time.perf_counter() - began)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "rps": len(bodies) / elapsed,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


async def throughput(ha: HomeAssistantProcess, endpoint: str) -> None:
    """Paired rounds: ours vs the automation webhook trigger."""
    ours_headers = {
        "Authorization": f"Bearer {SECRET}",
        "Content-Type": "application/json",
    }
    auto_url = f"{ha.url}/api/webhook/{AUTOMATION_HOOK}"
    plain = {"Content-Type": "application/json"}
    await load(endpoint, ours_headers, [call([]) for _ in range(50)])  # warm-up
    await load(auto_url, plain, [call([]) for _ in range(50)])
    await asyncio.sleep(SETTLE)
    ratios, rows = [], []
    for n in range(ROUNDS):
        pair: dict[str, dict[str, float]] = {}
        order = [("m8com", endpoint, ours_headers), ("automation", auto_url, plain)]
        for name, url, headers in order if n % 2 == 0 else reversed(order):
            pair[name] = await load(url, headers, [call([]) for _ in range(REQUESTS)])
            # Let the recorder commit the previous run's backlog (its commit
            # interval is 5 s) so that neither side pays for the other's.
            await asyncio.sleep(SETTLE)
        ratios.append(pair["m8com"]["rps"] / pair["automation"]["rps"])
        rows.append(pair)
    for n, pair in enumerate(rows, 1):
        for name, result in pair.items():
            print(
                f"round {n} {name:10}: {result['rps']:7.1f} req/s, "
                f"p50 {result['p50']:6.1f} ms, p99 {result['p99']:6.1f} ms"
            )
    print(
        f"throughput ratio m8com/automation: median {statistics.median(ratios):.2f} "
        f"(rounds {', '.join(f'{r:.2f}' for r in ratios)}; target >= 1.0, floor 0.8)"
    )


@contextlib.asynccontextmanager
async def big_file_server() -> AsyncIterator[str]:
    """The recording server, in its own process (see _fileserver.py)."""
    port = free_port()
    server = subprocess.Popen(  # noqa: ASYNC220, S603 - our own helper process
        [sys.executable, str(Path(__file__).with_name("_fileserver.py")), str(port)]
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(100):
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"{base}/0/probe.mp3") as resp:
                        await resp.read()
                        break
                await asyncio.sleep(0.05)
        yield base
    finally:
        server.terminate()
        server.wait()


async def wait_for_files(ha: HomeAssistantProcess, count: int) -> None:
    """Until ``count`` recordings are complete in the media folder."""
    while len(list(ha.media.rglob("*.mp3"))) < count:  # noqa: ASYNC110 - a file
        await asyncio.sleep(0.05)


async def post_once(endpoint: str, body: bytes) -> float:
    """Seconds until M8Com would have its 200."""
    headers = {"Authorization": f"Bearer {SECRET}", "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as session:
        began = time.perf_counter()
        async with session.post(endpoint, data=body, headers=headers) as resp:
            await resp.read()
        return time.perf_counter() - began


def rss_mib(pid: int) -> float:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def big_recordings(ha: HomeAssistantProcess, endpoint: str) -> None:
    """Ack of a 200 MB vs a small recording, then RSS while storing 300 MB."""
    async with big_file_server() as files:
        await post_once(endpoint, call([f"{files}/1/warm-up.mp3"]))
        small, big, stored = [], [], 1
        await wait_for_files(ha, stored)
        for n in range(ACK_SAMPLES):
            small.append(await post_once(endpoint, call([f"{files}/1/s{n}.mp3"])))
            stored += 1
            await wait_for_files(ha, stored)
            big.append(await post_once(endpoint, call([f"{files}/200/b{n}.mp3"])))
            stored += 1
            await wait_for_files(ha, stored)
        ratio = statistics.median(big) / statistics.median(small)
        print(
            f"ack small {statistics.median(small) * 1000:.1f} ms, 200 MB "
            f"{statistics.median(big) * 1000:.1f} ms: ratio {ratio:.2f} (target <= 1.2)"
        )
        if ha.process is None:
            raise RuntimeError("HA is not running")
        pid = ha.process.pid
        await asyncio.sleep(2)
        baseline = rss_mib(pid)
        peak = baseline
        await post_once(endpoint, call([f"{files}/300/huge.mp3"]))
        began = time.perf_counter()
        while len(list(ha.media.rglob("*.mp3"))) < stored + 1:
            peak = max(peak, rss_mib(pid))
            await asyncio.sleep(0.02)
        took = time.perf_counter() - began
        print(
            f"RSS while storing 300 MB: baseline {baseline:.1f} MiB, "
            f"peak {peak:.1f} MiB, growth {peak - baseline:.1f} MiB (target < 16); "
            f"stored in {took:.1f} s"
        )


async def main() -> None:
    """One HA with both webhooks; the three measurements in turn."""
    with tempfile.TemporaryDirectory() as tmp:
        ha, result = await start_with_entry(Path(tmp) / "config")
        await ha.stop()
        ha.automations = [
            {
                "id": "bench",
                "alias": "Benchmark webhook",
                "mode": "parallel",
                "max": 1000,
                "triggers": [
                    {"trigger": "webhook", "webhook_id": AUTOMATION_HOOK,
                     "allowed_methods": ["POST"], "local_only": False}
                ],
                "actions": [{"event": "bench_automation_fired"}],
            }
        ]  # fmt: skip
        await ha.start()
        await ha.login()
        endpoint = ha.url + URL(result["description_placeholders"]["webhook_url"]).path
        try:
            await throughput(ha, endpoint)
            await big_recordings(ha, endpoint)
        finally:
            await ha.stop()


if __name__ == "__main__":
    asyncio.run(main())
