"""The per-entry call index: deduplication, status and persistence.

M8Com retries anything that is not answered 200, so the same call id can
arrive many times; this index is what makes every call count exactly once,
across restarts too. The full index lives in a ``Store`` written with a
debounce (a snapshot of 50 000 calls is too big to write per call), and each
accepted call is also appended to a small journal beside it *before* the
webhook answers 200, so an accepted call survives a crash between the two.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
import gc
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.json import json_bytes
from homeassistant.helpers.storage import Store

from .const import DOMAIN, STORAGE_SAVE_DELAY, STORAGE_VERSION
from .journal import Journal
from .record import CallRecord, local_day

__all__ = ["CallRecord", "RecordingIndex", "local_day"]


class RecordingIndex:
    """All calls of one config entry, keyed by M8Com's call id."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Bind the index to its Store and journal under ``.storage``."""
        self._hass = hass
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}", private=True
        )
        self._journal = Journal(
            hass, Path(hass.config.path(".storage", f"{DOMAIN}.{entry_id}.jsonl"))
        )
        self.calls: dict[int, CallRecord] = {}
        self.days: defaultdict[date, dict[int, CallRecord]] = defaultdict(dict)
        """Kept calls by local start day: the media browser and the daily count."""

    async def async_load(self) -> None:
        """Load the snapshot, replay the journal, and fold it into a new snapshot."""
        stored = await self._store.async_load() or {}
        replayed = await self._journal.async_read()
        await self._hass.async_add_executor_job(
            self._build, [*stored.get("calls", []), *replayed]
        )
        if replayed:
            await self._store.async_save(self._snapshot())
            await self._journal.async_remove()

    async def async_accept(self, record: CallRecord) -> bool:
        """Record a new call durably; False if its id is already known.

        The id is claimed before the journal write so that a concurrent
        retry of the same call is recognised as a repeat, and released
        again if the write fails so that M8Com's next retry is accepted.
        """
        if record.call_id in self.calls:
            return False
        self._add(record)
        try:
            await self._journal.async_append(json_bytes(record) + b"\n")
        except OSError:
            self.remove(record.call_id)
            raise
        self.async_schedule_save()
        return True

    def remove(self, call_id: int) -> CallRecord | None:
        """Drop a call from the index (the caller deals with its files)."""
        record = self.calls.pop(call_id, None)
        if record is not None and record.status != "filtered":
            day = local_day(record)
            self.days[day].pop(call_id, None)
            if not self.days[day]:
                del self.days[day]
        return record

    def count_on(self, day: date) -> int:
        """How many calls (filtered ones excluded) started on a local day."""
        return len(self.days.get(day, ()))

    async def async_erase(self, call_ids: set[int]) -> None:
        """Forget calls everywhere on disk now: snapshot and journal.

        An erasure request must not leave the caller's number in the journal
        until the next restart, nor let a restart bring the call back.
        """
        for call_id in call_ids:
            self.remove(call_id)
        await self._journal.async_drop(call_ids)
        await self._store.async_save(self._snapshot())

    def async_schedule_save(self) -> None:
        """Debounce the full snapshot; the journal covers the gap."""
        self._store.async_delay_save(self._snapshot, STORAGE_SAVE_DELAY)

    async def async_remove_storage(self) -> None:
        """Forget everything when the entry is deleted (personal data)."""
        await self._store.async_remove()
        await self._journal.async_remove()

    def _build(self, stored: list[dict[str, Any]]) -> None:
        """Turn stored dicts into records, in the executor (before the entry is up).

        Tens of thousands of new objects trigger the cyclic garbage collector
        over and over; nothing here makes cycles, so it is paused for the loop
        (the only measurable cost of a 50 000-call setup otherwise).
        """
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for data in stored:
                record = CallRecord.from_dict(data)
                if record.call_id not in self.calls:
                    self._add(record)
        finally:
            if was_enabled:
                gc.enable()

    def _add(self, record: CallRecord) -> None:
        self.calls[record.call_id] = record
        if record.status != "filtered":
            self.days[local_day(record)][record.call_id] = record

    def _snapshot(self) -> dict[str, Any]:
        # Store calls this in its executor thread; list() of a dict is atomic
        # under the GIL, and orjson turns the slotted dataclasses into JSON
        # there, so a 50 000-call snapshot costs the event loop nothing.
        return {"calls": list(self.calls.values())}
