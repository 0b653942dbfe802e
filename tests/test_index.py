"""The call index makes every call count once, across restarts and crashes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.m8com.const import DOMAIN
from custom_components.m8com.index import Call, CallIndex, local_day
from custom_components.m8com.payload import CallPayload

from .conftest import RECEIVED, PostFn, journal, journal_calls, load_payload


async def test_restart_keeps_calls_and_deduplicates(
    hass: HomeAssistant,
    call_events: list[Event],
    post: PostFn,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    payload = {**load_payload("v2"), "fileUrls": []}
    await post(payload)
    await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    # The journal was folded into the Store snapshot and removed.
    assert not journal(hass, loaded_entry.entry_id).exists()
    stored = hass_storage[f"{DOMAIN}.{loaded_entry.entry_id}"]["data"]["calls"]
    assert [c["call_id"] for c in stored] == [4711]
    await post(payload)
    await hass.async_block_till_done()
    assert len(call_events) == 1
    record = loaded_entry.runtime_data.index.calls[4711]
    assert record.caller_number == "+46701234567"
    assert record.start_time == datetime(2025, 3, 14, 14, 3, 12, tzinfo=UTC)


async def test_remove_updates_daily_count(hass: HomeAssistant) -> None:
    index = CallIndex(hass, "e2")
    await index.async_load()
    record = Call(call_id=5, received=RECEIVED, start_time=RECEIVED)
    assert await index.async_accept(record)
    assert not await index.async_accept(Call(call_id=5, received=RECEIVED))
    day = local_day(record)
    assert index.count_on(day) == 1
    assert index.remove(5) is record
    assert index.count_on(day) == 0
    assert day not in index.days
    assert index.remove(5) is None
    await index.async_close()


async def test_remove_storage_deletes_index_and_journal(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    index = CallIndex(hass, "e3")
    await index.async_load()
    await index.async_accept(Call(call_id=1, received=RECEIVED))
    await hass.async_block_till_done()
    await index.async_remove_storage()
    await index.async_close()
    assert not journal(hass, "e3").exists()
    assert f"{DOMAIN}.e3" not in hass_storage


async def test_erased_calls_leave_no_trace_and_stay_erased(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    index = CallIndex(hass, "e4")
    await index.async_load()
    for call_id in (1, 2, 3):
        await index.async_accept(
            Call(
                call_id=call_id,
                received=RECEIVED,
                caller_number=f"+4670000000{call_id}",
            )
        )
    await index.async_erase({1, 3})
    # The erasure wrote a snapshot, which also compacted the journal away.
    assert not journal(hass, "e4").exists()
    stored = hass_storage[f"{DOMAIN}.e4"]["data"]["calls"]
    assert [c["call_id"] for c in stored] == [2]
    await index.async_erase({2})
    assert not journal(hass, "e4").exists()
    again = CallIndex(hass, "e4")
    await again.async_load()
    assert again.calls == {}
    await index.async_close()
    await again.async_close()


def test_record_repr_hides_personal_data() -> None:
    record = Call(
        call_id=7,
        received=RECEIVED,
        caller_number="+46701234567",
        urls=["https://x?t=1"],
    )
    assert repr(record) == "<Call 7 pending>"


def test_zero_talk_time_is_kept() -> None:
    call = CallPayload.model_validate({"id": 1, "talkTime": 0, "waitTime": 0})
    record = Call.from_payload(call, RECEIVED)
    assert (record.talk_time, record.wait_time) == (0.0, 0.0)


async def test_snapshot_is_written_under_steady_traffic_and_compacts_journal(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """HA's async_delay_save re-arms on every call; ours writes within 10 s."""
    index = CallIndex(hass, "e5")
    await index.async_load()
    start = dt_util.utcnow()
    for n in range(1, 13):  # one call a second for 12 s
        await index.async_accept(Call(call_id=n, received=RECEIVED))
        async_fire_time_changed(hass, start + timedelta(seconds=n))
        await hass.async_block_till_done(wait_background_tasks=True)
    stored = hass_storage[f"{DOMAIN}.e5"]["data"]
    assert stored["seq"] >= 9
    assert len(stored["calls"]) == stored["seq"]
    # The journal keeps only what the snapshot does not hold yet.
    assert [seq for seq, _, _ in journal_calls(hass, "e5")] == list(
        range(stored["seq"] + 1, 13)
    )
    await index.async_close()
    assert hass_storage[f"{DOMAIN}.e5"]["data"]["seq"] == 12
    assert journal_calls(hass, "e5") == []


async def test_unstorable_record_never_enters_the_index(hass: HomeAssistant) -> None:
    index = CallIndex(hass, "e8")
    await index.async_load()
    unstorable: Any = object()
    record = Call(call_id=1, received=RECEIVED, summary=unstorable)
    with pytest.raises(TypeError):
        await index.async_accept(record)
    assert index.calls == {}
    await index.async_close()
