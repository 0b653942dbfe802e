"""The shipped blueprints validate in HA's blueprint integration and work."""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path
import shutil
from typing import Any

from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)

from .conftest import PostFn, load_payload, mock_recording

BLUEPRINTS = Path(__file__).parents[1] / "blueprints" / "automation" / "m8com"


@pytest.fixture(autouse=True)
def installed(hass: HomeAssistant, media_dir: Path) -> None:
    """Copied where HA's blueprint integration looks for them."""
    shutil.copytree(BLUEPRINTS, Path(hass.config.path("blueprints/automation/m8com")))


async def automation(hass: HomeAssistant, name: str, inputs: dict[str, Any]) -> None:
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "alias": name,
                "use_blueprint": {"path": f"m8com/{name}.yaml", "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()
    state = hass.states.get(f"automation.{name}")
    assert state is not None, "the blueprint did not validate"
    assert state.state == "on"


@pytest.mark.parametrize(
    ("inputs", "notified"),
    [
        ({}, True),
        ({"direction": "inbound", "answer_group": "Support"}, True),
        ({"direction": "outbound"}, False),
        ({"answer_group": "Sales"}, False),
        ({"min_talk_time": 200}, False),
        ({"max_talk_time": 100}, False),
    ],
)
async def test_notify_on_call(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    inputs: dict[str, Any],
    notified: bool,
) -> None:
    sent = async_mock_service(hass, "notify", "mobile_app_anna")
    await automation(
        hass, "notify_on_call", {"notify_action": "notify.mobile_app_anna", **inputs}
    )
    assert (await post({**load_payload("v2"), "fileUrls": []})).status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert len(sent) == int(notified)
    if notified:
        assert sent[0].data["title"] == "Inbound call from +46701234567"
        assert "Support 2 min 38 s." in sent[0].data["message"]
        assert sent[0].data["data"]["url"].startswith("/media-browser/")


async def test_notify_on_call_by_default_in_the_sidebar_with_the_name(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    """A fresh HA has no ``notify.notify``; the default works there."""
    hass.config_entries.async_update_entry(
        loaded_entry, options={"phone_book": "+46701234567 = Anna Kund"}
    )
    assert await async_setup_component(hass, "persistent_notification", {})
    await automation(hass, "notify_on_call", {})
    assert (await post({**load_payload("v2"), "fileUrls": []})).status == HTTPStatus.OK
    await hass.async_block_till_done()
    (shown,) = persistent_notification._async_get_or_create_notifications(hass).values()
    assert shown["title"] == "Inbound call from Anna Kund"
    assert "Support 2 min 38 s." in shown["message"]


async def test_play_new_recordings(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    played = async_mock_service(hass, "media_player", "play_media")
    await automation(hass, "play_new_recordings", {"player": "media_player.office"})
    mock_recording(aioclient_mock)
    assert (await post(load_payload("v2"))).status == HTTPStatus.OK
    await hass.async_block_till_done(wait_background_tasks=True)
    await hass.async_block_till_done()
    (call,) = played
    assert call.data["entity_id"] == ["media_player.office"]
    assert call.data["media_content_id"] == (
        f"media-source://m8com/{loaded_entry.entry_id}/4711/0"
    )


@pytest.mark.parametrize(("hours", "reminded"), [(2, True), (24 * 365 * 100, False)])
async def test_remind_open_callbacks(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    hours: int,
    reminded: bool,
) -> None:
    """The fixture's short call ended in 2025: its item is long overdue."""
    sent = async_mock_service(hass, "test", "notify")
    await automation(
        hass,
        "remind_open_callbacks",
        {
            "callbacks": "todo.m8com_callbacks",
            "hours_overdue": hours,
            "notify_action": "test.notify",
        },
    )
    short = {**load_payload("v2"), "fileUrls": [], "talkTime": 3000}
    assert (await post(short)).status == HTTPStatus.OK
    await hass.async_block_till_done(wait_background_tasks=True)
    await hass.services.async_call(
        "automation",
        "trigger",
        {"entity_id": "automation.remind_open_callbacks", "skip_condition": False},
        blocking=True,
    )
    await hass.async_block_till_done()
    assert len(sent) == int(reminded)
    if reminded:
        assert sent[0].data["title"] == "1 overdue call back"
        assert sent[0].data["message"] == "Call back +46 70-123 45 67"
    # Its hourly trigger must not outlive the test.
    await hass.services.async_call(
        "automation",
        "turn_off",
        {"entity_id": "automation.remind_open_callbacks"},
        blocking=True,
    )
