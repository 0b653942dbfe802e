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
import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
import gc
from pathlib import Path
from typing import Any, Literal

from homeassistant.core import HomeAssistant
from homeassistant.helpers.json import json_bytes
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN, STORAGE_SAVE_DELAY, STORAGE_VERSION, URL_LIFETIME
from .journal import Journal
from .models import CallRecording

Status = Literal["pending", "saved", "failed", "filtered"]
_DATETIME_FIELDS = ("received", "start_time", "end_time", "links_received")


@dataclass(slots=True, repr=False)
class CallRecord:
    """What we keep of one call: metadata, where its audio went, and its fate.

    ``urls`` are bearer links; they are kept (in private storage only) while
    the download is pending so it can resume after a restart, then dropped.
    """

    call_id: int
    received: datetime
    start_time: datetime | None = None
    end_time: datetime | None = None
    caller_number: str | None = None
    callee_number: str | None = None
    direction: str = "unknown"
    talk_time: float | None = None
    wait_time: float | None = None
    agent_id: str | None = None
    agent_name: str | None = None
    answer_group_id: str | None = None
    answer_group_name: str | None = None
    referred_to: str | None = None
    referred_by: str | None = None
    recorder_id: str | None = None
    user_id: str | None = None
    summary: str | None = None
    status: Status = "pending"
    error: str | None = None
    files: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    links_received: datetime | None = None
    """When ``urls`` arrived, if later than ``received`` (an M8Com redelivery)."""

    @classmethod
    def from_payload(cls, call: CallRecording, received: datetime) -> CallRecord:
        """Flatten the validated payload into the record we store."""
        return cls(
            call_id=call.id,
            received=received,
            start_time=call.start_time,
            end_time=call.end_time,
            caller_number=call.caller_number,
            callee_number=call.callee_number,
            direction=call.direction_kind,
            talk_time=call.talk_time.total_seconds() if call.talk_time else None,
            wait_time=(
                call.wait_time.total_seconds() if call.wait_time is not None else None
            ),
            agent_id=call.agent_id,
            agent_name=call.agent_name,
            answer_group_id=call.answer_group_id,
            answer_group_name=call.answer_group_name,
            referred_to=call.referred_to,
            referred_by=call.referred_by,
            recorder_id=call.recorder_id,
            user_id=call.user_id,
            summary=call.summary,
            urls=list(call.file_urls),
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallRecord:
        """Rebuild a record from storage, ignoring keys a newer version added.

        This runs 50 000 times at setup for a large index, so it avoids
        per-field work where it can: most stored dicts need no key filtering.
        """
        values = (
            dict(data)
            if data.keys() <= _FIELDS
            else {key: value for key, value in data.items() if key in _FIELDS}
        )
        for key in _DATETIME_FIELDS:
            if (value := values.get(key)).__class__ is str:
                values[key] = _parse(value)
        return cls(**values)

    def __repr__(self) -> str:
        """Tracebacks may quote a record: no numbers, names or bearer links."""
        return f"<CallRecord {self.call_id} {self.status}>"

    @property
    def links_expire(self) -> datetime:
        """M8Com's links stop working 30 minutes after they were sent."""
        return (self.links_received or self.received) + URL_LIFETIME

    @property
    def started(self) -> datetime:
        """When the call began; the receipt time stands in if M8Com left it out."""
        return self.start_time or self.received

    def event_data(self, entry_id: str) -> dict[str, Any]:
        """The ``m8com_call_recording`` payload: snake_case, never the URLs."""
        return {
            "entry_id": entry_id,
            "call_id": self.call_id,
            "caller_number": self.caller_number,
            "callee_number": self.callee_number,
            "direction": self.direction,
            "start_time": _iso(self.start_time),
            "end_time": _iso(self.end_time),
            "talk_time": self.talk_time,
            "wait_time": self.wait_time,
            "agent_id": self.agent_id,
            "agent_name": self.agent_name,
            "answer_group_id": self.answer_group_id,
            "answer_group_name": self.answer_group_name,
            "referred_to": self.referred_to,
            "referred_by": self.referred_by,
            "recorder_id": self.recorder_id,
            "user_id": self.user_id,
            "summary": self.summary,
        }


_FIELDS = frozenset(f.name for f in dataclasses.fields(CallRecord))
_parse = datetime.fromisoformat


def local_day(record: CallRecord) -> date:
    """The day a call belongs to, in HA's time zone (as users read dates)."""
    return dt_util.as_local(record.started).date()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


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
