"""What the calls sensor shows of calls: the last one, and the recent ones.

Attribute rows and a markdown card read these; durations read as people say
them, and the customer comes first (the callee of an outbound call). All of
it is kept out of the recorder by the sensor.
"""

from __future__ import annotations

from typing import Any

from .call import Call
from .formatting import format_duration, media_id, party

LAST_CALL_ATTRIBUTES = (
    "last_call", "call_id", "caller", "caller_name", "callee", "callee_name",
    "direction", "answer_group",
    "agent", "talk_time", "wait_time", "summary", "recording",
    "transcript", "ai_summary", "callback_needed",
)  # fmt: skip
"""The last call's details, as dashboard ``attribute`` rows show them."""
RECENT_CALLS = "recent_calls"
RECENT_COUNT = 10
"""How many calls the ``recent_calls`` attribute lists (a markdown card's table)."""


def recent_call(call: Call) -> dict[str, Any]:
    """One row of the recent-calls table: the customer first, as titles say."""
    outbound = call.direction == "outbound"
    return {
        "time": call.started.isoformat(),
        "call_id": call.call_id,
        "who": party(
            call.callee_name if outbound else call.caller_name,
            call.callee_number if outbound else call.caller_number,
        ),
        "direction": call.direction,
        "talk_time": format_duration(call.talk_time),
        "summary": call.ai_summary or call.summary,
    }


def last_call_attributes(entry_id: str, call: Call | None) -> dict[str, Any]:
    """What a dashboard shows of the newest call (durations as people read them)."""
    if call is None:
        return dict.fromkeys(LAST_CALL_ATTRIBUTES)
    return {
        "last_call": call.started.isoformat(),
        "call_id": call.call_id,
        "caller": call.caller_number,
        "caller_name": call.caller_name,
        "callee": call.callee_number,
        "callee_name": call.callee_name,
        "direction": call.direction,
        "answer_group": call.answer_group_name or call.answer_group_id,
        "agent": call.agent_name or call.agent_id,
        "talk_time": None
        if call.talk_time is None
        else format_duration(call.talk_time),
        "wait_time": None
        if call.wait_time is None
        else format_duration(call.wait_time),
        "summary": call.summary,
        "transcript": call.transcript,
        "ai_summary": call.ai_summary,
        "callback_needed": call.callback_needed,
        # Known before the audio is saved (playable once it is): no second write.
        "recording": media_id(entry_id, call.call_id, 0)
        if call.urls or call.files
        else None,
    }


class RecentRows:
    """The ``recent_calls`` rows, each built once per version of its call.

    The sensor writes its state on every call, and nine of the ten rows were
    shown the call before. The store replaces a call's object when the call
    changes (``CallStore.async_update``), so a row is reused only for the very
    same object, and only while it still shows that call's summary (the one
    shown field set after a call is kept: the AI's). Rows are never changed
    in place, so consecutive states share them.
    """

    def __init__(self) -> None:
        """Nothing shown yet."""
        self._shown: dict[int, tuple[Call, dict[str, Any]]] = {}

    def __call__(self, calls: list[Call]) -> list[dict[str, Any]]:
        """The rows of ``calls``, in their order."""
        shown: dict[int, tuple[Call, dict[str, Any]]] = {}
        for call in calls:
            row = self._shown.get(call.call_id)
            if (
                row is None
                or row[0] is not call
                or row[1]["summary"] != (call.ai_summary or call.summary)
            ):
                row = (call, recent_call(call))
            shown[call.call_id] = row
        self._shown = shown
        return [row for _, row in shown.values()]
