"""The bulk fill of ``benchmarks.scale``: a store of a million calls, fast.

Not through HTTP (1 000 000 POSTs would take hours here), but with the
integration's own row mapping (``store_rows.to_row``), so the rows are the
ones HA would have written.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
import random
from zoneinfo import ZoneInfo

from homeassistant.util import dt as dt_util

from custom_components.m8com.call import Call
from custom_components.m8com.store_db import Database
from custom_components.m8com.store_rows import to_row

BUSY_DAY = 10_000
ZONE = "Europe/Stockholm"
STEMS = ("fakt", "ord", "lev", "kund", "betal", "avt", "retur", "frakt", "pris")
WORDS = [f"{a}{b}" for a in STEMS for b in ("ura", "er", "ning", "are", "et", "or")]


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
