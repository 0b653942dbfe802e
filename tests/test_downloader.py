"""Recordings are streamed into the media folder, retried while the URL lives."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any
from unittest.mock import patch

from aiohttp import ClientConnectionError, web
from aiohttp.test_utils import TestServer
from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
from yarl import URL

from .conftest import MP3_BYTES, WAV_HEADER, PostFn, load_payload, stored, stored_calls

URL_4711 = "https://recordings.m8com.test/rec/4711.mp3"


def stem(call_id: int = 4711) -> str:
    """Where the v2 fixture call's audio goes, in HA's local time."""
    start = dt_util.as_local(dt_util.utc_from_timestamp(1741960992))
    return f"m8com/{start:%Y/%m/%d/%H%M%S}_{call_id}"


def record(loaded_entry: MockConfigEntry, call_id: int = 4711) -> Any:
    return stored(loaded_entry, call_id)


async def deliver(hass: HomeAssistant, post: PostFn, payload: dict[str, Any]) -> None:
    assert (await post(payload)).status == HTTPStatus.OK
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_saves_mp3_and_fires_saved_event(
    hass: HomeAssistant,
    post: PostFn,
    aioclient_mock: AiohttpClientMocker,
    media_dir: Path,
    saved_events: list[Event],
    loaded_entry: MockConfigEntry,
) -> None:
    aioclient_mock.get(
        URL_4711, content=b"ID3-audio", headers={"Content-Type": "audio/mpeg"}
    )
    await deliver(hass, post, load_payload("v2"))
    path = f"{stem()}.mp3"
    assert (media_dir / path).read_bytes() == b"ID3-audio"
    assert not list(media_dir.rglob("*.part"))
    assert saved_events[0].data == {
        "entry_id": loaded_entry.entry_id,
        "call_id": 4711,
        "files": [path],
        "media_content_ids": [f"media-source://m8com/{loaded_entry.entry_id}/4711/0"],
    }
    rec = record(loaded_entry)
    assert (rec.status, rec.files, rec.urls, rec.error) == ("saved", [path], [], None)


async def test_several_files_are_numbered(
    hass: HomeAssistant,
    post: PostFn,
    aioclient_mock: AiohttpClientMocker,
    media_dir: Path,
) -> None:
    for n in (1, 2, 3):
        aioclient_mock.get(
            f"https://r.test/{n}.wav",
            content=WAV_HEADER,
            headers={"Content-Type": "audio/wav"},
        )
    payload = {
        **load_payload("v2"),
        "fileUrls": [f"https://r.test/{n}.wav" for n in (1, 2, 3)],
    }
    await deliver(hass, post, payload)
    names = sorted(p.name for p in media_dir.rglob("*.wav"))
    base = stem().rsplit("/", 1)[1]
    assert names == [f"{base}.wav", f"{base}_2.wav", f"{base}_3.wav"]


async def test_transient_errors_are_retried(
    hass: HomeAssistant,
    post: PostFn,
    aioclient_mock: AiohttpClientMocker,
    media_dir: Path,
    loaded_entry: MockConfigEntry,
) -> None:
    answers = [
        AiohttpClientMockResponse(
            "GET", URL(URL_4711), status=HTTPStatus.SERVICE_UNAVAILABLE
        ),
        AiohttpClientMockResponse(
            "GET", URL(URL_4711), status=HTTPStatus.TOO_MANY_REQUESTS
        ),
        AiohttpClientMockResponse("GET", URL(URL_4711), exc=ClientConnectionError()),
        AiohttpClientMockResponse("GET", URL(URL_4711), exc=TimeoutError()),
        AiohttpClientMockResponse(
            "GET",
            URL(URL_4711),
            response=MP3_BYTES,
            headers={"Content-Type": "audio/mpeg"},
        ),
    ]

    async def next_answer(
        method: str, url: URL, data: Any
    ) -> AiohttpClientMockResponse:
        return answers.pop(0)

    aioclient_mock.get(URL_4711, side_effect=next_answer)
    await deliver(hass, post, load_payload("v2"))
    assert answers == []
    assert record(loaded_entry).status == "saved"
    assert (media_dir / f"{stem()}.mp3").read_bytes() == MP3_BYTES


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"status": HTTPStatus.NOT_FOUND}, "HTTP 404"),
        ({"status": HTTPStatus.FORBIDDEN}, "HTTP 403"),
        (
            {"headers": {"Content-Type": "text/html"}},
            "not an audio file (text/html)",
        ),
        (
            {
                "headers": {
                    "Content-Type": "audio/mpeg",
                    "Content-Length": str(600 * 2**20),
                }
            },
            "recording exceeds size limit",
        ),
    ],
)
async def test_permanent_failures_fail_at_once(
    hass: HomeAssistant,
    post: PostFn,
    aioclient_mock: AiohttpClientMocker,
    loaded_entry: MockConfigEntry,
    saved_events: list[Event],
    caplog: pytest.LogCaptureFixture,
    kwargs: dict[str, Any],
    reason: str,
) -> None:
    aioclient_mock.get(URL_4711, **kwargs)
    await deliver(hass, post, load_payload("v2"))
    assert aioclient_mock.call_count == 1
    rec = record(loaded_entry)
    assert (rec.status, rec.error, rec.files) == ("failed", reason, [])
    assert saved_events == []
    failures = [
        r for r in caplog.records if "Could not store recording" in r.getMessage()
    ]
    assert len(failures) == 1
    assert URL_4711 in failures[0].getMessage()
    assert "SUPERSECRETTOKEN" not in caplog.text


async def test_retries_stop_when_the_url_expires(
    hass: HomeAssistant,
    post: PostFn,
    aioclient_mock: AiohttpClientMocker,
    loaded_entry: MockConfigEntry,
) -> None:
    aioclient_mock.get(URL_4711, status=HTTPStatus.BAD_GATEWAY)
    with patch("custom_components.m8com.call.URL_LIFETIME", timedelta(seconds=0.3)):
        await deliver(hass, post, load_payload("v2"))
    assert record(loaded_entry).status == "failed"
    assert record(loaded_entry).error == "HTTP 502"
    assert aioclient_mock.call_count >= 2  # retried, then stopped at the deadline


async def test_unsupported_scheme(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    await deliver(
        hass, post, {**load_payload("v2"), "fileUrls": ["ftp://r.test/a.mp3"]}
    )
    assert record(loaded_entry).error == "unsupported URL scheme 'ftp'"


async def test_streamed_body_over_cap_is_removed(
    hass: HomeAssistant,
    post: PostFn,
    aioclient_mock: AiohttpClientMocker,
    loaded_entry: MockConfigEntry,
    media_dir: Path,
) -> None:
    aioclient_mock.get(
        URL_4711,
        content=MP3_BYTES + b"x" * 2**20,
        headers={"Content-Type": "audio/mpeg"},
    )
    hass.config_entries.async_update_entry(
        loaded_entry, options={"max_recording_mb": 1}
    )
    await deliver(hass, post, load_payload("v2"))
    assert record(loaded_entry).error == "recording exceeds size limit"
    assert not [p for p in media_dir.rglob("*") if p.is_file()]


@pytest.mark.parametrize("where", ["open_part", "finish"])
async def test_disk_error_is_a_failure_not_a_crash(
    hass: HomeAssistant,
    post: PostFn,
    aioclient_mock: AiohttpClientMocker,
    loaded_entry: MockConfigEntry,
    media_dir: Path,
    where: str,
) -> None:
    aioclient_mock.get(
        URL_4711, content=MP3_BYTES, headers={"Content-Type": "audio/mpeg"}
    )
    with patch(
        f"custom_components.m8com.downloader.{where}",
        side_effect=OSError(28, "No space left on device"),
    ):
        await deliver(hass, post, load_payload("v2"))
    assert record(loaded_entry).error == "cannot write: No space left on device"
    assert not list(media_dir.rglob("*.part"))


async def test_large_body_is_written_in_blocks(
    hass: HomeAssistant,
    post: PostFn,
    aioclient_mock: AiohttpClientMocker,
    media_dir: Path,
) -> None:
    body = MP3_BYTES + bytes(range(256)) * (3 * 2**20 // 256)
    aioclient_mock.get(URL_4711, content=body, headers={"Content-Type": "audio/mpeg"})
    with patch("custom_components.m8com.downloader.WRITE_BLOCK_BYTES", 2**20):
        await deliver(hass, post, load_payload("v2"))
    assert (media_dir / f"{stem()}.mp3").read_bytes() == body


async def test_at_most_three_downloads_at_once(
    hass: HomeAssistant,
    post: PostFn,
    aioclient_mock: AiohttpClientMocker,
    loaded_entry: MockConfigEntry,
) -> None:
    running = 0
    peak = 0
    release, three_running = asyncio.Event(), asyncio.Event()

    async def slow(method: str, url: URL, data: Any) -> AiohttpClientMockResponse:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        if running == 3:
            three_running.set()
        await release.wait()
        running -= 1
        return AiohttpClientMockResponse(
            method, url, response=MP3_BYTES, headers={"Content-Type": "audio/mpeg"}
        )

    aioclient_mock.get("https://r.test/slow.mp3", side_effect=slow)
    for call_id in range(6):
        payload = {
            **load_payload("v2"),
            "id": call_id,
            "fileUrls": ["https://r.test/slow.mp3"],
        }
        assert (await post(payload)).status == HTTPStatus.OK
    await three_running.wait()  # the other three wait for a slot (peak below)
    release.set()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert peak == 3
    statuses = {c.status for c in stored_calls(loaded_entry).values()}
    assert statuses == {"saved"}


@pytest.mark.enable_socket
async def test_real_file_server_on_loopback(
    hass: HomeAssistant, post: PostFn, media_dir: Path, loaded_entry: MockConfigEntry
) -> None:
    """The real shared session downloads from a real HTTP server."""
    audio = WAV_HEADER + bytes(range(256)) * 4096
    hits: list[str] = []

    async def recording(request: web.Request) -> web.Response:
        hits.append(request.query_string)
        if len(hits) == 1:
            return web.Response(status=HTTPStatus.SERVICE_UNAVAILABLE)
        return web.Response(body=audio, content_type="audio/wav")

    app = web.Application()
    app.router.add_get("/rec/{name}", recording)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        url = str(server.make_url("/rec/4711.wav").with_query(token="t0ken"))
        await deliver(hass, post, {**load_payload("v2"), "fileUrls": [url]})
    finally:
        await server.close()
    assert hits == ["token=t0ken", "token=t0ken"]
    assert (media_dir / f"{stem()}.wav").read_bytes() == audio
    assert record(loaded_entry).status == "saved"
