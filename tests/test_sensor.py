"""The account's sensor: one state change per call, details kept out of the recorder."""

from __future__ import annotations

from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any, cast

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.template import Template
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import parse_yaml
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.m8com.call_attributes import LAST_CALL_ATTRIBUTES
from custom_components.m8com.const import DOMAIN
from e2e.readme import readme_dashboard

from .conftest import PostFn, listen, load_payload, state_of, stored

NOW = datetime.fromisoformat("2025-03-14T15:00:00+00:00")
SENSOR = "sensor.m8com_calls_today"


@pytest.fixture(autouse=True)
def frozen(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    """Entity states carry timestamps; freeze them for snapshots."""
    freezer.move_to(NOW)
    return freezer


def call(call_id: int = 4711, **changes: Any) -> dict[str, Any]:
    now_ms = int(NOW.timestamp() * 1000)
    return {**load_payload("v2"), "id": call_id, "startTime": now_ms, **changes}


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("platforms", [[Platform.SENSOR]])
async def test_snapshot_after_a_call(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    assert (await post(call(fileUrls=[]))).status == HTTPStatus.OK
    await hass.async_block_till_done()
    await snapshot_platform(hass, entity_registry, snapshot, loaded_entry.entry_id)


async def test_before_any_call(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    state = state_of(hass, SENSOR)
    assert state.state == "0"
    assert all(state.attributes[key] is None for key in LAST_CALL_ATTRIBUTES)


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


async def test_one_state_change_per_call_with_every_detail(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    state_changes = listen(hass, "state_changed")
    await post(call(1, fileUrls=[]))
    await post(call(2, agentName="Bo"))
    await post(call(2))  # a resend changes nothing
    await hass.async_block_till_done()
    changes = [event.data["entity_id"] for event in state_changes]
    assert changes == [SENSOR, SENSOR]
    state = state_of(hass, SENSOR)
    assert state.state == "2"
    assert state.attributes["caller"] == "+46701234567"
    assert state.attributes["callee"] == "+46812345678"
    assert state.attributes["agent"] == "Bo"
    assert state.attributes["answer_group"] == "Support"
    assert state.attributes["talk_time"] == "2 min 38 s"
    assert state.attributes["wait_time"] == "12 s"
    assert state.attributes["recording"] == (
        f"media-source://m8com/{loaded_entry.entry_id}/2/0"
    )
    assert state.attributes["unit_of_measurement"] == "calls"
    assert state.attributes["state_class"] == "total_increasing"


async def test_count_resets_at_midnight(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
) -> None:
    now_ms = int(NOW.timestamp() * 1000)
    await post(call(1, fileUrls=[]))
    await post(call(2, fileUrls=[]))
    await post(call(3, fileUrls=[], startTime=now_ms - 3 * 86_400_000))
    await hass.async_block_till_done()
    assert state_of(hass, SENSOR).state == "2"
    midnight = dt_util.start_of_local_day(dt_util.as_local(NOW)) + timedelta(days=1)
    frozen.move_to(midnight)
    async_fire_time_changed(hass, midnight)
    await hass.async_block_till_done()
    assert state_of(hass, SENSOR).state == "0"


async def test_details_survive_a_restart_and_go_with_an_erasure(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    now_ms = int(NOW.timestamp() * 1000)
    await post(
        call(1, fileUrls=[], callerNumber="+46700000001", startTime=now_ms - 60_000)
    )
    await post(call(2, fileUrls=[], callerNumber="+46700000002"))
    await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, SENSOR).attributes["caller"] == "+46700000002"
    await hass.services.async_call(
        DOMAIN, "delete_recordings", {"number": "+46700000002"}, blocking=True
    )
    state = state_of(hass, SENSOR)
    assert (state.state, state.attributes["caller"]) == ("1", "+46700000001")
    await hass.services.async_call(
        DOMAIN, "delete_recordings", {"call_ids": [1]}, blocking=True
    )
    assert state_of(hass, SENSOR).attributes["caller"] is None


async def test_recent_calls_newest_first_across_days_customer_first(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    now_ms = int(NOW.timestamp() * 1000)
    for n in range(12):  # one call a day, the newest today
        await post(call(n + 1, fileUrls=[], startTime=now_ms - (11 - n) * 86_400_000))
    await post(
        call(
            100,
            fileUrls=[],
            direction="outbound",
            callerNumber="+46812345678",
            calleeNumber="+46709999999",
            startTime=now_ms - 1000,
            talkTime=65000,
            summary=None,
        )
    )
    hass.config_entries.async_update_entry(
        loaded_entry, options={"directions": ["outbound"]}
    )
    await post(call(200, fileUrls=[]))  # filtered: never listed
    await hass.async_block_till_done()
    recent = state_of(hass, SENSOR).attributes["recent_calls"]
    assert [row["call_id"] for row in recent] == [12, 100, 11, 10, 9, 8, 7, 6, 5, 4]
    assert recent[1] == {
        "time": datetime.fromtimestamp(now_ms / 1000 - 1, dt_util.UTC).isoformat(),
        "call_id": 100,
        "who": "+46709999999",
        "direction": "outbound",
        "talk_time": "1 min 5 s",
        "summary": None,
    }
    assert recent[0]["who"] == "+46701234567"
    await hass.services.async_call(
        DOMAIN, "delete_recordings", {"call_ids": [12, 100]}, blocking=True
    )
    recent = state_of(hass, SENSOR).attributes["recent_calls"]
    assert [row["call_id"] for row in recent] == [11, 10, 9, 8, 7, 6, 5, 4, 3, 2]


async def test_filtered_calls_keep_nothing_personal(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    hass.config_entries.async_update_entry(
        loaded_entry, options={"directions": ["outbound"]}
    )
    await post(call(1))
    await hass.async_block_till_done()
    record = stored(loaded_entry, 1)
    assert record.status == "filtered"
    assert (record.caller_number, record.callee_number, record.summary) == (
        None,
        None,
        None,
    )
    assert record.urls == []
    assert state_of(hass, SENSOR).state == "0"


async def test_rejected_deliveries_count_with_the_last_reason(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    sensor = "sensor.m8com_rejected_deliveries"
    assert state_of(hass, sensor).state == "0"
    state_changes = listen(hass, "state_changed")
    await post(call(1, fileUrls=[]))
    await post(call(2), headers={"Authorization": "Bearer wrong-secret-000000"})
    await post(b"not json")
    await hass.async_block_till_done()
    state = state_of(hass, sensor)
    assert state.state == "2"
    assert state.attributes["last_reason"] == "not a call (no valid id, or not JSON)"
    changes = [event.data["entity_id"] for event in state_changes]
    assert changes.count(sensor) == 2  # an accepted call does not touch it


async def test_silence_raises_a_repair_after_the_chosen_days(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
) -> None:
    issue_id = f"no_deliveries_{loaded_entry.entry_id}"
    hass.config_entries.async_update_entry(
        loaded_entry, options={"expect_calls_within_days": 2}
    )
    await post(call(1, fileUrls=[]))
    later = NOW + timedelta(days=2, hours=2)
    frozen.move_to(later)
    async_fire_time_changed(hass, later)
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert (issue.translation_placeholders or {})["days"] == "2"
    await post(call(2, fileUrls=[]))
    async_fire_time_changed(hass, later + timedelta(hours=1))
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_last_delivery_is_opt_in_and_counts_filtered_calls(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    sensor = "sensor.m8com_last_delivery"
    entity = entity_registry.async_get(sensor)
    assert entity is not None
    assert entity.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    entity_registry.async_update_entity(sensor, disabled_by=None)
    hass.config_entries.async_update_entry(
        loaded_entry, options={"directions": ["outbound"]}
    )
    await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    await post(call(1))  # outside the filters, but a delivery all the same
    await hass.async_block_till_done()
    assert state_of(hass, sensor).state == NOW.isoformat()


async def test_readme_call_log_card_renders_the_recent_calls(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    """The README's markdown card, rendered by HA's template engine as written."""
    dashboard = cast("dict[str, Any]", parse_yaml(readme_dashboard()))
    cards: list[dict[str, Any]] = dashboard["views"][0]["cards"]
    (card,) = [card for card in cards if card.get("title") == "Recent calls"]
    hass.config_entries.async_update_entry(
        loaded_entry, options={"phone_book": "+46701234567 = Anna Kund"}
    )
    await post(call(1, fileUrls=[], talkTime=95_000))
    await hass.async_block_till_done()
    text = Template(card["content"], hass).async_render(parse_result=False)
    rows = [line for line in text.splitlines() if line.startswith("|")]
    assert rows[2:] == ["| Fri 08:00 | ↘ | Anna Kund (+46701234567) | 1 min 35 s |"]
