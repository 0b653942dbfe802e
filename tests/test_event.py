"""The event entity: opt-in, one event per call with its details (unrecorded)."""

from __future__ import annotations

from http import HTTPStatus
import json
from typing import Any

from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er, restore_state
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
)

from custom_components.m8com.call import CALL_DETAILS
from custom_components.m8com.event import M8ComCallEvent

from .conftest import PostFn, load_payload, state_of

EVENT = "event.m8com_call_recording"


async def test_disabled_by_default(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    entity = entity_registry.async_get(EVENT)
    assert entity is not None
    assert entity.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert hass.states.get(EVENT) is None


async def test_enabled_it_fires_each_call_typed_by_direction(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    entity_registry.async_update_entity(EVENT, disabled_by=None)
    await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    payload = {**load_payload("v2"), "fileUrls": []}
    assert (await post(payload)).status == HTTPStatus.OK
    await hass.async_block_till_done()
    state = state_of(hass, EVENT)
    assert state.attributes["event_type"] == "inbound"
    assert state.attributes["caller_number"] == "+46701234567"
    assert "entry_id" not in state.attributes
    assert set(CALL_DETAILS) <= M8ComCallEvent._unrecorded_attributes


async def test_an_erased_call_leaves_state_and_restore_data(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    hass_storage: dict[str, Any],
) -> None:
    entity_registry.async_update_entity(EVENT, disabled_by=None)
    await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert (await post({**load_payload("v2"), "fileUrls": []})).status == 200
    await hass.async_block_till_done()
    await restore_state.async_get(hass).async_dump_states()
    assert "+46701234567" in json.dumps(hass_storage["core.restore_state"])

    await hass.services.async_call(
        "m8com", "delete_recordings", {"call_ids": [4711]}, blocking=True,
        return_response=True,
    )  # fmt: skip
    await hass.async_block_till_done()
    state = state_of(hass, EVENT)
    assert state.state == STATE_UNKNOWN
    assert "caller_number" not in state.attributes
    assert "+46701234567" not in json.dumps(hass_storage["core.restore_state"])


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_a_restored_call_that_is_gone_is_forgotten(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """Erased while the restore file still held it (a crash before its dump)."""
    config_entry.add_to_hass(hass)
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(EVENT, "2025-03-14T14:06:00+00:00", {"call_id": 4711}),
                {
                    "last_event_type": "inbound",
                    "last_event_attributes": {
                        "call_id": 4711,
                        "caller_number": "+46701234567",
                    },
                },
            )
        ],
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    state = state_of(hass, EVENT)
    assert state.state == STATE_UNKNOWN
    assert "caller_number" not in state.attributes
