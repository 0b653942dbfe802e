"""Setup asks for a name and an optional secret and shows what to paste into M8Com."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from unittest.mock import AsyncMock, MagicMock, patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_NAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.network import NoURLAvailableError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com.const import CONF_CLOUDHOOK, CONF_SECRET, DOMAIN
from custom_components.m8com.endpoint import _cloud, cloud_active

EXTERNAL = "https://home.example.se"


def placeholders(result: Any) -> dict[str, str]:
    """The result's description placeholders, which must exist."""
    values = result["description_placeholders"]
    assert values is not None
    return dict(values)


class CloudNotAvailable(Exception):  # noqa: N818 - mirrors HA's name
    """Stands in for HA's cloud exception (its component needs assist deps)."""


@pytest.fixture
def cloud(hass: HomeAssistant) -> Iterator[SimpleNamespace]:
    """A loaded Nabu Casa cloud component with an active subscription."""
    fake = SimpleNamespace(
        CloudNotAvailable=CloudNotAvailable,
        async_active_subscription=MagicMock(return_value=True),
        async_get_or_create_cloudhook=AsyncMock(
            return_value="https://hooks.nabu.casa/abc"
        ),
        async_delete_cloudhook=AsyncMock(),
    )
    with patch("custom_components.m8com.endpoint._cloud", return_value=fake):
        yield fake


@pytest.fixture(autouse=True)
async def external_url(hass: HomeAssistant) -> None:
    """A household with an https external URL, the normal case."""
    await hass.config.async_update(external_url=EXTERNAL)


async def test_only_secret_completes_setup(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SECRET: "a-very-long-secret-value"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "M8Com"
    webhook_id = result["data"][CONF_WEBHOOK_ID]
    assert result["data"] == {
        CONF_WEBHOOK_ID: webhook_id,
        CONF_SECRET: "a-very-long-secret-value",
        CONF_CLOUDHOOK: False,
    }
    assert result["description"] == "default"
    assert placeholders(result) == {
        "webhook_url": f"{EXTERNAL}/api/webhook/{webhook_id}",
        "secret": "a-very-long-secret-value",
    }
    assert result["result"].unique_id == webhook_id


async def test_blank_secret_is_generated_and_webhook_ids_differ(
    hass: HomeAssistant,
) -> None:
    ids, secrets = set(), set()
    for name in ("Office", "Home"):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_NAME: name, CONF_SECRET: "  "}
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert result["title"] == name
        assert len(result["data"][CONF_SECRET]) >= 40
        ids.add(result["data"][CONF_WEBHOOK_ID])
        secrets.add(result["data"][CONF_SECRET])
    assert len(ids) == 2
    assert len(secrets) == 2


async def test_short_secret_is_an_error_then_fixed(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Shop", CONF_SECRET: "short"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_SECRET: "secret_too_short"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Shop", CONF_SECRET: "long-enough-secret-1"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_plain_http_url_warns(hass: HomeAssistant) -> None:
    await hass.config.async_update(external_url="http://192.0.2.1:8123")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] == "not_https"
    assert placeholders(result)["webhook_url"].startswith("http://")


async def test_no_url_at_all_gives_the_path(hass: HomeAssistant) -> None:
    with patch(
        "homeassistant.components.webhook.async_generate_url",
        side_effect=NoURLAvailableError,
    ):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    url = placeholders(result)["webhook_url"]
    assert url == f"/api/webhook/{result['data'][CONF_WEBHOOK_ID]}"
    assert result["description"] == "not_https"


async def test_cloudhook_when_nabu_casa_is_active(
    hass: HomeAssistant, cloud: SimpleNamespace
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["data"][CONF_CLOUDHOOK] is True
    assert result["description"] == "default"
    assert placeholders(result)["webhook_url"] == "https://hooks.nabu.casa/abc"
    # The flow creates it; setup finds the same one again.
    assert {c.args[1] for c in cloud.async_get_or_create_cloudhook.await_args_list} == {
        result["data"][CONF_WEBHOOK_ID]
    }


async def test_cloud_not_connected_falls_back(
    hass: HomeAssistant, cloud: SimpleNamespace
) -> None:
    cloud.async_get_or_create_cloudhook.side_effect = CloudNotAvailable
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["data"][CONF_CLOUDHOOK] is False
    assert placeholders(result)["webhook_url"].startswith(EXTERNAL)


async def test_remove_entry_deletes_cloudhook_and_index(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, cloud: SimpleNamespace
) -> None:
    assert await hass.config_entries.async_remove(loaded_entry.entry_id)
    cloud.async_delete_cloudhook.assert_awaited_once_with(
        hass, loaded_entry.data[CONF_WEBHOOK_ID]
    )


async def test_remove_entry_without_cloud(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    assert "cloud" not in hass.config.components
    assert await hass.config_entries.async_remove(loaded_entry.entry_id)


async def test_remove_entry_tolerates_unavailable_cloud(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, cloud: SimpleNamespace
) -> None:
    cloud.async_delete_cloudhook.side_effect = CloudNotAvailable
    assert await hass.config_entries.async_remove(loaded_entry.entry_id)


def test_cloud_module_only_when_loaded(hass: HomeAssistant) -> None:
    assert _cloud(hass) is None
    assert cloud_active(hass) is False
