"""Moving 0.2's call index (JSON snapshot + journal) into the call store, once.

Streaming, so memory stays bounded whatever the history: the snapshot is read
in chunks and decoded one call at a time, and calls are committed in batches.
Crash-safe without a marker: snapshot calls are added only if their id is new
(the first of an id wins, as 0.2 read them), journal changes newer than the
snapshot are applied in order (the last wins), and the old files are removed
only after the last commit. A kill at any point re-runs the same import at the
next start and ends in the same store: nothing lost, nothing doubled.

Damage never stops the account: a call that cannot be decoded is skipped
(with a warning naming its id), and a snapshot torn or damaged part-way keeps
the calls read before the damage and still replays the journal (the calls
acknowledged after the snapshot); the damaged snapshot is then set aside.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
import contextlib
import json
from pathlib import Path
import re
from typing import Any, BinaryIO, Final

from .call import Call
from .const import LOGGER
from .phone_numbers import region_of
from .store_db import Database
from .store_rows import numbers_of, to_row

BATCH: Final = 2000
"""Calls per transaction (one fsync each)."""
_CHUNK: Final = 1 << 20
_CALLS: Final = re.compile(r'"calls"\s*:\s*\[')
_SEQ: Final = re.compile(r'"seq"\s*:\s*(\d+)')


def legacy_files(db_path: Path) -> tuple[Path, Path]:
    """0.2's snapshot (``.storage/m8com.<entry_id>``) and journal (``….jsonl``)."""
    snapshot = db_path.with_suffix("")
    return snapshot, snapshot.with_name(f"{snapshot.name}.jsonl")


def import_legacy(
    db: Database, snapshot: Path, journal: Path, country: str | None
) -> tuple[int, ValueError | None]:
    """Import both files, then remove them.

    Returns how many calls the store then has, and the damage found in the
    snapshot, if any (the snapshot is then left in place, to be set aside).
    """
    region = region_of(country)
    covered, damage = 0, None
    if snapshot.exists():
        covered, damage = _import_snapshot(db, snapshot, region)
    if journal.exists():
        _import_journal(db, journal, covered, region)
    done = [journal, snapshot.with_name(f"{journal.name}.tmp")]
    for path in done if damage else [*done, snapshot]:
        path.unlink(missing_ok=True)
    ((count,),) = db.writer.execute("SELECT count(*) FROM calls").fetchall()
    return int(count), damage


def _import_snapshot(
    db: Database, snapshot: Path, region: str
) -> tuple[int, ValueError | None]:
    """Add the snapshot's calls whose id is new; return its journal ``seq``.

    A damaged snapshot keeps the calls read before the damage; the damage is
    returned.
    """
    seq = 0
    batch: list[Call] = []
    damage: ValueError | None = None
    try:
        for item in _stream_calls(snapshot):
            if isinstance(item, int):
                seq = item
                continue
            batch.append(item)
            if len(batch) >= BATCH:
                _commit(db, batch, region, replace=False)
                batch = []
    except ValueError as err:  # torn or damaged part-way
        damage = err
    _commit(db, batch, region, replace=False)
    return seq, damage


def _import_journal(db: Database, journal: Path, covered: int, region: str) -> None:
    """Replay the journal: 0.1.0's bare lines add, newer lines replace."""
    with journal.open("rb") as lines:
        for line in lines:
            try:
                data = json.loads(line)
            except ValueError:
                continue  # a torn last line was never acknowledged
            if not isinstance(data, dict):
                continue
            if isinstance(call := data.get("call"), dict):
                seq = data.get("seq")
                if isinstance(seq, int) and seq > covered:
                    _commit(db, _decoded(call), region, replace=True)
            elif "call_id" in data:
                _commit(db, _decoded(data), region, replace=False)


def _decoded(data: dict[str, Any]) -> list[Call]:
    """The call a stored dict describes, or none if it cannot be one (skipped).

    One malformed call (a field missing or of the wrong kind) must not stop
    the import, and with it the account, at every start.
    """
    try:
        call = Call.from_dict(data)
        to_row(call)
    except Exception as err:  # noqa: BLE001 - any undecodable call is skipped alike
        LOGGER.warning(
            "Skipped call %s of the 0.2 index: it cannot be read (%s)",
            data.get("call_id"),
            type(err).__name__,
        )
        return []
    return [call]


def _commit(db: Database, calls: list[Call], region: str, *, replace: bool) -> None:
    if not calls:
        return
    writer = db.writer
    writer.execute("BEGIN IMMEDIATE")
    try:
        for call in calls:
            row, numbers = to_row(call), numbers_of(call, region)
            if not db.insert(row, numbers) and replace:
                db.update(row, numbers)
        writer.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(Exception):
            writer.execute("ROLLBACK")
        raise


def _stream_calls(path: Path) -> Iterator[Call | int]:
    """Each call of a snapshot (and its ``seq`` first), 1 MiB read at a time."""
    with path.open("rb") as file:
        reader = _Reader(file)
        while (found := _CALLS.search(reader.text)) is None:
            if not reader.more():
                return
        if seq := _SEQ.search(reader.text, 0, found.start()):
            yield int(seq.group(1))
        reader.pos = found.end()
        while (data := reader.next_value()) is not None:
            if isinstance(data, dict):
                yield from _decoded(data)


class _Reader:
    """The elements of a JSON array, decoded one at a time from a file."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._decoder = json.JSONDecoder()
        self.text, self.pos = "", 0

    def more(self) -> bool:
        """Read the next chunk; False at the end of the file."""
        chunk = self._file.read(_CHUNK)
        self.text = self.text[self.pos :] + self._utf8.decode(chunk, final=not chunk)
        self.pos = 0
        return bool(chunk)

    def next_value(self) -> object | None:
        """The next element, or None after the array's ``]``."""
        while True:
            text = self.text
            while self.pos < len(text) and text[self.pos] in " \t\r\n,":
                self.pos += 1
            if self.pos >= len(text):
                if not self.more():
                    return None
                continue
            if text[self.pos] == "]":
                return None
            try:
                data: object
                data, self.pos = self._decoder.raw_decode(text, self.pos)
            except ValueError:
                if not self.more():
                    raise
                continue
            return data
