"""The per-entry call index: deduplication, status and persistence.

M8Com retries anything that is not answered 200, so the same call id can
arrive many times; this index is what makes every call count exactly once,
across restarts too. The full index lives in a ``Store`` snapshot (too big to
write per change); every change that must survive (accepted, saved, failed,
retried) is first committed to the journal beside it, and erasures rewrite
both at once. The snapshot is written at most ``STORAGE_SAVE_DELAY`` seconds
after the first unsaved change, however steady the traffic (HA's own
``async_delay_save`` would re-arm on every call and never write under load),
and each snapshot compacts the journal it makes redundant.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import date, datetime
import gc
from pathlib import Path
from typing import Any

from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.json import json_bytes
from homeassistant.helpers.storage import Store

from .call import Call, local_day
from .const import DOMAIN, LOGGER, STORAGE_SAVE_DELAY, STORAGE_VERSION
from .journal import Journal

__all__ = ["Call", "CallIndex", "local_day"]


class CallIndex:
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
        self._save_timer: CALLBACK_TYPE | None = None
        self._saving: asyncio.Task[None] | None = None
        self._unsub_final_write: CALLBACK_TYPE | None = None
        self.calls: dict[int, Call] = {}
        self.days: defaultdict[date, dict[int, Call]] = defaultdict(dict)
        """Kept calls by local start day: the media browser and the daily count."""

    async def async_load(self) -> None:
        """Load the snapshot, replay newer journal lines, fold them in a snapshot."""
        stored = await self._store.async_load() or {}
        covered = stored.get("seq", 0)
        self._journal.seq = covered
        entries = await self._journal.async_read()
        # 0.1.0 journals hold bare calls (seq 0) that only add unknown ids.
        legacy = [call for seq, call in entries if seq == 0]
        newer = [call for seq, call in entries if seq > covered]
        await self._hass.async_add_executor_job(
            self._build, [*stored.get("calls", []), *legacy], newer
        )
        if entries:
            await self._async_save_now()
        self._unsub_final_write = self._hass.bus.async_listen_once(
            EVENT_HOMEASSISTANT_FINAL_WRITE, self._async_final_write
        )

    async def async_accept(self, record: Call) -> bool:
        """Record a new call durably; False if its id is already known.

        The id is claimed before the journal write so that a concurrent
        retry of the same call is recognised as a repeat, and released
        again if anything fails before the write returns, so that M8Com's
        next retry is accepted (a claim must never outlive a non-200).
        """
        if record.call_id in self.calls:
            return False
        line = self._journal.next_line(json_bytes, record)  # raises before claiming
        self._add(record)
        try:
            await self._journal.async_append(line)
        except BaseException:
            self.remove(record.call_id)
            raise
        self.async_schedule_save()
        return True

    async def async_commit(self, record: Call) -> None:
        """Make a change of a known call durable now (journal line, fsynced)."""
        if self.calls.get(record.call_id) is not record:
            return  # erased meanwhile: nothing of it may be written again
        await self._journal.async_append(self._journal.next_line(json_bytes, record))
        self.async_schedule_save()

    def remove(self, call_id: int) -> Call | None:
        """Drop a call from the index (the caller deals with its files)."""
        record = self.calls.pop(call_id, None)
        if record is not None and record.status != "filtered":
            day = local_day(record)
            self.days[day].pop(call_id, None)
            if not self.days[day]:
                del self.days[day]
        return record

    def newest(self) -> Call | None:
        """The kept call that started last (None when there is none)."""
        if not self.days:
            return None
        return max(self.days[max(self.days)].values(), key=lambda call: call.started)

    def recent(self, count: int) -> list[Call]:
        """The ``count`` kept calls that started last, newest first.

        Walks the days from the newest, so the cost is that of the few days
        the calls are on, not of the whole index.
        """
        found: list[Call] = []
        for day in sorted(self.days, reverse=True):
            found.extend(
                sorted(self.days[day].values(), key=lambda c: c.started, reverse=True)
            )
            if len(found) >= count:
                break
        return found[:count]

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
        await self._async_save_now()

    @callback
    def async_schedule_save(self) -> None:
        """Snapshot within STORAGE_SAVE_DELAY s of the first unsaved change.

        Not a trailing debounce: later changes do not push the write out.
        """
        if self._save_timer is None:
            self._save_timer = async_call_later(
                self._hass, STORAGE_SAVE_DELAY, self._async_timer_fired
            )

    @callback
    def _async_timer_fired(self, _now: datetime) -> None:
        self._save_timer = None
        self._saving = self._hass.async_create_background_task(
            self._async_save_now(), f"{DOMAIN} snapshot", eager_start=True
        )

    async def _async_save_now(self) -> None:
        """Write the snapshot, then drop the journal lines it covers.

        A failed write leaves the journal whole (nothing is lost) and is
        tried again at the next change.
        """
        if self._save_timer is not None:
            self._save_timer()
            self._save_timer = None
        covered = self._journal.seq
        try:
            await self._store.async_save(self._snapshot(covered))
        except Exception:  # noqa: BLE001 - the journal still holds every change
            LOGGER.exception("Could not write the call index; the journal keeps it")
            return
        await self._journal.async_compact(covered)

    async def async_close(self) -> None:
        """On unload or HA's final write: the pending snapshot, now."""
        if self._unsub_final_write is not None:
            self._unsub_final_write()
            self._unsub_final_write = None
        if self._save_timer is not None:
            await self._async_save_now()
        elif self._saving is not None and not self._saving.done():
            await self._saving

    async def _async_final_write(self, _event: Event) -> None:
        self._unsub_final_write = None  # a once-listener is gone after firing
        await self.async_close()

    async def async_remove_storage(self) -> None:
        """Forget everything when the entry is deleted (personal data)."""
        if self._save_timer is not None:
            self._save_timer()
            self._save_timer = None
        await self._store.async_remove()
        await self._journal.async_remove()

    def _build(self, stored: list[dict[str, Any]], newer: list[dict[str, Any]]) -> None:
        """Turn stored dicts into records, in the executor (before the entry is up).

        ``stored`` adds calls (the first of an id wins); ``newer`` are journal
        changes after the snapshot, applied in order (the last one wins).

        Tens of thousands of new objects trigger the cyclic garbage collector
        over and over; nothing here makes cycles, so it is paused for the loop
        (the only measurable cost of a 50 000-call setup otherwise).
        """
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for data in stored:
                record = Call.from_dict(data)
                if record.call_id not in self.calls:
                    self._add(record)
            for data in newer:
                record = Call.from_dict(data)
                self.remove(record.call_id)
                self._add(record)
        finally:
            if was_enabled:
                gc.enable()

    def _add(self, record: Call) -> None:
        self.calls[record.call_id] = record
        if record.status != "filtered":
            self.days[local_day(record)][record.call_id] = record

    def _snapshot(self, covered: int) -> dict[str, Any]:
        # orjson turns the slotted dataclasses into JSON in Store's executor
        # job, so a 50 000-call snapshot costs the event loop one list().
        # ``seq``: the journal lines this snapshot holds (replay skips them).
        return {"seq": covered, "calls": list(self.calls.values())}
