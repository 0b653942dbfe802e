"""One call as this integration keeps it: metadata, its files and its fate.

Flattened from M8Com's payload once, stored in the call store, and read by
the entities, the media browser and the actions. Its fate changes only
through the ``mark_*`` methods below, so every path (download, restart
recovery, redelivery, transcription) moves a call the same way.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.util import dt as dt_util

from .const import URL_LIFETIME, Callback, Direction, Status, Transcription

if TYPE_CHECKING:
    from .payload import CallPayload
    from .transcript import Transcript

CALL_DETAILS = (
    "call_id", "caller_number", "caller_name", "callee_number", "callee_name",
    "direction", "start_time",
    "end_time", "talk_time", "wait_time", "agent_id", "agent_name",
    "answer_group_id", "answer_group_name", "referred_to", "referred_by",
    "recorder_id", "user_id", "summary",
)  # fmt: skip
"""What the bus event and the event entity say about a call (never the URLs)."""
_DATETIME_FIELDS = (
    "received", "start_time", "end_time", "links_received",
    "callback_due", "callback_done_at",
)  # fmt: skip


DOWNLOAD_FIELDS: Final = ("files", "urls", "status", "error", "transcription")
"""What a download's end changes (``mark_downloaded``)."""
RECOVERY_FIELDS: Final = ("files", "urls", "status", "error")
"""What recovery changes (``mark_saved`` / ``mark_lost``)."""
RETRY_FIELDS: Final = ("urls", "links_received", "status", "error", "local_origin")
"""What a redelivery with fresh links changes (``retry_with``)."""
TRANSCRIPT_FIELDS: Final = (
    "transcript", "ai_summary", "action_items", "callback_needed",
    "transcription", "transcription_error", "transcript_file",
)  # fmt: skip
"""What a transcription's end changes (``mark_transcribed`` / ``…_failed``)."""
CALLBACK_FIELDS: Final = (
    "callback", "callback_item", "callback_due", "callback_done_at",
    "callback_done_by", "callback_summary", "callback_description",
)  # fmt: skip
"""What the callback list changes."""


@dataclass(slots=True, repr=False)
class Call:
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
    caller_name: str | None = None
    """From the phone book (option), when the number is in it."""
    callee_name: str | None = None
    direction: Direction = "unknown"
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
    local_origin: bool = False
    """The links came from a loopback or private address (see ``fetch_policy``)."""
    transcription: Transcription | None = None
    """Set when the account transcribes calls (option ``transcribe_with``)."""
    transcription_error: str | None = None
    transcript: str | None = None
    ai_summary: str | None = None
    """Made by an ``ai_task`` entity; M8Com's own ``summary`` is kept as sent."""
    action_items: list[str] = field(default_factory=list)
    callback_needed: bool | None = None
    transcript_file: str | None = None
    """The ``.txt`` beside the audio, relative to the media root."""
    callback: Callback | None = None
    """On the callback list (``callbacks.py``): open, done, or deleted by a user."""
    callback_item: int | None = None
    """The call that opened the to-do item this call belongs to (itself, or an
    earlier open call from the same number it joined)."""
    callback_due: datetime | None = None
    callback_done_at: datetime | None = None
    callback_done_by: str | None = None
    """The HA user who ticked the item off, where HA knows who did."""
    callback_summary: str | None = None
    """The item's text as a user edited it (None: written from the call)."""
    callback_description: str | None = None

    @classmethod
    def from_payload(cls, payload: CallPayload, received: datetime) -> Call:
        """Flatten the validated payload into the call we store.

        Every detail has the payload's attribute name, except the three that
        are converted (id, a normalised direction, durations in seconds).
        """
        values = {key: getattr(payload, key) for key in _COPIED}
        return cls(
            **values,
            call_id=payload.id,
            received=received,
            direction=payload.direction_kind,
            talk_time=_seconds(payload.talk_time),
            wait_time=_seconds(payload.wait_time),
            urls=list(payload.file_urls),
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Call:
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
        if values.get("error") == LOST_REASON and values.get("status") == "failed":
            values["status"] = "lost"  # how 0.1.0 stored a lost recording
        return cls(**values)

    def mark_downloaded(
        self, files: list[str], errors: list[str], *, transcribe: bool
    ) -> None:
        """The download ended: saved, or failed with its reasons.

        A call to transcribe is marked pending in the same commit as its
        audio, so a restart resumes the transcription.
        """
        self.files, self.urls = files, []
        self.status = "failed" if errors else "saved"
        self.error = "; ".join([*filter(None, [self.error]), *errors]) or None
        if files and transcribe:
            self.transcription = "pending"

    def mark_saved(self, found: list[str]) -> None:
        """Audio found on disk after a crash belongs to this call after all."""
        self.files = sorted({*self.files, *found})
        self.status, self.error, self.urls = "saved", None, []

    def mark_lost(self) -> None:
        """The links expired before the audio could be fetched."""
        self.status, self.error, self.urls = "lost", LOST_REASON, []

    def retry_with(self, urls: list[str], *, local_origin: bool, now: datetime) -> None:
        """A redelivery brought fresh links: fetch them again."""
        self.urls, self.links_received = urls, now
        self.status, self.error, self.local_origin = "pending", None, local_origin

    def mark_transcribed(self, transcript: Transcript, text_file: str) -> None:
        """The engine's transcript (and AI summary), and where its ``.txt`` is."""
        self.transcript, self.ai_summary = transcript.text, transcript.summary
        self.action_items = transcript.action_items
        self.callback_needed = transcript.callback_needed
        self.transcription, self.transcription_error = "done", None
        self.transcript_file = text_file

    def mark_transcription_failed(self, reason: str) -> None:
        """Transcription gave up (after its retries)."""
        self.transcription, self.transcription_error = "failed", reason

    def __repr__(self) -> str:
        """Tracebacks may quote a record: no numbers, names or bearer links."""
        return f"<Call {self.call_id} {self.status}>"

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
        data: dict[str, Any] = {"entry_id": entry_id}
        for key in CALL_DETAILS:
            value = getattr(self, key)
            data[key] = value.isoformat() if isinstance(value, datetime) else value
        return data


_FIELDS = frozenset(f.name for f in dataclasses.fields(Call))
_COPIED = tuple(
    key
    for key in CALL_DETAILS
    if key
    not in {
        "call_id",
        "direction",
        "talk_time",
        "wait_time",
        "caller_name",
        "callee_name",
    }
)
LOST_REASON = "recording link expired before it could be downloaded"
_parse = datetime.fromisoformat


def local_day(record: Call) -> date:
    """The day a call belongs to, in HA's time zone (as users read dates)."""
    return dt_util.as_local(record.started).date()


def _seconds(value: timedelta | None) -> float | None:
    """A zero duration is a real value (a call nobody answered), not a missing one."""
    return None if value is None else value.total_seconds()
