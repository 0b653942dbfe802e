"""Who may read calls: every surface, as an administrator and as a user who is not.

The option *Show call details on the sensor* decides what every user reads on
the calls sensor, the event entity and the logbook; the M8Com media source
(titles naming both parties, the audio's resolved URL) is for administrators
only, refused to a logged-in user who is not one (HA's own read-only user).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from homeassistant.components import media_source
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)

from custom_components.m8com.logbook import async_describe_events

from .conftest import PostFn, load_payload, state_of

SENSOR = "sensor.m8com_calls_today"
EVENT = "event.m8com_call_recording"
URL_4711 = "https://recordings.m8com.test/rec/4711.mp3"
DETAILS = ("+46701234567", "Anna Andersson", "+46812345678")


def shows_details(value: Any) -> bool:
    return any(detail in str(value) for detail in DETAILS)


@pytest.fixture
async def components(hass: HomeAssistant) -> None:
    """Set up before the test client freezes HA's router."""
    assert await async_setup_component(hass, "websocket_api", {})
    assert await async_setup_component(hass, "media_source", {})


@pytest.fixture
async def with_recording(
    components: None,
    hass: HomeAssistant,
    post: PostFn,
    aioclient_mock: AiohttpClientMocker,
    loaded_entry: MockConfigEntry,
) -> MockConfigEntry:
    aioclient_mock.get(
        URL_4711, content=b"ID3-bytes", headers={"Content-Type": "audio/mpeg"}
    )
    assert (await post(load_payload("v2"))).status == HTTPStatus.OK
    await hass.async_block_till_done(wait_background_tasks=True)
    return loaded_entry


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_the_option_hides_details_on_sensor_event_and_logbook(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    await post({**load_payload("v2"), "fileUrls": []})
    await hass.async_block_till_done()
    assert shows_details(state_of(hass, SENSOR).attributes)  # default: on
    assert shows_details(state_of(hass, EVENT).attributes)

    hass.config_entries.async_update_entry(
        loaded_entry, options={"show_call_details": False}
    )
    await hass.async_block_till_done()
    attributes = state_of(hass, SENSOR).attributes  # hidden at once
    assert not shows_details(attributes)
    assert attributes["call_id"] == 4711
    assert attributes["talk_time"] is not None
    assert attributes["recent_calls"][0]["who"] is None

    await post({**load_payload("v2"), "id": 4712, "fileUrls": []})
    await hass.async_block_till_done()
    assert not shows_details(state_of(hass, EVENT).attributes)
    described: dict[str, Any] = {}
    async_describe_events(hass, lambda _domain, e, fn: described.update({e: fn}))
    data = {"entry_id": loaded_entry.entry_id, "caller_number": "+46701234567"}
    line = described["m8com_call_recording"](Event("m8com_call_recording", data))
    assert not shows_details(line)


async def test_logbook_shows_details_while_the_option_is_on(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    described: dict[str, Any] = {}
    async_describe_events(hass, lambda _domain, e, fn: described.update({e: fn}))
    data = {"entry_id": loaded_entry.entry_id, "caller_number": "+46701234567"}
    line = described["m8com_call_recording"](Event("m8com_call_recording", data))
    assert shows_details(line)


async def test_the_media_source_is_for_administrators_only(
    hass: HomeAssistant,
    with_recording: MockConfigEntry,
    hass_ws_client: Any,
    hass_access_token: str,
    hass_read_only_access_token: str,
) -> None:
    """Browse (titles name the parties) and resolve (the audio's signed URL)
    through HA's own websocket commands, as the frontend does."""
    entry_id = with_recording.entry_id
    day = "2025-03-14"
    root = f"media-source://m8com/{entry_id}/{day}"
    recording = f"media-source://m8com/{entry_id}/4711/0"
    results = {}
    for who, token in (
        ("admin", hass_access_token),
        ("user", hass_read_only_access_token),
    ):
        client = await hass_ws_client(hass, token)
        await client.send_json_auto_id(
            {"type": "media_source/browse_media", "media_content_id": root}
        )
        browsed = await client.receive_json()
        await client.send_json_auto_id(
            {"type": "media_source/resolve_media", "media_content_id": recording}
        )
        resolved = await client.receive_json()
        results[who] = (browsed, resolved)
    admin_browse, admin_resolve = results["admin"]
    assert admin_browse["success"], admin_browse
    assert shows_details(admin_browse["result"]["children"])
    assert admin_resolve["success"], admin_resolve
    assert admin_resolve["result"]["url"].startswith("/media/local/")
    user_browse, user_resolve = results["user"]
    assert not user_browse["success"]
    assert not shows_details(user_browse)
    assert not user_resolve["success"]
    assert "/media/local" not in str(user_resolve)


async def test_ha_itself_resolves_without_a_user(
    hass: HomeAssistant, with_recording: MockConfigEntry
) -> None:
    """Automations and AI tasks resolve with no request: not refused."""
    item = await media_source.async_resolve_media(
        hass, f"media-source://m8com/{with_recording.entry_id}/4711/0", None
    )
    assert item.url.startswith("/media/local/")
