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
