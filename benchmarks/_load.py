"""The load generator and the CPU accounting of the webhook throughput benchmark.

Requests per second alone hide where HA spends its time, so each load is also
charged with the CPU that HA's threads used: the event loop's thread (the
webhook handlers, the entities, the bus) and the others (mostly the recorder,
which turns every event and state change into database rows). Both are read
from ``/proc``, once when the load ends and once more after the recorder has
committed, because the recorder writes the rows of a burst only at its next
commit (every 5 s), after the burst's clock has stopped.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import os
from pathlib import Path
import time

import aiohttp

CONCURRENCY = 20


@dataclass(frozen=True)
class Load:
    """One side's figures for one burst of POSTs."""

    rps: float
    p50_ms: float
    p99_ms: float
    loop_ms: float
    """CPU of HA's event-loop thread per request, during the burst."""
    others_ms: float
    """CPU of HA's other threads (recorder, executor) per request, during it."""
    total_ms: float
    """CPU of all of HA's threads per request, including the recorder's commit."""


def cpu_ms(pid: int) -> tuple[float, float]:
    """CPU time used so far by a process: (its main thread, all other threads)."""
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    main = others = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a thread that just ended
            continue
        used = (int(fields[11]) + int(fields[12])) * tick_ms  # utime + stime
        if task.name == str(pid):
            main += used
        else:
            others += used
    return main, others


async def post_all(
    url: str, headers: dict[str, str], bodies: list[bytes]
) -> tuple[float, list[float]]:
    """POST every body with CONCURRENCY in flight: elapsed time and latencies."""
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
        return time.perf_counter() - began, sorted(latencies)


async def measure(
    pid: int, url: str, headers: dict[str, str], bodies: list[bytes], settle: float
) -> Load:
    """One burst, then ``settle`` seconds for the recorder to commit it."""
    main0, others0 = cpu_ms(pid)
    elapsed, latencies = await post_all(url, headers, bodies)
    main1, others1 = cpu_ms(pid)
    await asyncio.sleep(settle)
    main2, others2 = cpu_ms(pid)
    count = len(bodies)
    return Load(
        rps=count / elapsed,
        p50_ms=latencies[count // 2] * 1000,
        p99_ms=latencies[int(count * 0.99) - 1] * 1000,
        loop_ms=(main1 - main0) / count,
        others_ms=(others1 - others0) / count,
        total_ms=(main2 - main0 + others2 - others0) / count,
    )
