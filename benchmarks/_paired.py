"""Paired rounds against the peer, under the conditions another harness varied.

Issue 23 item 7: a second harness measured 0.47-0.63 of the equivalent
automation where ours measured ~1.0. It differed in four ways, each a switch
here, so that each can be measured alone and all together (``--item7``):

- ``--fixed-order``: ours first, then the peers, every round (ours rotate);
- ``--same-start``: every call of a burst has the same start time (a burst of
  calls that started together, as the other harness sent them);
- ``--frontend``: HA with ``frontend``, ``logbook`` and ``history`` loaded
  (they subscribe to the bus and the state machine);
- ``--subscribed``: a websocket client subscribed to the calls' events of
  every side, reading them as a dashboard would, during every burst.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import dataclass
from pathlib import Path
import statistics
import sys
import time

from benchmarks._load import GROUPS, Load, Names, measure
from e2e.harness import HomeAssistantProcess, WebSocket

FRONTEND = "frontend:\nlogbook:\nhistory:\n"
THREADS = "bench_threads:\n"


@dataclass(frozen=True)
class Conditions:
    """The harness variations of item 7 (all off: this project's own method)."""

    fixed_order: bool = False
    same_start: bool = False
    frontend: bool = False
    subscribed: bool = False

    @classmethod
    def from_argv(cls, argv: list[str] | None = None) -> Conditions:
        """``--item7`` sets every switch; each can be set alone too."""
        argv = sys.argv if argv is None else argv
        every = "--item7" in argv
        return cls(
            *(every or f"--{name.replace('_', '-')}" in argv for name in cls.names())
        )

    @staticmethod
    def names() -> tuple[str, ...]:
        """The switches, in field order."""
        return ("fixed_order", "same_start", "frontend", "subscribed")

    def __str__(self) -> str:
        """The switches that are on, or ``default``."""
        on = [name for name in self.names() if getattr(self, name)]
        return ", ".join(on) or "default"


@dataclass(frozen=True)
class Side:
    """One webhook measured in the rounds, and the bus event it fires."""

    url: str
    headers: dict[str, str]
    event: str


type Bodies = Callable[[int, int | None], list[bytes]]
"""``count`` call bodies; all with this start time (ms) when one is given."""


def thread_names(ha: HomeAssistantProcess) -> Names:
    """Ask the ``bench_threads`` component of ``ha`` (see THREADS) for names."""

    async def names() -> dict[int, str]:
        found = await ha.rest("GET", "/api/bench_threads")
        return {int(tid): name for tid, name in found.items()}

    return names


async def _drain(ws: WebSocket, seen: dict[str, int], types: dict[int, str]) -> None:
    """Read every event message as it comes, counting per subscription."""
    if ws.ws is None:
        raise RuntimeError("not connected")
    while True:
        message = await ws.ws.receive_json()
        if message.get("type") == "event":
            seen[types[message["id"]]] += 1


async def paired_rounds(  # noqa: PLR0913 - one run's whole setting
    ha: HomeAssistantProcess,
    sides: dict[str, Side],
    bodies: Bodies,
    conditions: Conditions,
    *,
    rounds: int,
    requests: int,
    settle: float,
) -> list[dict[str, Load]]:
    """``rounds`` rounds of one burst per side; the loads, per round and side."""
    if ha.process is None:
        raise RuntimeError("HA is not running")
    pid, names = ha.process.pid, list(sides)
    seen = dict.fromkeys(names, 0)
    async with contextlib.AsyncExitStack() as stack:
        if conditions.subscribed:
            ws = await stack.enter_async_context(WebSocket(ha))
            types = {await ws.subscribe(side.event): n for n, side in sides.items()}
            drain = asyncio.create_task(_drain(ws, seen, types))
            stack.callback(drain.cancel)
        results: list[dict[str, Load]] = []
        for n in range(rounds):
            order = names if conditions.fixed_order else names[n:] + names[:n]
            loads: dict[str, Load] = {}
            for name in order:
                started = a_minute_ago_ms() if conditions.same_start else None
                side = sides[name]
                loads[name] = await measure(
                    pid, side.url, side.headers, bodies(requests, started), settle,
                    names=thread_names(ha),
                )  # fmt: skip
            results.append(loads)
    if conditions.subscribed and min(seen.values()) < rounds * requests:
        raise RuntimeError(f"the subscribed client missed events: {seen}")
    return results


def a_minute_ago_ms() -> int:
    """A start time in M8Com's milliseconds: a call that started a minute ago."""
    return int(time.time() * 1000) - 60_000


def report(results: list[dict[str, Load]], ours: str, peer: str) -> tuple[float, float]:
    """Print every burst and the medians; return (throughput, CPU) ratios."""
    for n, loads in enumerate(results, 1):
        for name, r in loads.items():
            split = " ".join(f"{g} {r.threads.get(g, 0):.2f}" for g in GROUPS)
            print(
                f"round {n} {name:15}: {r.rps:7.1f} req/s, p50 {r.p50_ms:5.1f} ms, "
                f"p99 {r.p99_ms:5.1f} ms; HA CPU per request {r.total_ms:.2f} ms "
                f"({split})"
            )
    rps = [r[ours].rps / r[peer].rps for r in results]
    cpu = [r[ours].total_ms / r[peer].total_ms for r in results]
    print(
        f"{ours}/{peer}: throughput median {statistics.median(rps):.2f} "
        f"(rounds {', '.join(f'{x:.2f}' for x in rps)}); HA CPU per call median "
        f"{statistics.median(cpu):.2f} (rounds {', '.join(f'{x:.2f}' for x in cpu)})"
    )
    for name in (ours, peer):
        by = {
            g: statistics.median(r[name].threads.get(g, 0) for r in results)
            for g in GROUPS
        }
        p99 = statistics.median(r[name].p99_ms for r in results)
        print(
            f"  {name}: CPU ms per call, medians: "
            + ", ".join(f"{g} {v:.2f}" for g, v in by.items())
            + f"; p99 median {p99:.0f} ms"
        )
    return statistics.median(rps), statistics.median(cpu)


def config_extra(conditions: Conditions) -> str:
    """The YAML the conditions add to HA's configuration, names always."""
    return THREADS + (FRONTEND if conditions.frontend else "")


def link_thread_names(ha: HomeAssistantProcess) -> None:
    """Put the ``bench_threads`` component into ``ha``'s configuration."""
    target = ha.config / "custom_components" / "bench_threads"
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.symlink_to(Path(__file__).parent / "custom_components" / "bench_threads")
