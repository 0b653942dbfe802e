"""The load generator and the CPU accounting of the throughput benchmarks.

Requests per second alone hide where HA spends its time, so each load is also
charged with the CPU that HA's threads used, read per thread from ``/proc``:
the event loop's thread (the webhook handlers, the entities, the bus), the
recorder's (it turns every event and state change into database rows), the
executor's ``SyncWorker`` threads (the call store's SQLite transactions run
there) and the rest. Read once when the load ends and once more after the
recorder has committed, because it writes the rows of a burst only at its next
commit (every 5 s), after the burst's clock has stopped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
import os
from pathlib import Path
import time

import aiohttp

CONCURRENCY = 20
GROUPS = ("loop", "recorder", "executor", "other")
"""HA's threads, as the CPU breakdown names them (``group``)."""

type Names = Callable[[], Awaitable[dict[int, str]]]
"""Native thread id -> Python thread name, asked of the HA process."""


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
    threads: dict[str, float] = field(default_factory=dict)
    """``total_ms`` by thread group (``GROUPS``), when the names are known."""


def group(pid: int, tid: int, names: dict[int, str]) -> str:
    """Which of ``GROUPS`` a thread belongs to."""
    name = names.get(tid, "")
    if tid == pid:
        return "loop"
    if name == "Recorder":
        return "recorder"
    if name.startswith("SyncWorker"):
        return "executor"
    return "other"


def cpu_by_thread(pid: int) -> dict[int, float]:
    """CPU milliseconds used so far by each thread of a process."""
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    used: dict[int, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a thread that just ended
            continue
        used[int(task.name)] = (int(fields[11]) + int(fields[12])) * tick_ms
    return used


def cpu_ms(pid: int) -> tuple[float, float]:
    """CPU time used so far by a process: (its main thread, all other threads)."""
    used = cpu_by_thread(pid)
    main = used.pop(pid, 0.0)
    return main, sum(used.values())


def by_group(
    pid: int, before: dict[int, float], after: dict[int, float], names: dict[int, str]
) -> dict[str, float]:
    """CPU milliseconds between two readings, per thread group."""
    totals = dict.fromkeys(GROUPS, 0.0)
    for tid, used in after.items():
        totals[group(pid, tid, names)] += used - before.get(tid, 0.0)
    return totals


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


async def measure(  # noqa: PLR0913 - one burst's whole setting
    pid: int,
    url: str,
    headers: dict[str, str],
    bodies: list[bytes],
    settle: float,
    *,
    names: Names | None = None,
) -> Load:
    """One burst, then ``settle`` seconds for the recorder to commit it."""
    start = cpu_by_thread(pid)
    elapsed, latencies = await post_all(url, headers, bodies)
    end = cpu_by_thread(pid)
    await asyncio.sleep(settle)
    settled = cpu_by_thread(pid)
    count = len(bodies)
    main0, main1 = start.get(pid, 0.0), end.get(pid, 0.0)
    threads = (
        {
            name: used / count
            for name, used in by_group(pid, start, settled, await names()).items()
        }
        if names is not None
        else {}
    )
    return Load(
        rps=count / elapsed,
        p50_ms=latencies[count // 2] * 1000,
        p99_ms=latencies[int(count * 0.99) - 1] * 1000,
        loop_ms=(main1 - main0) / count,
        others_ms=(sum(end.values()) - main1 - sum(start.values()) + main0) / count,
        total_ms=(sum(settled.values()) - sum(start.values())) / count,
        threads=threads,
    )
