"""Recordings browse by account and day and resolve to signed local media URLs."""

from __future__ import annotations

from datetime import date, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from unittest.mock import patch

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

from custom_components.m8com.call import Call
from custom_components.m8com.media_source import _hour_title, _hours

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


@pytest.fixture
async def busy_day(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> str:
    """Five recordings and a call without audio on the day clocks go forward.

    In Stockholm 2026-03-29 has 23 hours (02:00 is skipped): 09:00 is hour 8.
    """
    assert await async_setup_component(hass, "media_source", {})
    await hass.config.async_set_time_zone("Europe/Stockholm")
    day = date(2026, 3, 29)
    store = loaded_entry.runtime_data.store
    for call_id, (hour, minute) in enumerate(
        [(0, 5), (0, 30), (9, 0), (9, 59), (22, 10), (9, 30)], 1
    ):
        zone = dt_util.get_default_time_zone()
        start = datetime(2026, 3, 29, hour, minute, tzinfo=zone)
        files = [f"m8com/{call_id}.mp3"] if call_id < 6 else []
        call = Call(call_id, start, start_time=start, status="saved", files=files)
        assert await store.async_accept(call)
    return f"{loaded_entry.entry_id}/{day.isoformat()}"


async def browse(hass: HomeAssistant, identifier: str) -> BrowseMedia:
    return await media_source.async_browse_media(
        hass, f"media-source://m8com/{identifier}"
    )


async def test_a_busy_day_opens_on_its_hours(
    hass: HomeAssistant, busy_day: str
) -> None:
    entry_id = busy_day.split("/", maxsplit=1)[0]
    flat = [f"{entry_id}/{n}/0" for n in (5, 4, 3, 2, 1)]  # 6 has no audio
    assert ids(await browse(hass, busy_day)) == flat
    with patch("custom_components.m8com.media_source.HOURS_ABOVE", 4):
        day = await browse(hass, busy_day)
        assert ids(day) == [f"{busy_day}/{n}" for n in (21, 8, 0)]
        assert day.children is not None
        assert [child.title for child in day.children] == [
            "22:00-23:00 (1 recording)",
            "09:00-10:00 (2 recordings)",  # the call without audio: not counted
            "00:00-01:00 (2 recordings)",
        ]
        hour = await browse(hass, f"{busy_day}/8")
        assert hour.title == "2026-03-29 09:00-10:00"
        assert ids(hour) == [f"{entry_id}/{n}/0" for n in (4, 3)]
        assert ids(await browse(hass, f"{busy_day}/0")) == [
            f"{entry_id}/{n}/0" for n in (2, 1)
        ]
        assert ids(await browse(hass, f"{busy_day}/1")) == []
        for wrong in ("23", "-1", "x", "8/1"):
            with pytest.raises(BrowseError):
                await browse(hass, f"{busy_day}/{wrong}")


@pytest.mark.parametrize(
    ("day", "titles"),
    [
        (date(2026, 3, 29), ["00:00-01:00", "01:00 CET-03:00 CEST", "03:00-04:00"]),
        (
            date(2026, 10, 25),
            ["01:00-02:00", "02:00 CEST-02:00 CET", "02:00-03:00", "03:00-04:00"],
        ),
    ],
)
async def test_hour_titles_tell_the_clock_change_apart(
    hass: HomeAssistant, day: date, titles: list[str]
) -> None:
    """The hour that happens twice (or is skipped) never reads ``02:00-02:00``."""
    await hass.config.async_set_time_zone("Europe/Stockholm")
    hours = _hours(day)
    shown = [_hour_title(hours, n) for n in range(len(hours) - 1)]
    first = shown.index(titles[0])
    assert shown[first : first + len(titles)] == titles
    assert len(shown) == (23 if day.month == 3 else 25)
