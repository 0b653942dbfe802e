"""What the call store writes per call, in-process, at two sizes of history.

``python -m benchmarks.scale`` measures what a whole HA process writes (its
recorder included) and cannot say which part grows. This one copies store
files (never writes to them), opens each copy with the integration's own
``Database`` (so pending schema steps run first), writes ``--calls`` calls
shaped like ``benchmarks.scale.body`` in group commits of ``--batch`` through
``store_commit.transaction_all`` (the production commit), and reports per call:

- WAL frames (1 KiB pages) the commits appended;
- ``wchar``: bytes SQLite passed to ``write()`` (WAL and checkpoints);
- ``write_bytes``: what the kernel accounted to the disk. A checkpoint writes
  each changed page once into the database file; a scattered 1 KiB page
  dirties a whole 4 KiB block, so this is the figure that grows with a large
  file and the one flash wear follows.

A final ``PASSIVE`` checkpoint is included, so every run pays for the pages it
changed. ``--by-table`` instead turns checkpoints off and attributes each
commit's WAL frames to the b-tree that owns the page (``dbstat``).

Run: .venv/bin/python -m benchmarks.store_writes SMALL.db BIG.db [--batch 1 10]
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import UTC, datetime, timedelta
import itertools
import os
from pathlib import Path
import shutil
import struct
import tempfile

from custom_components.m8com.call import Call
from custom_components.m8com.store_commit import Op, transaction_all
from custom_components.m8com.store_db import Database
from custom_components.m8com.store_rows import numbers_of, to_row

_FRAME_HEADER = 24
_WAL_HEADER = 32
ids = itertools.count(5_000_000)


def call() -> Call:
    """A call as ``benchmarks.scale.body`` posts it, that started a minute ago."""
    n = next(ids)
    now = datetime.now(UTC)
    return Call(
        call_id=n, received=now, start_time=now - timedelta(minutes=1),
        end_time=now, caller_number=f"+4673{n:07d}",
        callee_number=f"+468{n % 97:07d}", direction="inbound", talk_time=5.0,
        wait_time=1.0, agent_name=f"Agent {n % 13}",
        answer_group_name=f"Group {n % 5}", recorder_id=f"agent{n % 13}@example.se",
        summary=f"Benchmark call {n}: asked about invoice {n * 7}.", status="saved",
    )  # fmt: skip


def io() -> dict[str, int]:
    """The I/O counters of this process."""
    lines = Path("/proc/self/io").read_text().splitlines()
    return {key: int(value) for key, value in (line.split(": ") for line in lines)}


def insert(new: Call) -> Op:
    """The write ``CallStore.async_accept`` makes for a new call."""
    return lambda db: db.insert(to_row(new), numbers_of(new, "SE"))


def commits(db: Database, calls: int, batch: int) -> None:
    """``calls`` new calls, ``batch`` to a group commit."""
    for _ in range(calls // batch):
        transaction_all(db, [insert(call()) for _ in range(batch)])


def wal_commits(path: Path, page: int) -> list[list[int]]:
    """The page numbers of each commit's frames in an un-checkpointed WAL."""
    wal = Path(f"{path}-wal").read_bytes()
    size = page + _FRAME_HEADER
    found: list[list[int]] = []
    current: list[int] = []
    for start in range(_WAL_HEADER, len(wal) - size + 1, size):
        pgno, after_commit = struct.unpack(">II", wal[start : start + 8])
        current.append(pgno)
        if after_commit:
            found.append(current)
            current = []
    return found


def measure(source: Path, calls: int, batch: int, *, by_table: bool) -> None:
    """One copy of ``source``, ``calls`` written to it; print what it cost."""
    with tempfile.TemporaryDirectory(dir=source.parent) as folder:
        path = Path(folder) / "copy.db"
        shutil.copyfile(source, path)
        db = Database(path)
        db.open()
        writer = db.writer
        writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        os.sync()  # the copy's own writes are not the calls'
        (count,) = writer.execute("SELECT count(*) FROM calls").fetchone()
        (page,) = writer.execute("PRAGMA page_size").fetchone()
        label = f"{source.name} ({count} calls), commits of {batch}"
        if by_table:
            writer.execute("PRAGMA wal_autocheckpoint = 0")
            commits(db, calls, batch)
            found = wal_commits(path, page)
            owner = dict(writer.execute("SELECT pageno, name FROM dbstat"))
            tally = Counter(owner.get(pgno, "(new)") for c in found for pgno in c)
            frames = sum(tally.values()) / calls
            print(f"{label}: {frames:.1f} WAL frames per call")
            for name, n in tally.most_common():
                print(f"  {name:24} {n / calls:5.2f}")
        else:
            before = io()
            commits(db, calls, batch)
            writer.execute("PRAGMA wal_checkpoint(PASSIVE)")
            after = io()
            wchar = (after["wchar"] - before["wchar"]) / calls / 1024
            disk = (after["write_bytes"] - before["write_bytes"]) / calls / 1024
            print(
                f"{label}: wchar {wchar:.1f} KiB, write_bytes {disk:.1f} KiB per call"
            )
        db.close()


def main() -> None:
    """Each batch size, each store."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stores", nargs="+", type=Path)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--by-table", action="store_true")
    args = parser.parse_args()
    os.nice(5)  # a shared machine: the others' work first
    for batch in args.batch:
        for store in args.stores:
            measure(store, args.calls, batch, by_table=args.by_table)


if __name__ == "__main__":
    main()
