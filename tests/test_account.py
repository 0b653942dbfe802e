"""An account is set up in HA's order: what can fail first, entities last."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com.const import DOMAIN

from .conftest import AUTH, DIRECT_PATH, Client, load_payload, state_of, stored_calls

CALL = {**load_payload("v2"), "fileUrls": []}
DAY_MS = 24 * 3600 * 1000


async def test_failed_recovery_leaves_no_entity_and_the_reload_starts_clean(
    hass: HomeAssistant,
    failed_entry: MockConfigEntry,
    hass_client_no_auth: Callable[[], Coroutine[Any, Any, Client]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert failed_entry.state.value == "setup_error"  # (no narrowing for mypy)
    assert hass.states.async_entity_ids() == []
    registry = er.async_get(hass)
    assert er.async_entries_for_config_entry(registry, failed_entry.entry_id) == []
    failed_store = failed_entry.runtime_data.store

    assert await hass.config_entries.async_reload(failed_entry.entry_id)
    await hass.async_block_till_done()
    assert failed_entry.state is ConfigEntryState.LOADED
    assert "already been setup" not in caplog.text
    assert failed_entry.runtime_data.store is not failed_store
    client = await hass_client_no_auth()
    today = {**CALL, "startTime": int(dt_util.utcnow().timestamp() * 1000)}
    assert (await client.post(DIRECT_PATH, json=today, headers=AUTH)).status == 200
    await hass.async_block_till_done()
    # One calls sensor, bound to the new store: it shows the call.
    sensors = [
        e.entity_id
        for e in er.async_entries_for_config_entry(registry, failed_entry.entry_id)
        if e.unique_id.endswith("_recordings_today")
    ]
    assert sensors == ["sensor.m8com_calls_today"]
    assert state_of(hass, "sensor.m8com_calls_today").state == "1"
    assert 4711 in stored_calls(failed_entry)
    assert failed_store is not failed_entry.runtime_data.store


async def test_a_failure_after_the_store_cancels_what_set_up_started(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """HA 2025.4 runs ``async_on_unload`` for its own errors only: we raise one."""
    config_entry.add_to_hass(hass)
    with (
        patch(
            "custom_components.m8com.account.async_recover",
            side_effect=RuntimeError("boom"),
        ),
        patch(
            "custom_components.m8com.store.CallStore.async_close", autospec=True
        ) as close,
    ):
        assert not await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
    close.assert_awaited_once()
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    assert config_entry.reason == "boom"


async def test_retention_is_done_before_the_account_is_loaded(
    hass: HomeAssistant, config_entry: MockConfigEntry, post: Any
) -> None:
    """No background run to race: calls past retention are gone at LOADED."""
    now_ms = int(dt_util.utcnow().timestamp() * 1000)
    for call_id, age in ((1, 1), (2, 40)):
        await post({**CALL, "id": call_id, "startTime": now_ms - age * DAY_MS})
    hass.config_entries.async_update_entry(config_entry, options={"retention_days": 30})
    loaded: list[list[int]] = []

    def on_state(*_: Any) -> None:
        if config_entry.state is ConfigEntryState.LOADED:
            loaded.append(sorted(stored_calls(config_entry)))

    config_entry.async_on_state_change(on_state)
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    assert loaded == [[1]]
    assert DOMAIN in hass.config.components
