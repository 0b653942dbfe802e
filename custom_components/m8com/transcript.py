"""What a transcription yields, and how it fails: shared by both kinds of engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class TranscriptionError(Exception):
    """A call could not be transcribed; ``retry`` tells whether to try again.

    ``missing``: the chosen entity, or its whole component, is not there (yet:
    an engine add-on may start after HA); ``ffmpeg``: HA's ffmpeg could not
    be started. Both are retried and raise a repair issue that says what to do.
    """

    def __init__(
        self, reason: str, *, retry: bool, missing: bool = False, ffmpeg: bool = False
    ) -> None:
        """Keep a reason fit for the log and the call's record."""
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.missing = missing
        self.ffmpeg = ffmpeg


@dataclass(slots=True)
class Transcript:
    """The text of a call and, from an AI task, what to do about it."""

    text: str
    summary: str | None = None
    action_items: list[str] = field(default_factory=list)
    callback_needed: bool | None = None

    @classmethod
    def from_ai(cls, data: Any) -> Transcript:
        """An AI task's structured answer, taking only what has the right type."""
        if not isinstance(data, dict):
            raise TranscriptionError(
                "the AI task gave no structured answer", retry=True
            )
        text = data.get("transcript")
        summary = data.get("summary")
        items = data.get("action_items")
        callback_needed = data.get("callback_needed")
        return cls(
            text=text.strip() if isinstance(text, str) else "",
            summary=summary.strip()
            if isinstance(summary, str) and summary.strip()
            else None,
            action_items=[str(item).strip() for item in items if str(item).strip()]
            if isinstance(items, list)
            else [],
            callback_needed=callback_needed
            if isinstance(callback_needed, bool)
            else None,
        )
