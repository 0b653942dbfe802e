"""The media browser's rows title a recording exactly as the whole call does."""

from __future__ import annotations

from datetime import date, timedelta

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com.call import Call, local_day
from custom_components.m8com.formatting import recording_title


async def test_a_listing_titles_like_its_call(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    store = loaded_entry.runtime_data.store
    now = dt_util.start_of_local_day(date(2026, 3, 10)) + timedelta(hours=12)
    full = Call(
        call_id=1,
        received=now,
        start_time=now - timedelta(minutes=3),
        caller_number="+46701234567",
        caller_name="Anna Kund",
        callee_number="+468123456",
        direction="outbound",
        talk_time=158.0,
        agent_name="Bo Agent",
        answer_group_name="Support",
        status="saved",
        files=["m8com/a.mp3", "m8com/b.wav"],
        transcript="Hello, I am calling about   invoice 123.\n" * 40,
    )
    bare = Call(call_id=2, received=now, status="saved", files=["m8com/c.mp3"])
    summarised = Call(
        call_id=3, received=now - timedelta(seconds=1), status="saved",
        files=["m8com/d.mp3"], ai_summary="Invoice 123 was paid.", transcript="x",
    )  # fmt: skip
    silent = Call(call_id=4, received=now, status="lost")  # no audio: not listed
    for call in (full, bare, summarised, silent):
        assert await store.async_accept(call)
    day = local_day(full)
    listed = await store.async_listing(
        day, now - timedelta(hours=1), now + timedelta(seconds=1)
    )
    assert [row.call_id for row in listed] == [2, 3, 1]  # newest first
    calls = {call.call_id: call for call in (full, bare, summarised)}
    for row in listed:
        for n in range(len(row.files)):
            assert recording_title(row, n) == recording_title(calls[row.call_id], n)
    assert listed[2].files == full.files
    assert sorted(await store.async_day_starts(day)) == sorted(
        c.started.timestamp()
        for c in (full, bare, summarised)  # with audio
    )
