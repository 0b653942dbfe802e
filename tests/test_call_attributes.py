"""The calls sensor's rows of recent calls: built once per version of a call."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from custom_components.m8com.call import Call
from custom_components.m8com.call_attributes import RecentRows, recent_call

RECEIVED = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def a_call(call_id: int) -> Call:
    """A kept call with a summary."""
    return Call(call_id, RECEIVED, caller_number="+46701234567", summary="Invoice")


def test_a_row_is_built_once_for_the_same_call() -> None:
    rows = RecentRows()
    first, second = a_call(1), a_call(2)
    before = rows([second, first])
    after = rows([a_call(3), second, first])
    assert after[1] is before[0]
    assert after[2] is before[1]
    assert after == [recent_call(c) for c in (a_call(3), second, first)]


def test_a_changed_call_gets_a_new_row() -> None:
    rows = RecentRows()
    call = a_call(1)
    (before,) = rows([call])
    replaced = copy.copy(call)  # what the store holds after async_update
    replaced.talk_time = 61.0
    (after,) = rows([replaced])
    assert after is not before
    assert after == recent_call(replaced)
    replaced.ai_summary = "Wants a refund"  # set in place by a transcription
    (last,) = rows([replaced])
    assert last["summary"] == "Wants a refund"


def test_calls_no_longer_shown_are_forgotten() -> None:
    rows = RecentRows()
    old = a_call(1)
    (before,) = rows([old])
    rows([a_call(2)])
    (again,) = rows([old])
    assert again is not before
    assert again == before
