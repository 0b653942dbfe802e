"""Fault injection against a real HTTP file server on loopback.

Each fault ends in exactly one stored file or exactly one recorded failure,
leaves no ``.part`` debris, and logs no query string or phone number.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any
from unittest.mock import patch

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .conftest import PostFn, leaked, load_payload, stored

AUDIO = b"ID3" + bytes(range(256)) * 64
hits: Counter[str] = Counter()


async def flaky(request: web.Request) -> web.StreamResponse:
    """``/<fault>/<name>``: misbehave on the first hit (or always), then serve."""
    fault = request.match_info["fault"]
    hits[fault] += 1
    first = hits[fault] == 1
    if fault == "503" and first:
        return web.Response(status=HTTPStatus.SERVICE_UNAVAILABLE)
    if fault == "slow" and first:
        await asyncio.sleep(1)
    if fault in ("truncated", "always-truncated") and (
        first or fault.startswith("always")
    ):
        response = web.StreamResponse(headers={"Content-Length": str(len(AUDIO))})
        response.content_type = "audio/mpeg"
        await response.prepare(request)
        await response.write(AUDIO[:100])
        assert request.transport is not None
        request.transport.close()
        return response
    if fault == "reset" and first:
        assert request.transport is not None
        request.transport.abort()
        return web.Response()
    if fault == "ftp-redirect":
        raise web.HTTPFound("ftp://127.0.0.1/rec.mp3")
    if fault == "loopback-redirect":
        raise web.HTTPFound("/ok/moved.mp3")
    if fault == "html":
        return web.Response(text="<html>login</html>", content_type="text/html")
    return web.Response(body=AUDIO, content_type="audio/mpeg")


@pytest.fixture
async def server(loopback_server: Any) -> TestServer:
    """The flaky recording server on 127.0.0.1."""
    hits.clear()
    started: TestServer = await loopback_server("/{fault}/{name}", flaky)
    return started


@pytest.mark.enable_socket
@pytest.mark.parametrize(
    ("fault", "outcome"),
    [
        ("ok", "saved"),
        ("503", "saved"),
        ("slow", "saved"),
        ("truncated", "saved"),
        ("reset", "saved"),
        ("loopback-redirect", "saved"),
        ("always-truncated", "network error: ClientPayloadError"),
        ("ftp-redirect", "bad redirect: NonHttpUrlRedirectClientError"),
        ("html", "not an audio file (text/html)"),
    ],
)
async def test_fault(
    hass: HomeAssistant,
    post: PostFn,
    server: TestServer,
    loaded_entry: MockConfigEntry,
    media_dir: Path,
    caplog: pytest.LogCaptureFixture,
    fault: str,
    outcome: str,
) -> None:
    url = str(server.make_url(f"/{fault}/4711.mp3").with_query(token="s3cr3t-token"))
    with (
        patch(
            "custom_components.m8com.downloader._TIMEOUT",
            aiohttp.ClientTimeout(total=None, connect=5, sock_read=0.3),
        ),
        patch("custom_components.m8com.call.URL_LIFETIME", timedelta(seconds=2)),
    ):
        assert (
            await post({**load_payload("v2"), "fileUrls": [url]})
        ).status == HTTPStatus.OK
        await hass.async_block_till_done(wait_background_tasks=True)
    record = stored(loaded_entry, 4711)
    on_disk = [p for p in media_dir.rglob("*") if p.is_file()]
    if outcome == "saved":
        assert (record.status, record.error) == ("saved", None)
        assert len(on_disk) == 1
        assert on_disk[0].read_bytes() == AUDIO
    else:
        assert (record.status, record.error, on_disk) == ("failed", outcome, [])
        assert caplog.text.count("Could not store recording of call 4711") == 1
    assert leaked(caplog) == []
