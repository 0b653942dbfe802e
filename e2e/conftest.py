"""Fixtures for tests against a real Home Assistant process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from pathlib import Path

from aiohttp import web
import pytest

from .harness import HomeAssistantProcess, free_port

# A real, playable WAV: 0.5 s of a 440 Hz tone, 8 kHz mono 8-bit.
_RATE = 8000
_SAMPLES = bytes(
    128 + int(100 * ((i * 440 * 2 // _RATE) % 2 * 2 - 1)) for i in range(_RATE // 2)
)
WAV = (
    b"RIFF"
    + (36 + len(_SAMPLES)).to_bytes(4, "little")
    + b"WAVEfmt "
    + (16).to_bytes(4, "little")
    + (1).to_bytes(2, "little")
    + (1).to_bytes(2, "little")
    + _RATE.to_bytes(4, "little")
    + _RATE.to_bytes(4, "little")
    + (1).to_bytes(2, "little")
    + (8).to_bytes(2, "little")
    + b"data"
    + len(_SAMPLES).to_bytes(4, "little")
    + _SAMPLES
)


BIG = (b"ID3" + bytes(range(256)) * (20 * 2**20 // 256))[: 20 * 2**20]
"""20 MiB served as MP3: it starts with an ID3 tag, as the downloader checks."""


@contextlib.asynccontextmanager
async def running(process: HomeAssistantProcess) -> AsyncIterator[HomeAssistantProcess]:
    """Start and onboard ``process``; stop it however the test ends."""
    await process.start()
    try:
        await process.onboard()
        yield process
    finally:
        await process.stop()


@pytest.fixture
async def ha(tmp_path: Path) -> AsyncIterator[HomeAssistantProcess]:
    """A started and onboarded Home Assistant."""
    async with running(HomeAssistantProcess(config=tmp_path / "config")) as process:
        yield process


@pytest.fixture
async def file_server() -> AsyncIterator[str]:
    """M8Com's recording storage: serves a WAV for any name, on loopback."""

    async def recording(request: web.Request) -> web.Response:
        return web.Response(body=WAV, content_type="audio/wav")

    async def slow(request: web.Request) -> web.StreamResponse:
        """A large recording served slowly: 20 MiB in 1 MiB steps, 0.25 s apart."""
        response = web.StreamResponse(headers={"Content-Length": str(len(BIG))})
        response.content_type = "audio/mpeg"
        await response.prepare(request)
        for offset in range(0, len(BIG), 2**20):
            await response.write(BIG[offset : offset + 2**20])
            await asyncio.sleep(0.25)
        return response

    flaky_hits: dict[str, int] = {}

    async def flaky(request: web.Request) -> web.Response:
        """Fails twice with 503, then serves."""
        name = request.match_info["name"]
        flaky_hits[name] = flaky_hits.get(name, 0) + 1
        if flaky_hits[name] <= 2:
            return web.Response(status=503)
        return web.Response(body=WAV, content_type="audio/wav")

    app = web.Application()
    app.router.add_get("/rec/{name}", recording)
    app.router.add_get("/slow/{name}", slow)
    app.router.add_get("/flaky/{name}", flaky)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
