"""A plain-http endpoint is raised as a repair issue, and clears itself when fixed."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from unittest.mock import AsyncMock, MagicMock, patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com.const import CONF_CLOUDHOOK, DOMAIN

ISSUE = "not_https_01JTESTENTRY0000000000000"


async def setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def test_issue_raised_then_cleared_by_https_external_url(
    hass: HomeAssistant, config_entry: MockConfigEntry, issue_registry: ir.IssueRegistry
) -> None:
    await hass.config.async_update(external_url="http://203.0.113.5:8123")
    await setup(hass, config_entry)
    issue = issue_registry.async_get_issue(DOMAIN, ISSUE)
    assert issue is not None
    assert issue.translation_key == "not_https"
    assert issue.translation_placeholders == {
        "name": "M8Com",
        "webhook_url": f"http://203.0.113.5:8123/api/m8com/{config_entry.data['webhook_id']}",
    }
    await hass.config.async_update(external_url="https://calls.example.se")
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, ISSUE) is None
    assert config_entry.runtime_data.webhook_url.startswith("https://calls.example.se/")


async def test_cloud_connecting_later_creates_cloudhook(
    hass: HomeAssistant, config_entry: MockConfigEntry, issue_registry: ir.IssueRegistry
) -> None:
    await hass.config.async_update(external_url="http://203.0.113.5:8123")
    listeners: list[Callable[[str], None]] = []

    def listen(
        _hass: HomeAssistant, target: Callable[[str], None]
    ) -> Callable[[], None]:
        listeners.append(target)
        return lambda: None

    cloud = SimpleNamespace(
        CloudNotAvailable=Exception,
        async_active_subscription=MagicMock(return_value=False),
        async_get_or_create_cloudhook=AsyncMock(
            return_value="https://hooks.nabu.casa/x"
        ),
        async_listen_connection_change=listen,
    )
    with patch("custom_components.m8com.endpoint._cloud", return_value=cloud):
        await setup(hass, config_entry)
        assert issue_registry.async_get_issue(DOMAIN, ISSUE) is not None
        cloud.async_active_subscription.return_value = True
        listeners[0]("connected")
        await hass.async_block_till_done()
    assert config_entry.runtime_data.webhook_url == "https://hooks.nabu.casa/x"
    assert config_entry.data[CONF_CLOUDHOOK] is True
    assert issue_registry.async_get_issue(DOMAIN, ISSUE) is None


async def test_issue_removed_with_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry, issue_registry: ir.IssueRegistry
) -> None:
    await setup(hass, config_entry)  # no URL at all: only a path
    assert issue_registry.async_get_issue(DOMAIN, ISSUE) is not None
    assert await hass.config_entries.async_remove(config_entry.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, ISSUE) is None
