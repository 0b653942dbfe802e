"""The call journal: every change of a call, on disk before it counts.

The full index is a ``Store`` snapshot (50 000 calls are too many to rewrite
per change), so each change that must survive a crash (a call accepted, its
audio saved or failed, a retry) is appended here as one line first. Lines
carry a sequence number; the snapshot records the last one it contains, so
at start-up only newer lines are replayed, and after each snapshot the lines
it covers are dropped (compaction): the file holds seconds of changes.

Appends are group committed: changes that arrive together share one executor
write and one ``fsync``, so a 200 means the call is on the disk itself (it
survives a power cut, not only a crash), at the price of one ``fsync`` per
burst rather than per call. The file and its temporary copies are 0600: they
hold phone numbers and bearer links.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
import os
from pathlib import Path
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.util.json import json_loads

_MODE: Final = 0o600
_APPEND: Final = os.O_WRONLY | os.O_APPEND | os.O_CREAT
_CREATE: Final = os.O_WRONLY | os.O_TRUNC | os.O_CREAT


class Journal:
    """``.storage/m8com.<entry_id>.jsonl``: ``{"seq": n, "call": {...}}`` lines."""

    def __init__(self, hass: HomeAssistant, path: Path) -> None:
        """Bind to the file; nothing is read or written yet."""
        self._hass = hass
        self.path = path
        self.seq = 0
        """The last sequence number handed out."""
        self._lock = asyncio.Lock()  # one file operation at a time
        self._batch: list[bytes] = []
        self._batch_written: asyncio.Future[None] | None = None

    def next_line(self, encode: Callable[[dict[str, Any]], bytes], call: Any) -> bytes:
        """Number a change and encode its line; raises before anything is kept."""
        line = encode({"seq": self.seq + 1, "call": call}) + b"\n"
        self.seq += 1
        return line

    async def async_append(self, line: bytes) -> None:
        """Return once ``line`` is on disk (fsynced); raise OSError if not."""
        self._batch.append(line)
        if self._batch_written is None:
            self._batch_written = self._hass.loop.create_future()
            self._hass.async_create_task(self._async_flush(), eager_start=False)
        await asyncio.shield(self._batch_written)

    async def _async_flush(self) -> None:
        async with self._lock:
            lines, written = self._batch, self._batch_written
            self._batch, self._batch_written = [], None
            if written is None:  # pragma: no cover - a flush is scheduled per batch
                return
            try:
                await self._hass.async_add_executor_job(self._write, b"".join(lines))
            except BaseException as err:
                # Whatever it is, every waiting delivery must get its 503 now.
                written.set_exception(
                    err if isinstance(err, Exception) else OSError("write cancelled")
                )
                if not isinstance(err, Exception):
                    raise
            else:
                written.set_result(None)

    async def async_settle(self) -> None:
        """Wait for the batch in flight, if any (before a rewrite)."""
        if (written := self._batch_written) is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(written)

    async def async_compact(self, upto: int) -> None:
        """Drop the lines a snapshot now holds (``seq <= upto``)."""
        await self.async_settle()
        async with self._lock:
            await self._hass.async_add_executor_job(
                self._rewrite, lambda seq, _: seq > upto
            )

    async def async_drop(self, call_ids: set[int]) -> None:
        """Rewrite the journal without these calls (an erasure request)."""
        await self.async_settle()
        async with self._lock:
            await self._hass.async_add_executor_job(
                self._rewrite, lambda _, call_id: call_id not in call_ids
            )

    async def async_read(self) -> list[tuple[int, dict[str, Any]]]:
        """Every complete line as ``(seq, call)``; sets ``seq`` past them."""
        entries = await self._hass.async_add_executor_job(self._read)
        self.seq = max([self.seq, *(seq for seq, _ in entries)])
        return entries

    async def async_remove(self) -> None:
        """Delete the file."""
        await self.async_settle()
        async with self._lock:
            await self._hass.async_add_executor_job(self.path.unlink, True)

    def _write(self, data: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        fd = os.open(self.path, _APPEND, _MODE)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            _fsync_dir(self.path.parent)

    def _rewrite(self, keep: Callable[[int, Any], bool]) -> None:
        lines = self._lines()
        kept = [line for line in lines if keep(*_key(line))]
        if len(kept) == len(lines):
            return
        if not kept:
            self.path.unlink(missing_ok=True)
            return
        temporary = self.path.with_suffix(".tmp")
        fd = os.open(temporary, _CREATE, _MODE)
        try:
            os.write(fd, b"".join(line + b"\n" for line in kept))
            os.fsync(fd)
        finally:
            os.close(fd)
        temporary.replace(self.path)
        _fsync_dir(self.path.parent)

    def _lines(self) -> list[bytes]:
        try:
            return [line for line in self.path.read_bytes().splitlines() if line]
        except FileNotFoundError:
            return []

    def _read(self) -> list[tuple[int, dict[str, Any]]]:
        # A torn last line (crash mid-append) was never acknowledged: skip it.
        entries = []
        for line in self._lines():
            seq, call = _decode(line)
            if call is not None:
                entries.append((seq, call))
        return entries


def _decode(line: bytes) -> tuple[int, dict[str, Any] | None]:
    """``(seq, call)``; a line from 0.1.0 is a bare call with no seq (0)."""
    try:
        data = json_loads(line)
    except ValueError:
        return 0, None
    if not isinstance(data, dict):
        return 0, None
    if isinstance(call := data.get("call"), dict):
        seq = data.get("seq")
        return (seq if isinstance(seq, int) else 0), call
    return 0, data


def _key(line: bytes) -> tuple[int, Any]:
    seq, call = _decode(line)
    return seq, None if call is None else call.get("call_id")


def _fsync_dir(folder: Path) -> None:
    """Make a created or renamed file's directory entry durable too."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
