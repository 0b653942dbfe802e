"""The call journal: accepted calls, on disk before M8Com gets its 200.

The full index is saved with a debounce (a 50 000-call snapshot per call would
be absurd), so each accepted call is also appended to this small file and the
journal is folded into the snapshot at the next start. Appends are group
committed: calls that arrive together share one executor write, so a burst
from M8Com costs a handful of disk writes, not one hop per call. A write that
returns has reached the operating system, which survives an HA crash.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util.json import json_loads


class Journal:
    """``.storage/m8com.<entry_id>.jsonl``: one JSON line per accepted call."""

    def __init__(self, hass: HomeAssistant, path: Path) -> None:
        """Bind to the file; nothing is read or written yet."""
        self._hass = hass
        self.path = path
        self._lock = asyncio.Lock()  # one file operation at a time
        self._batch: list[bytes] = []
        self._batch_written: asyncio.Future[None] | None = None

    async def async_append(self, line: bytes) -> None:
        """Return once ``line`` is written; raise OSError if it could not be."""
        self._batch.append(line)
        if self._batch_written is None:
            self._batch_written = self._hass.loop.create_future()
            self._hass.async_create_task(self._async_flush(), eager_start=False)
        await self._batch_written

    async def _async_flush(self) -> None:
        async with self._lock:
            lines, written = self._batch, self._batch_written
            self._batch, self._batch_written = [], None
            if written is None:  # pragma: no cover - a flush is scheduled per batch
                return
            try:
                await self._hass.async_add_executor_job(self._write, b"".join(lines))
            except OSError as err:
                written.set_exception(err)
            else:
                written.set_result(None)

    async def async_drop(self, call_ids: set[int]) -> None:
        """Rewrite the journal without these calls (an erasure request)."""
        if self._batch_written is not None:
            await asyncio.shield(self._batch_written)
        async with self._lock:
            await self._hass.async_add_executor_job(self._drop, call_ids)

    async def async_read(self) -> list[dict[str, Any]]:
        """Every complete line (executor)."""
        return await self._hass.async_add_executor_job(self._read)

    async def async_remove(self) -> None:
        """Delete the file."""
        async with self._lock:
            await self._hass.async_add_executor_job(self.path.unlink, True)

    def _write(self, data: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab") as journal:
            journal.write(data)

    def _drop(self, call_ids: set[int]) -> None:
        kept = [line for line in self._lines() if _call_id(line) not in call_ids]
        if not kept:
            self.path.unlink(missing_ok=True)
            return
        temporary = self.path.with_suffix(".tmp")
        temporary.write_bytes(b"".join(line + b"\n" for line in kept))
        temporary.replace(self.path)

    def _lines(self) -> list[bytes]:
        try:
            return [line for line in self.path.read_bytes().splitlines() if line]
        except FileNotFoundError:
            return []

    def _read(self) -> list[dict[str, Any]]:
        # A torn last line (crash mid-append) was never acknowledged: skip it.
        records = []
        for line in self._lines():
            try:
                data = json_loads(line)
            except ValueError:
                continue
            if isinstance(data, dict):
                records.append(data)
        return records


def _call_id(line: bytes) -> Any:
    try:
        data = json_loads(line)
    except ValueError:
        return None
    return data.get("call_id") if isinstance(data, dict) else None
