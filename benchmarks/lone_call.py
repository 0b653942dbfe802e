"""A lone call's disk writes in a real HA, split by the thread that wrote them.

``benchmarks.scale`` reads one number for the whole HA process. This starts
one HA (the harness's configuration, default recorder, the ``bench_threads``
component to name threads) with the integration and the equivalent
automation of ``benchmarks.webhook``, posts ``LONE`` lone calls to each, one
every ``GAP`` seconds, and reads ``/proc/<pid>/task/<tid>/io`` around each:
``write_bytes`` of the recorder's threads (``Recorder``, ``DbWorker_*``), of
the executor (``SyncWorker_*``: the call store's commits and checkpoints, and
HA's own ``.storage`` saves), and of the rest. Medians per lone call.

Caveat (see benchmarks/README.md): this machine's kernel charges a scattered
write a whole page-cache folio, so absolute bytes overstate; the split and the
difference between the two sides are the point.

Run: .venv/bin/python -m benchmarks.lone_call
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
import statistics
import tempfile

from yarl import URL

from benchmarks._common import JSON, OURS, start_with_entry
from benchmarks._load import post_all
from benchmarks._paired import Conditions, config_extra, link_thread_names
from benchmarks.scale import body
from benchmarks.webhook import AUTOMATIONS, DIY, automation, hook_id
from e2e.harness import HomeAssistantProcess

LONE = 5
GAP = 12.0
SETTLE = 20.0


def thread_bytes(pid: int) -> dict[int, int]:
    """``write_bytes`` of every live thread of ``pid``."""
    found: dict[int, int] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            lines = (task / "io").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            if line.startswith("write_bytes:"):
                found[int(task.name)] = int(line.split()[1])
    return found


def group(name: str) -> str:
    """Which part of HA a thread belongs to."""
    if name == "Recorder" or name.startswith("DbWorker"):
        return "recorder"
    if name.startswith("SyncWorker"):
        return "executor (store, .storage)"
    return "other"


async def lone_calls(
    ha: HomeAssistantProcess, url: str, headers: dict[str, str]
) -> dict[str, float]:
    """Median bytes per lone call, by thread group (and in all)."""
    if ha.process is None:
        raise RuntimeError("HA is not running")
    pid = ha.process.pid
    samples: list[Counter[str]] = []
    for _ in range(LONE):
        names = {
            int(t): n for t, n in (await ha.rest("GET", "/api/bench_threads")).items()
        }
        before = thread_bytes(pid)
        await post_all(url, headers, [body()])
        await asyncio.sleep(GAP)
        after = thread_bytes(pid)
        sample: Counter[str] = Counter()
        for tid, written in after.items():
            sample[group(names.get(tid, ""))] += written - before.get(tid, 0)
        sample["all"] = sum(sample.values())
        samples.append(sample)
    keys = {key for sample in samples for key in sample}
    return {key: statistics.median(s[key] for s in samples) for key in sorted(keys)}


async def main() -> None:
    """Ours, then the equivalent automation, in the same HA."""
    with tempfile.TemporaryDirectory() as tmp:
        ha, result = await start_with_entry(Path(tmp) / "config")
        await ha.stop()
        ha.automations = [automation(n, a) for n, a in AUTOMATIONS.items()]
        ha.extra_config = config_extra(Conditions())
        link_thread_names(ha)
        await ha.start()
        await ha.login()
        ours = ha.url + URL(result["description_placeholders"]["webhook_url"]).path
        peer = f"{ha.url}/api/webhook/{hook_id(DIY)}"
        try:
            await post_all(ours, OURS, [body() for _ in range(100)])
            await asyncio.sleep(SETTLE)
            for side, url, headers in (
                ("m8com", ours, OURS),
                ("automation", peer, JSON),
            ):
                figures = await lone_calls(ha, url, headers)
                print(
                    side,
                    {key: f"{value / 1024:.1f} KiB" for key, value in figures.items()},
                )
        finally:
            await ha.stop()


if __name__ == "__main__":
    asyncio.run(main())
