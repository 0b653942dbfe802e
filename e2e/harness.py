"""A real Home Assistant process, driven the way a user and M8Com drive it.

Nothing here imports Home Assistant: the process is started from the same
venv with a temporary config folder, onboarded through the onboarding API,
and talked to only over HTTP and the websocket, as the frontend would.
Its config folder is in ``ha_config``, the owner's log-in and REST calls
in ``owner``, the websocket client in ``websocket``, the log check in
``ha_log``, outside senders in ``senders`` and the poll in ``poll``; their
names are re-exported here.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import signal
import subprocess
import sys
from typing import Any

import aiohttp
import imageio_ffmpeg

from .ha_config import REPO, free_port, write_config
from .ha_log import problems_in
from .owner import PASSWORD, USERNAME, OwnerClient
from .poll import until
from .senders import curl_post, simulate
from .websocket import WebSocket

__all__ = [
    "PASSWORD",
    "REPO",
    "USERNAME",
    "HomeAssistantProcess",
    "WebSocket",
    "curl_post",
    "dev_process",
    "free_port",
    "simulate",
    "until",
]


@dataclass
class HomeAssistantProcess(OwnerClient):
    """One HA process on a free loopback port, restartable on the same config."""

    config: Path
    external_url: str = "https://m8com-e2e.example"
    port: int = field(default_factory=free_port)
    token: str = ""
    process: subprocess.Popen[bytes] | None = None
    automations: list[dict[str, Any]] = field(default_factory=list)
    recorder_extra: str = ""
    """More YAML under ``recorder:`` (indented two spaces), e.g. an exclude."""
    extra_config: str = ""
    """More top-level YAML, e.g. ``cloud:`` to have HA set up webhook early."""
    env: dict[str, str] = field(default_factory=dict)
    """More environment for the HA process (benchmarks)."""
    config_text: str | None = None
    """A whole configuration.yaml instead of the harness's (the dev config)."""
    integrations: tuple[str, ...] = ()
    """Test-only integrations from ``e2e/custom_components`` to link in too."""

    @property
    def url(self) -> str:
        """The base URL on loopback."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def media(self) -> Path:
        """HA's local media folder."""
        return self.config / "media"

    @property
    def log(self) -> Path:
        """HA's own log file."""
        return self.config / "home-assistant.log"

    def write_config(self) -> None:
        """A minimal HA (no frontend) with the integration linked in."""
        write_config(self)

    async def start(self, timeout: float = 120) -> None:
        """Start HA and wait until its HTTP server answers."""
        self.write_config()
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **self.env}
        out = (self.config / "stdout.log").open("ab")
        self.process = subprocess.Popen(  # noqa: ASYNC220, S603 - our own HA child
            [
                sys.executable,
                "-m",
                "homeassistant",
                "--config",
                str(self.config),
                "--skip-pip",
                "--log-file",
                str(self.log),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            # Not the repository: ``python -m`` puts the working directory first
            # on sys.path, where our custom_components/ would shadow the config's.
            cwd=self.config,
        )
        process = self.process
        async with aiohttp.ClientSession() as session:

            async def answering() -> bool:
                if process.poll() is not None:
                    msg = f"HA exited with {process.returncode}; see {self.log}"
                    raise RuntimeError(msg)
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"{self.url}/api/onboarding") as resp:
                        return resp.status == 200
                return False

            try:
                await until(answering, timeout)
            except TimeoutError:
                await self.stop()
                msg = f"HA did not start within {timeout} s"
                raise TimeoutError(msg) from None

    async def stop(self) -> None:
        """Stop HA the way a supervisor does (SIGTERM), so it saves its state."""
        if self.process is None:
            return
        process = self.process
        process.send_signal(signal.SIGTERM)

        async def exited() -> bool:
            return process.poll() is not None

        try:
            await until(exited, timeout=60)
        except TimeoutError:
            process.kill()
        self.process = None

    async def kill(self) -> None:
        """A hard crash (SIGKILL): nothing is flushed, nothing is saved."""
        if self.process is None:
            return
        self.process.kill()
        await asyncio.to_thread(self.process.wait)
        self.process = None

    async def saved_entry(self, entry_id: str) -> dict[str, Any]:
        """A config entry once HA has written it to disk (1 s after creating it).

        Before then, a restart or a crash would lose the entry itself.
        """
        saved = self.config / ".storage" / "core.config_entries"

        async def written() -> dict[str, Any] | None:
            if not saved.exists():
                return None
            entries: list[dict[str, Any]] = json.loads(saved.read_text())["data"][
                "entries"
            ]
            return next((e for e in entries if e["entry_id"] == entry_id), None)

        return await until(written)

    def log_text(self) -> str:
        """HA's log of this and the previous run (HA rotates it on start)."""
        logs = (self.config / "home-assistant.log.1", self.log)
        return "".join(p.read_text(errors="replace") for p in logs if p.exists())

    def log_problems(self) -> list[str]:
        """Log records that must never appear (see ``ha_log.problems_in``)."""
        return problems_in(self.log_text())


def dev_process(config: Path) -> HomeAssistantProcess:
    """The dev HA: ``config/configuration.yaml`` with what ``scripts/develop`` sets
    (port, URL, bundled ffmpeg, media folder), fresh in ``config``."""
    ha = HomeAssistantProcess(
        config=config,
        config_text=(REPO / "config" / "configuration.yaml").read_text(),
    )
    ha.media.mkdir(parents=True)
    ha.env = {
        "M8COM_DEV_PORT": str(ha.port),
        "M8COM_DEV_URL": ha.url,
        "M8COM_DEV_FFMPEG": imageio_ffmpeg.get_ffmpeg_exe(),
        "M8COM_DEV_MEDIA": str(ha.media),
    }
    return ha
