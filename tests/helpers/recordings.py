"""M8Com's file store: the recording a test call points to, and real servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
from homeassistant.core import HomeAssistant
import pytest

from .delivery import PostFn, load_payload

__all__ = [
    "MP3_BYTES",
    "RECORDING_URL",
    "WAV_HEADER",
    "SendAudio",
    "loopback_server",
    "mock_recording",
    "send_audio",
]


RECORDING_URL = "https://recordings.m8com.test/rec/4711.mp3"
MP3_BYTES = b"\xff\xfb\x90\x64" + bytes(12)
"""The smallest body the downloader accepts as MP3 (an MPEG frame header)."""
WAV_HEADER = b"RIFF\x24\x00\x00\x00WAVEfmt "
"""The start of a WAV file, enough for the downloader's check."""


def mock_recording(aioclient_mock: Any, content: bytes = b"ID3") -> None:
    """M8Com's file store serving the v2 fixture's recording."""
    aioclient_mock.get(
        RECORDING_URL, content=content, headers={"Content-Type": "audio/mpeg"}
    )


@pytest.fixture
async def loopback_server() -> AsyncIterator[Callable[..., Any]]:
    """Start real HTTP servers on 127.0.0.1 (one GET route each); closed after."""
    servers: list[TestServer] = []

    async def start(route: str, handler: Any) -> TestServer:
        app = web.Application()
        app.router.add_get(route, handler)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.close()


type SendAudio = Callable[..., Coroutine[Any, Any, None]]


@pytest.fixture
def send_audio(hass: HomeAssistant, post: PostFn, aioclient_mock: Any) -> SendAudio:
    """Deliver a call whose recording is ``audio`` (WAV); wait until all work ends."""

    async def send(audio: bytes, **fields: Any) -> None:
        aioclient_mock.get(
            RECORDING_URL, content=audio, headers={"Content-Type": "audio/wav"}
        )
        assert (await post({**load_payload("v2"), **fields})).status == 200
        await hass.async_block_till_done(wait_background_tasks=True)

    return send
