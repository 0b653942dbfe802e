"""What a download may not do: store the wrong format, hold a slot, fill the disk."""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest.mock import patch

from aiohttp import web
from aiohttp.test_utils import TestServer
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)

from custom_components.m8com.const import DOMAIN

from .conftest import MP3_BYTES, RECORDING_URL, PostFn, load_payload, stored

WAV_URL = "https://recordings.m8com.test/rec/4711.wav"


async def deliver(hass: HomeAssistant, post: PostFn, payload: dict[str, Any]) -> None:
    assert (await post(payload)).status == HTTPStatus.OK
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.parametrize(
    ("url", "content_type", "body", "reason"),
    [
        (
            RECORDING_URL,
            "audio/mpeg",
            b"<html><body>hi</body></html>",
            "not an MP3 file",
        ),
        (RECORDING_URL, "audio/mpeg", b"ffconcat version 1.0\n", "not an MP3 file"),
        (RECORDING_URL, "audio/mpeg", b"ID", "not an MP3 file"),
        (RECORDING_URL, "audio/mpeg", b"", "not an MP3 file"),
        (WAV_URL, "audio/wav", b"RIFF\x24\x00\x00\x00AVI LIST", "not a WAV file"),
        (WAV_URL, "audio/wav", MP3_BYTES, "not a WAV file"),
    ],
)
async def test_content_not_matching_its_type_is_refused(
    hass: HomeAssistant,
    post: PostFn,
    aioclient_mock: AiohttpClientMocker,
    loaded_entry: MockConfigEntry,
    media_dir: Path,
    caplog: pytest.LogCaptureFixture,
    url: str,
    content_type: str,
    body: bytes,
    reason: str,
) -> None:
    aioclient_mock.get(url, content=body, headers={"Content-Type": content_type})
    await deliver(hass, post, {**load_payload("v2"), "fileUrls": [url]})
    record = stored(loaded_entry, 4711)
    assert (record.status, record.error, record.files) == ("failed", reason, [])
    assert not [p for p in media_dir.rglob("*") if p.is_file()]
    assert f"Could not store recording of call 4711 from {url}: {reason}" in caplog.text


@pytest.mark.enable_socket
async def test_a_trickling_server_loses_its_slot(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    media_dir: Path,
) -> None:
    """The server sends a header, then nothing: the attempt's time bound ends it."""
    release = asyncio.Event()
    served = asyncio.Event()

    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": str(2**20)})
        response.content_type = "audio/mpeg"
        await response.prepare(request)
        await response.write(MP3_BYTES)
        served.set()
        await release.wait()
        return response

    app = web.Application()
    app.router.add_get("/rec/{name}", trickle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("/rec/4711.mp3"))
    try:
        with (
            patch("custom_components.m8com.downloader.DOWNLOAD_BASE_SECONDS", 1.0),
            patch(
                "custom_components.m8com.downloader.DOWNLOAD_MIN_BYTES_PER_SECOND",
                2**40,
            ),
        ):
            await deliver(hass, post, {**load_payload("v2"), "fileUrls": [url]})
    finally:
        release.set()
        await server.close()
    assert served.is_set()
    record = stored(loaded_entry, 4711)
    assert (record.status, record.error) == ("failed", "download took longer than 1 s")
    assert not [p for p in media_dir.rglob("*") if p.is_file()]


def disk_with(free_mb: int) -> Any:
    """What ``shutil.disk_usage`` answers for a disk with this much free space."""
    return patch(
        "custom_components.m8com.media_files.shutil.disk_usage",
        return_value=SimpleNamespace(
            total=2**40, used=2**40 - free_mb * 2**20, free=free_mb * 2**20
        ),
    )


async def test_low_disk_refuses_downloads_and_the_repair_clears(
    hass: HomeAssistant,
    post: PostFn,
    aioclient_mock: AiohttpClientMocker,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    aioclient_mock.get(
        RECORDING_URL, content=MP3_BYTES, headers={"Content-Type": "audio/mpeg"}
    )
    issue_id = f"disk_error_{loaded_entry.entry_id}"
    reason = "less than 500 MB free on the disk"
    with disk_with(499):
        await deliver(hass, post, load_payload("v2"))
    record = stored(loaded_entry, 4711)
    assert (record.status, record.error) == ("failed", reason)
    assert aioclient_mock.call_count == 0  # not even fetched
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {"name": "M8Com", "error": reason}
    assert f"Could not store recording of call 4711 from {RECORDING_URL}" in caplog.text
    with disk_with(501):
        await deliver(hass, post, {**load_payload("v2"), "id": 4712})
    assert stored(loaded_entry, 4712).status == "saved"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
