"""Library benchmark against a real HA process.

- setup of an entry whose index holds 50 000 calls (timed as a config-entry
  reload over REST, so unload + load + platforms: an upper bound);
- browsing one day that holds 10 000 recordings over the websocket.

Run: .venv/bin/python -m benchmarks.library
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import tempfile
import time

from benchmarks._common import start_with_entry, summary
from e2e.harness import WebSocket

TOTAL = 50_000
ONE_DAY = 10_000
ROUNDS = 5


def calls(day: datetime) -> list[dict[str, object]]:
    """50 000 saved calls: 10 000 on ``day``, the rest spread over a year."""
    result = []
    for n in range(TOTAL):
        start = (
            day + timedelta(seconds=n * 8)
            if n < ONE_DAY
            else day - timedelta(days=1 + n % 365, seconds=n)
        )
        result.append(
            {
                "call_id": n + 1,
                "received": start.isoformat(),
                "start_time": start.isoformat(),
                "end_time": (start + timedelta(minutes=2)).isoformat(),
                "caller_number": f"+4670{n:07d}",
                "callee_number": "+46812345678",
                "direction": "inbound" if n % 3 else "outbound",
                "talk_time": 120.0,
                "answer_group_id": "ag-1",
                "answer_group_name": "Support",
                "status": "saved",
                "files": [f"m8com/{start:%Y/%m/%d/%H%M%S}_{n + 1}.mp3"],
            }
        )
    return result


async def main() -> None:
    """Fill the index, restart HA, then time reloads and browsing."""
    with tempfile.TemporaryDirectory() as tmp:
        ha, result = await start_with_entry(Path(tmp) / "config")
        entry_id = result["result"]["entry_id"]
        await ha.stop()
        # Local midnight in the harness time zone (Europe/Stockholm, UTC+1):
        # 10 000 calls 8 s apart then fill one local day.
        day = datetime(2026, 11, 1, 23, 0, tzinfo=UTC)
        store = ha.config / ".storage" / f"m8com.{entry_id}"
        store.write_text(
            json.dumps(
                {
                    "version": 1,
                    "minor_version": 1,
                    "key": f"m8com.{entry_id}",
                    "data": {"calls": calls(day)},
                }
            )
        )
        print(f"index: {TOTAL} calls, {store.stat().st_size / 2**20:.1f} MiB on disk")
        await ha.start()
        await ha.login()
        try:
            reloads = []
            for _ in range(ROUNDS):
                began = time.perf_counter()
                await ha.rest(
                    "POST", f"/api/config/config_entries/entry/{entry_id}/reload"
                )
                reloads.append(time.perf_counter() - began)
            print(f"setup (reload) with {TOTAL} calls: {summary(reloads)}")
            async with WebSocket(ha) as ws:
                days = await ws.command(
                    {
                        "type": "media_source/browse_media",
                        "media_content_id": f"media-source://m8com/{entry_id}",
                    }
                )
                target = days["children"][0]["media_content_id"]
                browses = []
                count = 0
                for _ in range(ROUNDS):
                    began = time.perf_counter()
                    listing = await ws.command(
                        {
                            "type": "media_source/browse_media",
                            "media_content_id": target,
                        }
                    )
                    browses.append(time.perf_counter() - began)
                    count = len(listing["children"])
            print(
                f"browse one day ({count} recordings, {target.rsplit('/', 1)[1]}): "
                f"{summary(browses)}"
            )
        finally:
            await ha.stop()


if __name__ == "__main__":
    asyncio.run(main())
