"""Diagnostics show the URL and counts, never the secret or a phone number."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.m8com.diagnostics import async_get_config_entry_diagnostics

from .conftest import SECRET, WEBHOOK_ID, PostFn, load_payload


async def test_diagnostics(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    snapshot: SnapshotAssertion,
) -> None:
    aioclient_mock.get("https://recordings.m8com.test/rec/4711.mp3", status=404)
    await post(load_payload("v2"))
    await post({**load_payload("v1"), "fileUrls": []})
    hass.config_entries.async_update_entry(
        loaded_entry, options={"directions": ["inbound"]}
    )
    await post({**load_payload("extra_fields"), "fileUrls": []})
    await hass.async_block_till_done(wait_background_tasks=True)
    hass.config_entries.async_update_entry(
        loaded_entry,
        options={
            "directions": ["inbound"],
            "users": ["anna@example.se", "+46701234567"],
            "answer_groups": ["ag-1"],
            "phone_book": "+46 70 999 88 77 = Anna Kund",
        },
    )
    diag = await async_get_config_entry_diagnostics(hass, loaded_entry)
    text = json.dumps(diag)
    for secret in (SECRET, WEBHOOK_ID, "+4670", "anna@example.se", "ag-1", "Kund"):
        assert secret not in text
    assert diag == snapshot(exclude=props("received", "last_delivery"))


async def test_diagnostics_of_an_account_whose_set_up_failed(
    hass: HomeAssistant, failed_entry: MockConfigEntry
) -> None:
    """Its store is closed: settings, state and deliveries, never an error."""
    result = await async_get_config_entry_diagnostics(hass, failed_entry)
    assert result["state"] == "setup_error"
    assert result["entry"]["data"]["secret"] == "**REDACTED**"
    assert SECRET not in json.dumps(result)
    assert "calls" not in result
