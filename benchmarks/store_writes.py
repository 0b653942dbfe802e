"""What the call store writes per call, in-process, at two sizes of history.

``python -m benchmarks.scale`` measures what a whole HA process writes (its
recorder included) and cannot say which part grows. This one copies store
files (never writes to them), opens each copy with the integration's own
``Database`` (so pending schema steps run first), writes ``--calls`` calls
shaped like ``benchmarks.scale.body`` in group commits of ``--batch`` through
``store_commit.transaction_all`` (the production commit), with checkpoints
off, then reads the WAL and reports per call:

- the WAL frames (pages) the commits appended;
- the 4 KiB blocks they make a disk write: the WAL appends (each commit
  rewrites the block it starts in), plus what a checkpoint every 1 000 frames
  (SQLite's default) or every 10 000 would write: each changed page once into
  the database file, a whole block per scattered page. This is the figure that
  grows with a large file, and the one flash wear follows.

Not ``/proc/self/io``'s ``write_bytes``: on this machine's kernel (6.18, ext4
with large folios) a 1 KiB write into a large cached file is charged a whole
folio, up to 16x the block, so it overstates scattered writes (measured: 116
KiB a call at 1 000 000 calls where the blocks add up to ~16 KiB).
``--by-table`` attributes the frames to the b-tree that owns each page
(``dbstat``).

Run: .venv/bin/python -m benchmarks.store_writes SMALL.db BIG.db [--batch 1 10]
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import UTC, datetime, timedelta
import itertools
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
_BLOCK = 4096
WINDOWS = (1000, 10_000)
"""WAL frames between checkpoints: SQLite's default, and ten times that."""
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


def blocks_written(found: list[list[int]], page: int, window: int) -> float:
    """4 KiB blocks the commits write (WAL appends, then checkpoints), total.

    Each commit appends its frames to the WAL (the block it starts in is
    written again); every ``window`` frames a checkpoint writes each changed
    page once into the database file, a whole block per scattered page.
    """
    frame = page + _FRAME_HEADER
    total = 0
    offset = _WAL_HEADER
    since = 0
    changed: set[int] = set()
    for pages in found:
        end = offset + len(pages) * frame
        total += -(-end // _BLOCK) - offset // _BLOCK
        offset = end
        changed.update((pgno - 1) * page // _BLOCK for pgno in pages)
        since += len(pages)
        if since >= window:
            total += len(changed)
            changed, since, offset = set(), 0, _WAL_HEADER
    return total + len(changed)


def measure(source: Path, calls: int, batch: int, *, by_table: bool) -> None:
    """One copy of ``source``, ``calls`` written to it; print what it cost."""
    with tempfile.TemporaryDirectory(dir=source.parent) as folder:
        path = Path(folder) / "copy.db"
        shutil.copyfile(source, path)
        db = Database(path)
        db.open()
        writer = db.writer
        writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (count,) = writer.execute("SELECT count(*) FROM calls").fetchone()
        (page,) = writer.execute("PRAGMA page_size").fetchone()
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        commits(db, calls, batch)
        found = wal_commits(path, page)
        frames = sum(map(len, found)) / calls
        print(
            f"{source.name} ({count} calls, {page} B pages), commits of {batch}: "
            f"{frames:.1f} WAL frames a call; KiB written a call (4 KiB blocks) "
            + ", ".join(
                f"checkpoint every {window}: "
                f"{blocks_written(found, page, window) * 4 / calls:.1f}"
                for window in WINDOWS
            )
        )
        if by_table:
            owner = dict(writer.execute("SELECT pageno, name FROM dbstat"))
            tally = Counter(owner.get(pgno, "(new)") for c in found for pgno in c)
            for name, n in tally.most_common():
                print(f"  {name:24} {n / calls:5.2f} frames a call")
        db.close()


def main() -> None:
    """Each batch size, each store."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stores", nargs="+", type=Path)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--by-table", action="store_true")
    args = parser.parse_args()
    for batch in args.batch:
        for store in args.stores:
            measure(store, args.calls, batch, by_table=args.by_table)


if __name__ == "__main__":
    main()
