"""Entities: one device per account, one write per call, restored after restart."""

from __future__ import annotations

from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    mock_restore_cache_with_extra_data,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.m8com.const import DOMAIN

from .conftest import PostFn, load_payload, state_of

NOW = datetime.fromisoformat("2025-03-14T15:00:00+00:00")


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    """Entity states carry timestamps; freeze them for snapshots."""
    freezer.move_to(NOW)
    return freezer


def call(call_id: int = 4711, **changes: Any) -> dict[str, Any]:
    return {**load_payload("v2"), "id": call_id, "fileUrls": [], **changes}


@pytest.mark.parametrize("platforms", [[Platform.SENSOR], [Platform.EVENT]])
async def test_snapshot_after_a_call(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    assert (await post(call())).status == HTTPStatus.OK
    await hass.async_block_till_done()
    await snapshot_platform(hass, entity_registry, snapshot, loaded_entry.entry_id)


async def test_initial_states(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    assert state_of(hass, "sensor.m8com_last_caller").state == STATE_UNKNOWN
    assert state_of(hass, "event.m8com_call_recording").state == STATE_UNKNOWN
    assert state_of(hass, "sensor.m8com_recordings_today").state == "0"


async def test_service_device(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    (device,) = dr.async_entries_for_config_entry(
        device_registry, loaded_entry.entry_id
    )
    assert device.identifiers == {(DOMAIN, loaded_entry.entry_id)}
    assert device.entry_type is dr.DeviceEntryType.SERVICE
    assert device.name == "M8Com"


async def test_each_entity_writes_once_per_call(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    changes: list[str] = []
    hass.bus.async_listen(
        "state_changed", lambda e: changes.append(e.data["entity_id"])
    )
    await post(call())
    await hass.async_block_till_done()
    assert len(changes) == len(set(changes)) == 11


async def test_values_of_a_v1_call(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    await post({**load_payload("v1"), "fileUrls": []})
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.m8com_last_call_direction").state == "outbound"
    assert state_of(hass, "sensor.m8com_last_agent").state == STATE_UNKNOWN
    assert state_of(hass, "sensor.m8com_last_wait_time").state == STATE_UNKNOWN
    assert state_of(hass, "sensor.m8com_last_talk_time").state == "8.0"
    event = state_of(hass, "event.m8com_call_recording")
    assert event.attributes["event_type"] == "outbound"
    assert event.attributes["call_id"] == 1001
    assert "entry_id" not in event.attributes


async def test_long_summary_is_truncated_with_full_attribute(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    text = "word " * 100
    await post(call(summary=text))
    await hass.async_block_till_done()
    state = state_of(hass, "sensor.m8com_last_call_summary")
    assert len(state.state) == 255
    assert state.state.endswith("…")
    assert state.attributes["summary"] == text.strip()


async def test_recordings_today_counts_and_resets_at_midnight(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
) -> None:
    now_ms = int(NOW.timestamp() * 1000)
    await post(call(1, startTime=now_ms))
    await post(call(2, startTime=now_ms))
    await post(call(3, startTime=now_ms - 3 * 86_400_000))
    await post(call(2, startTime=now_ms))  # a retry counts once
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.m8com_recordings_today").state == "2"
    midnight = dt_util.start_of_local_day(dt_util.as_local(NOW)) + timedelta(days=1)
    frozen.move_to(midnight)
    async_fire_time_changed(hass, midnight)
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.m8com_recordings_today").state == "0"


async def test_states_are_restored_after_restart(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    last = datetime.fromisoformat("2025-03-14T14:03:12+00:00")
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State("sensor.m8com_last_caller", "+46701234567"),
                {"native_value": "+46701234567", "native_unit_of_measurement": None},
            ),
            (
                State("sensor.m8com_last_call", "2025-03-14T14:03:12+00:00"),
                {
                    "native_value": {
                        "__type": "<class 'datetime.datetime'>",
                        "isoformat": last.isoformat(),
                    },
                    "native_unit_of_measurement": None,
                },
            ),
            (
                State("sensor.m8com_last_call_summary", "short", {"summary": "short"}),
                {"native_value": "short", "native_unit_of_measurement": None},
            ),
        ],
    )
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.m8com_last_caller").state == "+46701234567"
    assert state_of(hass, "sensor.m8com_last_call").state == "2025-03-14T14:03:12+00:00"
    summary = state_of(hass, "sensor.m8com_last_call_summary")
    assert (summary.state, summary.attributes["summary"]) == ("short", "short")
    assert state_of(hass, "sensor.m8com_last_agent").state == STATE_UNKNOWN


async def test_unchanged_values_are_not_rewritten(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    await post(call(1))
    await hass.async_block_till_done()
    changes: list[str] = []
    hass.bus.async_listen(
        "state_changed", lambda e: changes.append(e.data["entity_id"])
    )
    await post(call(2, startTime=1741961000000, agentName="Bo"))
    await hass.async_block_till_done()
    assert sorted(changes) == [
        "event.m8com_call_recording",
        "sensor.m8com_last_agent",
        "sensor.m8com_last_call",
        "sensor.m8com_recordings_today",
    ]
