"""Recordings browse by account and day and resolve to signed local media URLs."""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path
from typing import Any

from homeassistant.components import media_source
from homeassistant.components.media_player.browse_media import (
    BrowseMedia,
    async_process_play_media_url,
)
from homeassistant.components.media_player.errors import BrowseError
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)
from yarl import URL

from .conftest import PostFn, load_payload

URL_4711 = "https://recordings.m8com.test/rec/4711.mp3"


@pytest.fixture
async def with_recording(
    hass: HomeAssistant,
    post: PostFn,
    aioclient_mock: AiohttpClientMocker,
    loaded_entry: MockConfigEntry,
) -> MockConfigEntry:
    assert await async_setup_component(hass, "media_source", {})
    aioclient_mock.get(
        URL_4711, content=b"ID3-bytes", headers={"Content-Type": "audio/mpeg"}
    )
    assert (await post(load_payload("v2"))).status == HTTPStatus.OK
    await post({**load_payload("v1"), "fileUrls": []})  # a call without audio
    await hass.async_block_till_done(wait_background_tasks=True)
    return loaded_entry


def ids(node: BrowseMedia) -> list[str | None]:
    """The identifiers of a browse node's children."""
    assert node.children is not None
    return [getattr(child, "identifier", None) for child in node.children]


async def test_browse_root_account_day(
    hass: HomeAssistant, with_recording: MockConfigEntry
) -> None:
    entry_id = with_recording.entry_id
    root = await media_source.async_browse_media(hass, "media-source://m8com")
    assert root.title == "M8Com call recordings"
    assert ids(root) == [entry_id]
    account = await media_source.async_browse_media(
        hass, f"media-source://m8com/{entry_id}"
    )
    day = dt_util.as_local(dt_util.utc_from_timestamp(1741960992)).date().isoformat()
    assert ids(account) == [f"{entry_id}/{day}"]
    listing = await media_source.async_browse_media(
        hass, f"media-source://m8com/{entry_id}/{day}"
    )
    assert ids(listing) == [f"{entry_id}/4711/0"]  # the call without audio is not
    assert listing.children is not None
    (item,) = listing.children
    assert item.can_play
    assert item.title.endswith("· +46701234567 → Support · 2 min 38 s · inbound")


async def test_resolve_and_fetch_signed(
    hass: HomeAssistant,
    with_recording: MockConfigEntry,
    hass_client_no_auth: Any,
    media_dir: Path,
) -> None:
    media_id = f"media-source://m8com/{with_recording.entry_id}/4711/0"
    resolved = await media_source.async_resolve_media(hass, media_id, None)
    assert resolved.mime_type == "audio/mpeg"
    assert resolved.url.startswith("/media/local/m8com/")
    client = await hass_client_no_auth()
    assert (await client.get(resolved.url)).status == HTTPStatus.UNAUTHORIZED
    signed = async_process_play_media_url(hass, resolved.url)
    response = await client.get(URL(signed).path_qs)
    assert response.status == HTTPStatus.OK
    assert await response.read() == b"ID3-bytes"


@pytest.mark.parametrize(
    "identifier", ["nope/4711/0", "ENTRY/9999/0", "ENTRY/4711/5", "ENTRY/x/0", "ENTRY"]
)
async def test_unresolvable(
    hass: HomeAssistant, with_recording: MockConfigEntry, identifier: str
) -> None:
    identifier = identifier.replace("ENTRY", with_recording.entry_id)
    with pytest.raises(media_source.Unresolvable):
        await media_source.async_resolve_media(
            hass, f"media-source://m8com/{identifier}", None
        )


@pytest.mark.parametrize("identifier", ["nope", "ENTRY/not-a-day"])
async def test_browse_errors(
    hass: HomeAssistant, with_recording: MockConfigEntry, identifier: str
) -> None:
    identifier = identifier.replace("ENTRY", with_recording.entry_id)
    with pytest.raises(BrowseError):
        await media_source.async_browse_media(
            hass, f"media-source://m8com/{identifier}"
        )
