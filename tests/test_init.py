"""Several M8Com accounts side by side, each with its own URL, secret and entities."""

from __future__ import annotations

from http import HTTPStatus
import logging
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com.const import DOMAIN

from .conftest import SECRET, Client, deprecation_reports, load_payload, state_of

SECOND_SECRET = "second-secret-0123456789"
SECOND_ID = "fedcba9876543210fedcba9876543210"


async def test_two_accounts_are_independent(
    hass: HomeAssistant,
    call_events: list[Event],
    client: Client,
    loaded_entry: MockConfigEntry,
) -> None:
    second = MockConfigEntry(
        domain=DOMAIN,
        title="Shop",
        data={
            "webhook_id": SECOND_ID,
            "secret": SECOND_SECRET,
            "media_subdir": "m8com-shop",
        },
    )
    second.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second.entry_id)
    await hass.async_block_till_done()

    async def post(webhook_id: str, secret: str, payload: dict[str, Any]) -> int:
        response = await client.post(
            f"/api/webhook/{webhook_id}",
            json=payload,
            headers={"Authorization": f"Bearer {secret}"},
        )
        return response.status

    call = {**load_payload("v2"), "fileUrls": []}
    # Each URL only takes its own secret.
    assert await post(SECOND_ID, SECRET, call) == HTTPStatus.UNAUTHORIZED
    assert await post(SECOND_ID, SECOND_SECRET, call) == HTTPStatus.OK
    # The same call id in another account is another call.
    assert await post(loaded_entry.data["webhook_id"], SECRET, call) == HTTPStatus.OK
    await hass.async_block_till_done()
    assert sorted(e.data["entry_id"] for e in call_events) == sorted(
        [loaded_entry.entry_id, second.entry_id]
    )
    shop = state_of(hass, "sensor.shop_calls_today")
    assert shop.attributes["caller"] == "+46701234567"

    # A failure in one account does not touch the other.
    with patch.object(
        second.runtime_data.store._db,
        "insert",
        side_effect=OSError(5, "I/O error"),
    ):
        assert await post(SECOND_ID, SECOND_SECRET, {**call, "id": 1}) == (
            HTTPStatus.SERVICE_UNAVAILABLE
        )
        assert await post(
            loaded_entry.data["webhook_id"], SECRET, {**call, "id": 1}
        ) == (HTTPStatus.OK)
    assert await hass.config_entries.async_unload(second.entry_id)
    assert second.state is ConfigEntryState.NOT_LOADED
    assert loaded_entry.state is ConfigEntryState.LOADED


def test_deprecation_reports_are_caught(caplog: pytest.LogCaptureFixture) -> None:
    logging.getLogger("homeassistant.helpers.frame").warning(
        "Detected that custom integration 'm8com' uses X, which is deprecated"
    )
    logging.getLogger("homeassistant.helpers.frame").warning(
        "Detected that custom integration 'other' uses X, which is deprecated"
    )
    assert deprecation_reports(caplog) == [
        "Detected that custom integration 'm8com' uses X, which is deprecated"
    ]
    caplog.clear()  # the autouse guard would (rightly) fail this test otherwise


async def test_migration_from_0_1_0_keeps_one_sensor(
    hass: HomeAssistant, entity_registry: er.EntityRegistry
) -> None:
    """The last-call sensors go, the count keeps its history, events are opt-in."""
    old = MockConfigEntry(
        domain=DOMAIN,
        title="M8Com",
        version=1,
        minor_version=1,
        data={"webhook_id": "old-id", "secret": "x" * 20, "cloudhook": False},
    )
    old.add_to_hass(hass)
    for key, domain in (
        ("last_caller", "sensor"),
        ("last_summary", "sensor"),
        ("recordings_today", "sensor"),
        ("call_recording", "event"),
    ):
        entity_registry.async_get_or_create(
            domain, DOMAIN, f"{old.entry_id}_{key}", config_entry=old
        )
    assert await hass.config_entries.async_setup(old.entry_id)
    await hass.async_block_till_done()
    kept = {
        e.unique_id.removeprefix(f"{old.entry_id}_"): e
        for e in er.async_entries_for_config_entry(entity_registry, old.entry_id)
    }
    assert set(kept) == {
        "recordings_today",
        "call_recording",
        "rejected_deliveries",
        "last_delivery",
        "callbacks",
    }
    assert kept["call_recording"].disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert old.minor_version == 2
