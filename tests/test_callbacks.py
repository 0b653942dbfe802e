"""The callback rules, due times in working hours and how numbers read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest

from custom_components.m8com.call import Call
from custom_components.m8com.callbacks import (
    add_working_hours,
    display_number,
    due_time,
    needs_callback,
    who,
)

STOCKHOLM = "Europe/Stockholm"


def call(**fields: Any) -> Call:
    """An inbound call of two minutes, or what the test says."""
    values: dict[str, Any] = {
        "direction": "inbound",
        "talk_time": 120.0,
        "caller_number": "+46701234567",
        "callee_number": "+46812345678",
        "status": "saved",
    }
    return Call(call_id=1, received=dt_util.utcnow(), **(values | fields))


@pytest.mark.parametrize(
    ("options", "fields", "needed"),
    [
        ({}, {}, False),
        ({}, {"talk_time": 4.0}, True),
        ({}, {"talk_time": 0.0}, True),
        ({}, {"talk_time": None}, False),
        ({}, {"talk_time": 4.0, "direction": "outbound"}, False),
        ({"callback_short_call_seconds": 0}, {"talk_time": 4.0}, False),
        ({}, {"callback_needed": True}, True),
        ({"callback_when_ai_says": False}, {"callback_needed": True}, False),
        ({"callback_numbers": "070-123 45 67, +4611"}, {}, True),
        ({"callback_numbers": "+46701234567"}, {"direction": "outbound"}, False),
        ({"callback_numbers": "+46812345678"}, {"direction": "outbound"}, True),
        ({}, {"talk_time": 4.0, "status": "filtered"}, False),
        ({}, {"talk_time": 4.0, "callback": "done"}, False),
    ],
)
def test_needs_callback(
    options: dict[str, Any], fields: dict[str, Any], needed: bool
) -> None:
    assert needs_callback(options, call(**fields), "SE") is needed


@pytest.mark.parametrize(
    ("end", "hours", "due"),
    [
        ("2026-11-25 10:00", 4, "2026-11-25 14:00"),  # Wednesday
        ("2026-11-25 15:00", 4, "2026-11-26 10:00"),  # over the evening
        ("2026-11-25 06:30", 1, "2026-11-25 09:00"),  # before work starts
        ("2026-11-27 16:00", 4, "2026-11-30 11:00"),  # Friday to Monday
        ("2026-11-28 12:00", 4, "2026-11-30 12:00"),  # a Saturday call
        ("2026-11-25 18:00", 9, "2026-11-26 17:00"),  # a whole working day
    ],
)
async def test_due_counts_working_hours(
    hass: HomeAssistant, end: str, hours: float, due: str
) -> None:
    await hass.config.async_set_time_zone(STOCKHOLM)
    zone = dt_util.get_default_time_zone()
    start = datetime.fromisoformat(end).replace(tzinfo=zone)
    assert add_working_hours(start, hours).strftime("%Y-%m-%d %H:%M") == due


async def test_due_time_from_the_option(hass: HomeAssistant) -> None:
    end = dt_util.parse_datetime("2026-11-25T09:00:00+00:00")
    record = call(end_time=end)
    assert due_time({"callback_due_working_hours": 0}, record) is None
    assert due_time({}, record) is not None


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("+46701234567", "+46 70-123 45 67"),
        ("0701234567", "+46 70-123 45 67"),
        ("+14155552671", "+1 415-555-2671"),
        ("sip:anna@example.se", "sip:anna@example.se"),
        ("12", "12"),
        (None, None),
    ],
)
def test_numbers_read_as_people_write_them(
    number: str | None, shown: str | None
) -> None:
    assert display_number(number, "SE") == shown


def test_who_names_the_customer() -> None:
    assert who(call(caller_name="Anna"), "SE", "?") == "Anna (+46 70-123 45 67)"
    outbound = call(direction="outbound", callee_number=None, callee_name="Bo")
    assert who(outbound, "SE", "?") == "Bo"
    assert who(call(caller_number=None), "SE", "an unknown number") == (
        "an unknown number"
    )
