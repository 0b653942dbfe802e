"""A real Home Assistant process, driven the way a user and M8Com drive it.

Nothing here imports Home Assistant: the process is started from the same
venv with a temporary config folder, onboarded through the onboarding API,
and talked to only over HTTP and the websocket, as the frontend would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
from dataclasses import dataclass, field
import itertools
import json
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
from typing import Any, Self

import aiohttp
import imageio_ffmpeg

REPO = Path(__file__).resolve().parents[1]
USERNAME = "m8com-e2e"
PASSWORD = "e2e-password-0123"


POLL_SECONDS = 0.1
"""How often ``until`` looks again at another process's state."""


async def until[T](check: Callable[[], Awaitable[T | None]], timeout: float = 60) -> T:
    """What ``check`` returns once it is true, looked at again until then.

    Another process's state (its answers, files, log, database) cannot be
    awaited, only looked at again: this is the one place the e2e tests poll.
    ``timeout`` only bounds a condition that never comes (``TimeoutError``
    fails the test); nothing here waits a fixed time.
    """
    async with asyncio.timeout(timeout):
        while not (found := await check()):  # noqa: ASYNC110 - another process
            await asyncio.sleep(POLL_SECONDS)
        return found


ENVIRONMENTAL = ("libturbojpeg", "[haffmpeg.core] FFmpeg fails")


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


CONFIG = """
homeassistant:
  name: M8Com e2e
  time_zone: Europe/Stockholm
  country: SE
  currency: SEK
  unit_system: metric
  external_url: {external_url}
  media_dirs:
    local: {media}
http:
  server_host: 127.0.0.1
  server_port: {port}
api:
config:
onboarding:
media_source:
websocket_api:
recorder:
  db_url: sqlite:///{config}/home-assistant_v2.db
{recorder_extra}automation: !include automations.yaml
logger:
  default: warning
  logs:
    custom_components.m8com: debug
    homeassistant.components.webhook: info
"""


@dataclass
class HomeAssistantProcess:
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
        (self.config / "custom_components").mkdir(parents=True, exist_ok=True)
        link = self.config / "custom_components" / "m8com"
        if not link.exists():
            link.symlink_to(REPO / "custom_components" / "m8com")
        for name in self.integrations:
            extra = self.config / "custom_components" / name
            if not extra.exists():
                extra.symlink_to(REPO / "e2e" / "custom_components" / name)
        self.media.mkdir(exist_ok=True)
        if self.config_text is not None:
            (self.config / "configuration.yaml").write_text(self.config_text)
            automations = self.config / "automations.yaml"
            if not automations.exists():  # as scripts/develop creates it
                automations.write_text(json.dumps(self.automations))
            return
        (self.config / "configuration.yaml").write_text(
            CONFIG.format(
                port=self.port,
                media=self.media,
                config=self.config,
                external_url=self.external_url,
                recorder_extra=self.recorder_extra,
            )
            + self.extra_config
        )
        (self.config / "automations.yaml").write_text(json.dumps(self.automations))

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

    @property
    def client_id(self) -> str:
        """The OAuth client id the frontend would use."""
        return f"{self.url}/"

    async def _exchange(
        self, session: aiohttp.ClientSession, code: str
    ) -> dict[str, Any]:
        """Trade an authorization code for tokens; keep the access token."""
        async with session.post(
            f"{self.url}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": self.client_id,
            },
        ) as resp:
            resp.raise_for_status()
            tokens: dict[str, Any] = await resp.json()
        self.token = tokens["access_token"]
        return tokens

    async def onboard(self) -> None:
        """Create the owner through the onboarding API and get a token."""
        async with aiohttp.ClientSession() as session:
            async with session.post(
                f"{self.url}/api/onboarding/users",
                json={
                    "client_id": self.client_id,
                    "name": "E2E Owner",
                    "username": USERNAME,
                    "password": PASSWORD,
                    "language": "en",
                },
            ) as resp:
                resp.raise_for_status()
                code = (await resp.json())["auth_code"]
            await self._exchange(session, code)
        await self.wait_running()

    async def login(self) -> dict[str, Any]:
        """Log the owner in again (after a restart); returns the token response."""
        async with aiohttp.ClientSession() as session:
            async with session.post(
                f"{self.url}/auth/login_flow",
                json={
                    "client_id": self.client_id,
                    "handler": ["homeassistant", None],
                    "redirect_uri": self.client_id,
                },
            ) as resp:
                flow = await resp.json()
            async with session.post(
                f"{self.url}/auth/login_flow/{flow['flow_id']}",
                json={
                    "client_id": self.client_id,
                    "username": USERNAME,
                    "password": PASSWORD,
                },
            ) as resp:
                code = (await resp.json())["result"]
            tokens = await self._exchange(session, code)
        await self.wait_running()
        return tokens

    async def wait_running(self, timeout: float = 120) -> None:
        """Wait until HA reports RUNNING: its HTTP server answers before that."""

        async def running() -> bool:
            with contextlib.suppress(aiohttp.ClientError):
                return bool(
                    (await self.rest("GET", "/api/config"))["state"] == "RUNNING"
                )
            return False

        try:
            await until(running, timeout)
        except TimeoutError:
            msg = f"HA did not reach RUNNING within {timeout} s"
            raise TimeoutError(msg) from None

    async def rest(self, method: str, path: str, body: Any = None) -> Any:
        """Call HA's REST API as the owner; return the decoded JSON."""
        headers = {"Authorization": f"Bearer {self.token}"}
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                method, f"{self.url}{path}", json=body, headers=headers
            ) as resp,
        ):
            resp.raise_for_status()
            if resp.content_type == "application/json":
                return await resp.json()
            return await resp.read()

    async def state(self, entity_id: str) -> dict[str, Any]:
        """One entity's state over REST."""
        state: dict[str, Any] = await self.rest("GET", f"/api/states/{entity_id}")
        return state

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
        """Log records that must never appear: blocking calls and tracebacks.

        Records caused by native tools these machines lack (libturbojpeg for
        HA's camera helper, the ffmpeg binary for HA's tts) are environmental
        and ignored; nothing else is.
        """
        text = self.log_text()
        problems = []
        record = ""
        for line in text.splitlines():
            if line[:4].isdigit():
                record = line
            if any(known in record for known in ENVIRONMENTAL):
                continue
            if (
                "Detected blocking call" in line
                or line.startswith("Traceback")
                or ("m8com" in line and "deprecat" in line.lower())
                or "Detected that custom integration 'm8com'" in line
            ):
                problems.append(f"{record} | {line}")
        return problems


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


class WebSocket:
    """HA's websocket API: authenticate, then numbered commands."""

    def __init__(self, ha: HomeAssistantProcess) -> None:
        """Remember the process to talk to."""
        self._ha = ha
        self._ids = itertools.count(1)
        self._session: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None

    async def __aenter__(self) -> Self:
        """Connect and authenticate."""
        self._session = aiohttp.ClientSession()
        self.ws = await self._session.ws_connect(f"{self._ha.url}/api/websocket")
        await self.ws.receive_json()
        await self.ws.send_json({"type": "auth", "access_token": self._ha.token})
        reply = await self.ws.receive_json()
        if reply["type"] != "auth_ok":
            raise RuntimeError(reply)
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Disconnect."""
        assert self.ws is not None
        assert self._session is not None
        await self.ws.close()
        await self._session.close()

    async def command(self, message: dict[str, Any]) -> Any:
        """Send one command and return its result."""
        assert self.ws is not None
        msg_id = next(self._ids)
        await self.ws.send_json({"id": msg_id, **message})
        while True:
            reply = await self.ws.receive_json(timeout=30)
            if reply.get("id") == msg_id and reply["type"] == "result":
                if not reply["success"]:
                    raise RuntimeError(reply["error"])
                return reply["result"]

    async def subscribe(self, event_type: str) -> int:
        """Subscribe to a bus event type; returns the subscription id."""
        assert self.ws is not None
        msg_id = next(self._ids)
        await self.ws.send_json(
            {"id": msg_id, "type": "subscribe_events", "event_type": event_type}
        )
        return msg_id

    async def events(self, count: int, timeout: float = 30) -> list[dict[str, Any]]:
        """Collect ``count`` subscribed events (fails on timeout)."""
        assert self.ws is not None
        found: list[dict[str, Any]] = []
        async with asyncio.timeout(timeout):
            while len(found) < count:
                reply = await self.ws.receive_json()
                if reply["type"] == "event":
                    found.append(reply["event"])
        return found


async def curl_post(url: str, secret: str, body: str | bytes) -> int:
    """POST as M8Com does, with curl; return the HTTP status."""
    data = body if isinstance(body, bytes) else body.encode()
    proc = await asyncio.create_subprocess_exec(
        "curl",
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
        "-H",
        f"Authorization: Bearer {secret}",
        "--data-binary",
        "@-",
        url,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(proc.communicate(data), 60)
    return int(out)


async def simulate(*args: str, timeout: float = 120) -> tuple[int, str]:
    """Run ``scripts/simulate.py`` to the end: its exit code and what it printed."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(REPO / "scripts" / "simulate.py"),
        *args,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, out.decode()
