"""Reads at a million calls in a real HA: text search and the media browser.

Issue 23's read targets (``get_recordings`` by text < 100 ms, browsing a day of
10 000 recordings < 300 ms, cold too; HA's RSS < 50 MiB over an empty store),
measured apart from ``benchmarks.scale`` so that they can be re-run in a few
minutes on a store filled once (``benchmarks.scale.fill``):

1. HA (the harness's configuration) starts with an empty store: its RSS.
2. HA is stopped, a copy of the filled store takes the entry's place, HA
   starts again: its RSS, then each text search (median of 7, through the REST
   API), then the media browser through the websocket as the frontend asks:
   the account (its days), the busy day (first request after the start: cold,
   then the median of 5), and its busiest hour (likewise); HA's RSS after.

Run: .venv/bin/python -m benchmarks.reads [filled.db --day YYYY-MM-DD]
(without a file, a 1 000 000-call store is filled first, ~3-5 min).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import shutil
import statistics
import sys
import tempfile
import time
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks._common import action, rss_mib, start_with_entry
from benchmarks._fill import ZONE, fill
from custom_components.m8com.store_db import remove_files
from e2e.harness import HomeAssistantProcess, WebSocket

TEXTS = ("invoice 32977", "invoice", "agent 3", "order", "agent 3 order")
"""A rare and a common word; only common words (1, 2 and 3 of them)."""
GROUPS = ("Group 0", "nobody")
"""A group of 200 000 calls, and one no call has."""
READS = 7


async def _ms(coro_fn: Any, times: int) -> tuple[float, float]:
    """(first, median of all) in milliseconds."""
    runs = []
    for _ in range(times):
        began = time.perf_counter()
        await coro_fn()
        runs.append((time.perf_counter() - began) * 1000)
    return runs[0], statistics.median(runs)


async def browse_figures(
    ha: HomeAssistantProcess, entry_id: str, day: str
) -> dict[str, float]:
    """The media browser as the frontend asks: the day, its busiest hour, the account.

    First request and median of 5 each; a busy day opens on its hours.
    """
    figures: dict[str, float] = {}
    async with WebSocket(ha) as ws:

        def browse(target: str) -> Any:
            return ws.command(
                {"type": "media_source/browse_media", "media_content_id": target}
            )

        account = f"media-source://m8com/{entry_id}"
        busy = f"{account}/{day}"
        figures["browse_day_first_ms"], figures["browse_day_ms"] = await _ms(
            lambda: browse(busy), 5
        )
        listing = await browse(busy)
        figures["browse_day_children"] = len(listing["children"])
        folders = [child for child in listing["children"] if child["can_expand"]]
        if folders:  # the day opens on its hours: the busiest one
            hour = max(
                folders,
                key=lambda child: int(child["title"].rsplit("(", 1)[-1].split()[0]),
            )["media_content_id"]
            figures["browse_hour_first_ms"], figures["browse_hour_ms"] = await _ms(
                lambda: browse(hour), 5
            )
            figures["browse_hour_children"] = len((await browse(hour))["children"])
        figures["browse_account_first_ms"], figures["browse_account_ms"] = await _ms(
            lambda: browse(account), 5
        )
    return figures


async def measure(ha: HomeAssistantProcess, entry_id: str, day: str) -> dict[str, Any]:
    """The reads on the store HA has now."""
    if ha.process is None:
        raise RuntimeError("HA is not running")
    pid = ha.process.pid
    figures: dict[str, Any] = {"rss_start_mib": rss_mib(pid)}
    figures |= await browse_figures(ha, entry_id, day)
    for text in TEXTS:
        first, median = await _ms(
            lambda text=text: action(ha, "get_recordings", {"text": text}), READS
        )
        figures[f"text {text!r} first / median ms"] = (
            round(first, 1),
            round(median, 1),
        )
    for group in GROUPS:
        first, median = await _ms(
            lambda group=group: action(ha, "get_recordings", {"answer_group": group}),
            READS,
        )
        figures[f"answer_group {group!r} first / median ms"] = [
            round(first),
            round(median),
        ]
    figures["rss_end_mib"] = rss_mib(pid)
    return figures


async def main() -> None:
    """Empty store, then the filled one, in one HA configuration."""
    source = Path(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] != "--day" else None
    busy = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    busy -= timedelta(days=2)
    day = busy.astimezone(ZoneInfo(ZONE)).date().isoformat()
    if "--day" in sys.argv:
        day = sys.argv[sys.argv.index("--day") + 1]
    with tempfile.TemporaryDirectory() as tmp:
        ha, result = await start_with_entry(Path(tmp) / "config")
        entry_id = result["result"]["entry_id"]
        try:
            await asyncio.sleep(10)  # let start-up settle before the RSS
            if ha.process is None:
                raise RuntimeError("HA is not running")
            empty = rss_mib(ha.process.pid)
        finally:
            await ha.stop()
        store = ha.config / ".storage" / f"m8com.{entry_id}.db"
        await asyncio.to_thread(remove_files, store)
        if source is None:
            await asyncio.to_thread(fill, store, 1_000_000, busy)
        else:
            await asyncio.to_thread(shutil.copyfile, source, store)
        await ha.start()
        await ha.login()
        try:
            await asyncio.sleep(10)
            figures = await measure(ha, entry_id, day)
        finally:
            await ha.stop()
    figures["rss_empty_store_mib"] = empty
    figures["rss_growth_over_empty_mib"] = figures["rss_end_mib"] - empty
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    asyncio.run(main())
