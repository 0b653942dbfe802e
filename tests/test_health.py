"""Delivery health: counts of refused deliveries and the wrong-secret repair."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com.const import DOMAIN
from custom_components.m8com.health import async_health

from .conftest import PostFn, load_payload

CALL = {**load_payload("v2"), "fileUrls": []}


async def test_five_wrong_secrets_in_a_row_raise_a_repair_until_one_is_right(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, post: PostFn
) -> None:
    issue_id = f"wrong_secret_{loaded_entry.entry_id}"
    wrong = {"Authorization": "Bearer not-the-secret-at-all"}
    for _ in range(4):
        await post(CALL, headers=wrong)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    await post(CALL, headers=wrong)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    await post(b"not json")
    assert (await post(CALL)).status == 200
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    health = async_health(hass, loaded_entry.entry_id).as_dict()
    assert health["rejected_since_start"] == {"400": 1, "401": 5}
    assert health["last_rejection"] == "not a call (no valid id, or not JSON)"
    assert health["last_delivery"] is not None
    assert health["wrong_secret_streak"] == 0
    # Counted since start-up: a reload keeps the counts, deletion drops them.
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    assert async_health(hass, loaded_entry.entry_id).as_dict() == health
    assert await hass.config_entries.async_remove(loaded_entry.entry_id)
    assert not async_health(hass, loaded_entry.entry_id).rejected
