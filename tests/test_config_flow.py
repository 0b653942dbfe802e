"""Setup asks for a name and an optional secret and shows what to paste into M8Com."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from http import HTTPStatus
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest.mock import AsyncMock, MagicMock, patch

from homeassistant.components.cloud.client import CloudClient
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_NAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com.const import CONF_CLOUDHOOK, CONF_SECRET, DOMAIN
from custom_components.m8com.endpoint import _cloud
from custom_components.m8com.routing import webhook_ids

from .conftest import (
    DIRECT_PATH,
    SECRET,
    WEBHOOK_ID,
    load_payload,
    stored_calls,
)

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


async def setup_flow(
    hass: HomeAssistant,
    user_input: dict[str, Any],
    filters: dict[str, Any] | None = None,
) -> Any:
    """Run setup: the user step, then Submit on the filters step."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    if result["type"] is FlowResultType.FORM and result["step_id"] == "filters":
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], filters or {}
        )
    return result


async def test_only_secret_completes_setup(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SECRET: "a-very-long-secret-value"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "filters"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "M8Com"
    webhook_id = result["data"][CONF_WEBHOOK_ID]
    assert result["data"] == {
        CONF_WEBHOOK_ID: webhook_id,
        CONF_SECRET: "a-very-long-secret-value",
        CONF_CLOUDHOOK: False,
        "media_subdir": "m8com",
    }
    assert result["options"] == {
        "answer_groups": [],
        "users": [],
        "directions": ["inbound", "outbound"],
        "include_personal": True,
        "download_audio": True,
        "max_recording_mb": 500,
        "retention_days": 0,
        "expect_calls_within_days": 0,
        "phone_book": "",
        "phone_book_file": "",
        "transcribe_with": "",
        "transcribe_language": "",
        "summarise_when_m8com_did": False,
        "callback_when_ai_says": True,
        "callback_short_call_seconds": 10,
        "callback_numbers": "",
        "callback_due_working_hours": 4,
        "assist_answers_about_calls": False,
        "show_call_details": True,
    }
    assert result["description"] == "default"
    assert placeholders(result) == {
        "webhook_url": f"{EXTERNAL}/api/m8com/{webhook_id}",
        "secret": "a-very-long-secret-value",
    }
    assert result["result"].unique_id == webhook_id


async def test_blank_secret_is_generated_and_webhook_ids_differ(
    hass: HomeAssistant,
) -> None:
    ids, secrets, subdirs = set(), set(), []
    for name in ("Office", "Home", "Home"):
        result = await setup_flow(hass, {CONF_NAME: name, CONF_SECRET: "  "})
        assert result["type"] is FlowResultType.CREATE_ENTRY
        subdirs.append(result["data"]["media_subdir"])
        assert result["title"] == name
        assert len(result["data"][CONF_SECRET]) >= 40
        ids.add(result["data"][CONF_WEBHOOK_ID])
        secrets.add(result["data"][CONF_SECRET])
    assert len(ids) == 3
    assert len(secrets) == 3
    assert subdirs == ["m8com", "m8com-home", "m8com-home-2"]


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
    assert result["step_id"] == "filters"


@pytest.mark.parametrize(
    "secret",
    ["hemlighet-med-åäö-123", "has a space in it 123", "tab\tseparated-secret"],
)
async def test_secret_must_be_printable_ascii(hass: HomeAssistant, secret: str) -> None:
    """What M8Com sends in an HTTP header could never match these."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Shop", CONF_SECRET: secret}
    )
    assert result["errors"] == {CONF_SECRET: "secret_not_ascii"}


async def test_plain_http_url_warns(hass: HomeAssistant) -> None:
    await hass.config.async_update(external_url="http://192.0.2.1:8123")
    result = await setup_flow(hass, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] == "not_https"
    assert placeholders(result)["webhook_url"].startswith("http://")


async def test_no_url_at_all_gives_the_path(hass: HomeAssistant) -> None:
    with patch(
        "custom_components.m8com.endpoint.get_url", side_effect=NoURLAvailableError
    ):
        result = await setup_flow(hass, {})
    url = placeholders(result)["webhook_url"]
    assert url == f"/api/m8com/{result['data'][CONF_WEBHOOK_ID]}"
    assert result["description"] == "not_https"


async def test_cloudhook_when_nabu_casa_is_active(
    hass: HomeAssistant, cloud: SimpleNamespace
) -> None:
    result = await setup_flow(hass, {})
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
    result = await setup_flow(hass, {})
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


async def test_options_flow_offers_seen_values_and_applies(
    hass: HomeAssistant, post: Any, loaded_entry: MockConfigEntry
) -> None:
    payload = {**load_payload("v2"), "fileUrls": []}
    await post(payload)
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert placeholders(result)["webhook_url"].endswith(DIRECT_PATH)
    assert result["data_schema"] is not None
    schema = result["data_schema"].schema
    groups = next(v for k, v in schema.items() if k == "answer_groups")
    assert groups.config["options"] == [{"value": "ag-1", "label": "Support (ag-1)"}]
    assert groups.config["custom_value"] is True
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "answer_groups": ["ag-1", "typed-id"],
            "directions": ["inbound"],
            "retention_days": 30,
            "names": {},
            "transcripts": {},
            "callbacks": {},
            "assist": {},
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options["answer_groups"] == ["ag-1", "typed-id"]
    assert loaded_entry.options["retention_days"] == 30
    assert loaded_entry.options["download_audio"] is True


EMPTY_SECTIONS: dict[str, Any] = {"transcripts": {}, "callbacks": {}, "assist": {}}
"""The folded sections a test leaves as they are (required, as in core)."""


async def test_options_names_and_transcripts_sections_are_stored_flat(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The folded sections; the phone book file must exist inside the config."""
    config = Path(hass.config.config_dir)
    config.mkdir(parents=True, exist_ok=True)
    (config / "contacts.vcf").write_text("BEGIN:VCARD\nEND:VCARD\n")
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert result["data_schema"] is not None
    assert {str(key) for key in result["data_schema"].schema} >= {
        "names",
        "transcripts",
    }
    for path, error in (
        ("../secrets.yaml", "phone_book_file_outside"),
        ("/etc/passwd", "phone_book_file_outside"),
        ("missing.vcf", "phone_book_file_missing"),
    ):
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"names": {"phone_book_file": path}, **EMPTY_SECTIONS}
        )
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {"names": error}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "names": {"phone_book": "+46 70 = A", "phone_book_file": "contacts.vcf"},
            "transcripts": {
                "transcribe_with": "stt.whisper",
                "transcribe_language": "sv",
                "summarise_when_m8com_did": True,
            },
            "callbacks": {
                "callback_when_ai_says": False,
                "callback_short_call_seconds": 30.0,
                "callback_numbers": "+46 70-123 45 67",
                "callback_due_working_hours": 0,
            },
            "assist": {"assist_answers_about_calls": True},
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options["callback_short_call_seconds"] == 30
    assert loaded_entry.options["callback_numbers"] == "+46 70-123 45 67"
    assert loaded_entry.options["assist_answers_about_calls"] is True
    assert {
        key: loaded_entry.options[key]
        for key in (
            "phone_book",
            "phone_book_file",
            "transcribe_with",
            "transcribe_language",
            "summarise_when_m8com_did",
        )
    } == {
        "phone_book": "+46 70 = A",
        "phone_book_file": "contacts.vcf",
        "transcribe_with": "stt.whisper",
        "transcribe_language": "sv",
        "summarise_when_m8com_did": True,
    }
    assert "names" not in loaded_entry.options


async def test_options_flow_on_unloaded_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert placeholders(result)["webhook_url"] == ""


@pytest.mark.parametrize("new_url", [False, True])
async def test_reconfigure_rotates_secret_and_url(
    hass: HomeAssistant, post: Any, loaded_entry: MockConfigEntry, new_url: bool
) -> None:
    result = await loaded_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SECRET: "tiny"}
    )
    assert result["errors"] == {CONF_SECRET: "secret_too_short"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SECRET: "", "new_webhook_url": new_url}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    new_secret = placeholders(result)["secret"]
    assert new_secret == loaded_entry.data[CONF_SECRET] != SECRET
    new_path = f"/api/m8com/{loaded_entry.data[CONF_WEBHOOK_ID]}"
    assert placeholders(result)["webhook_url"] == f"{EXTERNAL}{new_path}"
    assert (new_path != DIRECT_PATH) is new_url
    assert loaded_entry.unique_id == loaded_entry.data[CONF_WEBHOOK_ID]
    payload = {**load_payload("v2"), "fileUrls": []}
    old = await post(payload)
    # The secret is checked first (issue 22.6): the old secret opens nothing,
    # not even the 410 that tells a replaced URL apart (a stranger learns nothing).
    assert old.status == HTTPStatus.UNAUTHORIZED
    if new_url:  # with the current secret, a replaced URL says so (410)
        retired = await post(payload, headers={"Authorization": f"Bearer {new_secret}"})
        assert retired.status == HTTPStatus.GONE
    assert 4711 not in stored_calls(loaded_entry)
    if new_url:
        assert loaded_entry.data["retired_webhook_ids"] == [WEBHOOK_ID]
    fresh = await post(
        payload, headers={"Authorization": f"Bearer {new_secret}"}, path=new_path
    )
    assert fresh.status == HTTPStatus.OK
    assert 4711 in stored_calls(loaded_entry)


async def test_reconfigure_with_cloud_replaces_cloudhook(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, cloud: SimpleNamespace
) -> None:
    old_id = loaded_entry.data[CONF_WEBHOOK_ID]
    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SECRET: "another-long-secret", "new_webhook_url": True}
    )
    assert result["reason"] == "reconfigure_successful"
    assert loaded_entry.data[CONF_CLOUDHOOK] is True
    assert placeholders(result)["webhook_url"] == "https://hooks.nabu.casa/abc"
    # The old cloudhook stays: M8Com posting there gets 410 and a repair.
    cloud.async_delete_cloudhook.assert_not_awaited()
    secret = loaded_entry.data[CONF_SECRET]
    answer = await deliver_via_cloud(hass, old_id, secret, load_payload("v2"))
    assert answer["status"] == HTTPStatus.GONE
    issue = f"retired_url_{loaded_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue) is not None
    # Three more new URLs: the oldest retired id leaves the list, and only then
    # its cloudhook goes; deleting the account deletes the rest.
    for _ in range(3):
        result = await loaded_entry.start_reconfigure_flow(hass)
        await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_SECRET: "", "new_webhook_url": True}
        )
    cloud.async_delete_cloudhook.assert_awaited_once_with(hass, old_id)
    kept = webhook_ids(loaded_entry)
    assert await hass.config_entries.async_remove(loaded_entry.entry_id)
    deleted = {c.args[1] for c in cloud.async_delete_cloudhook.await_args_list}
    assert deleted == {old_id} | kept


async def deliver_via_cloud(
    hass: HomeAssistant, webhook_id: str, secret: str, payload: dict[str, Any]
) -> dict[str, Any]:
    """A delivery through HA's own cloud client for ``webhook_id``'s cloudhook."""
    prefs = SimpleNamespace(
        cloudhooks={webhook_id: {"webhook_id": webhook_id, "cloudhook_id": "c-1"}}
    )
    client = CloudClient(hass, prefs, async_get_clientsession(hass), {}, {})  # type: ignore[arg-type]
    answer: dict[str, Any] = await client.async_webhook_message(
        {
            "cloudhook_id": "c-1",
            "body": json.dumps(payload),
            "headers": {"Authorization": f"Bearer {secret}"},
            "method": "POST",
            "query": "",
        }
    )
    return answer


def initial_form_data(fields: list[dict[str, Any]]) -> dict[str, Any]:
    """What HA's frontend fills a form with (``computeInitialHaFormData``).

    A suggested value, else a default, else for a section its own fields'
    values. So a section with a default of its own would open empty.
    """
    data: dict[str, Any] = {}
    for field in fields:
        if (field.get("description") or {}).get("suggested_value") is not None:
            data[field["name"]] = field["description"]["suggested_value"]
        elif "default" in field:
            data[field["name"]] = field["default"]
        elif field.get("type") == "expandable":
            data[field["name"]] = initial_form_data(field["schema"])
    return data


async def test_options_form_opens_with_the_current_options_in_its_sections(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_client: Callable[[], Awaitable[Any]],
) -> None:
    """Through the HTTP API, as the frontend receives the form."""
    hass.config_entries.async_update_entry(
        loaded_entry,
        options={
            "phone_book": "+46701234567 = Anna",
            "transcribe_with": "stt.whisper",
            "transcribe_language": "sv",
        },
    )
    assert await async_setup_component(hass, "config", {})
    client = await hass_client()
    response = await client.post(
        "/api/config/config_entries/options/flow",
        json={"handler": loaded_entry.entry_id},
    )
    form = await response.json()
    data = initial_form_data(form["data_schema"])
    assert data["names"] == {
        "phone_book": "+46701234567 = Anna",
        "show_call_details": True,
    }
    assert data["transcripts"] == {
        "transcribe_with": "stt.whisper",
        "transcribe_language": "sv",
        "summarise_when_m8com_did": False,
    }
    assert data["callbacks"] == {
        "callback_when_ai_says": True,
        "callback_short_call_seconds": 10,
        "callback_numbers": "",
        "callback_due_working_hours": 4,
    }
    assert data["assist"] == {"assist_answers_about_calls": False}
    # Submitting it unchanged keeps everything.
    done = await client.post(
        f"/api/config/config_entries/options/flow/{form['flow_id']}", json=data
    )
    assert (await done.json())["type"] == "create_entry"
    assert loaded_entry.options["phone_book"] == "+46701234567 = Anna"
    assert loaded_entry.options["transcribe_with"] == "stt.whisper"
