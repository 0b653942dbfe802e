"""The event entity: opt-in, one event per call with its details (unrecorded)."""

from __future__ import annotations

from http import HTTPStatus

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

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
