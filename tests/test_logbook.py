"""The logbook describes each call in one line of ours."""

from __future__ import annotations

from typing import Any

from homeassistant.core import Event, HomeAssistant

from custom_components.m8com.formatting import describe
from custom_components.m8com.logbook import async_describe_events


async def test_logbook_line(hass: HomeAssistant) -> None:
    described: dict[str, Any] = {}
    async_describe_events(hass, lambda _domain, e, fn: described.update({e: fn}))
    event = Event(
        "m8com_call_recording",
        {
            "direction": "inbound",
            "caller_number": "+46701234567",
            "answer_group_name": "Support",
            "talk_time": 158.0,
        },
    )
    assert described["m8com_call_recording"](event) == {
        "name": "M8Com",
        "message": "Inbound call from +46701234567 to Support, 2 min 38 s",
    }

    assert describe({"talk_time": 5}) == "Call from unknown to unknown, 5 s"
    outbound = {
        "direction": "outbound",
        "caller_number": "+46812345678",
        "callee_number": "+46701234567",
        "agent_name": "Anna",
        "answer_group_name": "Sales",
        "talk_time": 65,
    }
    assert (
        describe(outbound) == "Outbound call to +46701234567 by Anna (Sales), 1 min 5 s"
    )
    assert describe({**outbound, "agent_name": None}) == (
        "Outbound call to +46701234567 by Sales, 1 min 5 s"
    )
    inbound = {
        "direction": "inbound",
        "caller_number": "+4670",
        "callee_number": "+468",
    }
    assert describe(inbound) == "Inbound call from +4670 to +468, -"
