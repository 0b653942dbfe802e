"""Shared fixtures: an M8Com entry on a real webhook, payloads, a media folder."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import json
import logging
from pathlib import Path
import sqlite3
from types import SimpleNamespace
from typing import Any
from unittest.mock import PropertyMock, patch

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from homeassistant.components.cloud.client import CloudClient
from homeassistant.const import CONF_WEBHOOK_ID, MAJOR_VERSION, Platform
from homeassistant.core import Context, Event, HomeAssistant, State
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.syrupy import (
    HomeAssistantSnapshotExtension,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.m8com import PLATFORMS
from custom_components.m8com.call import Call
from custom_components.m8com.const import (
    CONF_CLOUDHOOK,
    CONF_SECRET,
    DOMAIN,
    EVENT_CALL_RECORDING,
    EVENT_RECORDING_SAVED,
)
from custom_components.m8com.store_rows import SELECT, from_row

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "test-secret-0123456789abcdef"
WEBHOOK_ID = "0123456789abcdef0123456789abcdef"
WEBHOOK_PATH = f"/api/webhook/{WEBHOOK_ID}"
DIRECT_PATH = f"/api/m8com/{WEBHOOK_ID}"
"""The URL path the flows show (the integration's own view)."""
AUTH = {"Authorization": f"Bearer {SECRET}"}

type Client = TestClient[Any, Any]
type PostFn = Callable[..., Coroutine[Any, Any, Any]]


def state_of(hass: HomeAssistant, entity_id: str) -> State:
    """The entity's state, which must exist."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state


def load_payload(name: str) -> dict[str, Any]:
    """A fixture payload as M8Com would send it."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


class VersionedSnapshotExtension(HomeAssistantSnapshotExtension):  # type: ignore[misc]
    """HA's serializer, one snapshot folder per HA year (registry fields differ)."""

    @classmethod
    def dirname(cls, *, test_location: Any) -> str:
        """``tests/snapshots/ha2025`` on the oldest target, ``ha2026`` on the newest."""
        return str(
            Path(test_location.filepath).parent / "snapshots" / f"ha{MAJOR_VERSION}"
        )


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots with HA's serializer (stable ids, readable states)."""
    return snapshot.use_extension(VersionedSnapshotExtension)


@pytest.fixture
def mock_recorder_before_hass(request: pytest.FixtureRequest) -> None:
    """A test that uses the recorder gets its database before ``hass`` exists.

    HA's plugin has ``hass`` ask this fixture first for exactly that; doing it
    here spares each recorder test module its own reordered autouse fixtures.
    """
    if "recorder_mock" in request.fixturenames:
        request.getfixturevalue("recorder_db_url")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let HA load custom_components/m8com in every test."""


@pytest.fixture(autouse=True)
def media_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Keep recordings and the call store out of the test package's folder.

    HA's config and media folders point into ``tmp_path``; returns the media folder.
    """
    hass.config.config_dir = str(tmp_path / "config")
    path = tmp_path / "media"
    hass.config.media_dirs = {"local": str(path)}
    return path


@pytest.fixture(autouse=True)
def no_backoff() -> Any:
    """Retries happen, but without real waiting."""
    with (
        patch("custom_components.m8com.downloader.RETRY_FIRST_DELAY", 0.001),
        patch("custom_components.m8com.downloader.RETRY_MAX_DELAY", 0.004),
        patch("custom_components.m8com.transcriber.RETRY_DELAYS", (0.0, 0.0)),
    ):
        yield


@pytest.fixture(autouse=True)
def mockable_downloads(request: pytest.FixtureRequest) -> Any:
    """Tests that mock M8Com's file server with ``aioclient_mock`` get HA's
    (mocked) session for downloads; all others use the real policy session."""
    if "aioclient_mock" not in request.fixturenames:
        yield
        return
    with patch(
        "custom_components.m8com.downloader.async_policy_session",
        lambda hass, **_: async_get_clientsession(hass),
    ):
        yield


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Create every entity enabled, opt-in ones too (as HA core's tests do)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


def listen(hass: HomeAssistant, event_type: str) -> list[Event]:
    """Every event of this type fired from now on, in order."""
    events: list[Event] = []
    hass.bus.async_listen(event_type, events.append)
    return events


@pytest.fixture
def call_events(hass: HomeAssistant) -> list[Event]:
    """Every ``m8com_call_recording`` event fired during the test."""
    return listen(hass, EVENT_CALL_RECORDING)


@pytest.fixture
def saved_events(hass: HomeAssistant) -> list[Event]:
    """Every ``m8com_recording_saved`` event fired during the test."""
    return listen(hass, EVENT_RECORDING_SAVED)


@pytest.fixture
def config_entry() -> MockConfigEntry:
    """An M8Com account as the config flow would create it."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="M8Com",
        entry_id="01JTESTENTRY0000000000000",
        unique_id=WEBHOOK_ID,
        data={CONF_WEBHOOK_ID: WEBHOOK_ID, CONF_SECRET: SECRET, CONF_CLOUDHOOK: False},
    )


@pytest.fixture
def platforms() -> list[Platform]:
    """The platforms to set up; a test may narrow them (snapshots)."""
    return PLATFORMS


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry, platforms: list[Platform]
) -> MockConfigEntry:
    """The account, set up with its webhook open."""
    config_entry.add_to_hass(hass)
    with patch("custom_components.m8com.PLATFORMS", platforms):
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
    return config_entry


@pytest.fixture
async def failed_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """The account after a set-up that failed late (recovery hit a disk error)."""
    config_entry.add_to_hass(hass)
    with patch(
        "custom_components.m8com.account.async_recover",
        side_effect=OSError(5, "Input/output error"),
    ):
        assert not await hass.config_entries.async_setup(config_entry.entry_id)
    return config_entry


@pytest.fixture
async def client(
    hass_client_no_auth: Callable[[], Coroutine[Any, Any, Client]],
    loaded_entry: MockConfigEntry,
) -> Client:
    """An HTTP client that posts as M8Com does (no HA login)."""
    return await hass_client_no_auth()


@pytest.fixture
def post(client: Client) -> PostFn:
    """POST a payload (dict, or raw bytes/str) to the entry's webhook."""

    async def _post(
        payload: Any, headers: dict[str, str] | None = None, path: str = WEBHOOK_PATH
    ) -> Any:
        body = payload if isinstance(payload, bytes | str) else json.dumps(payload)
        return await client.post(
            path,
            data=body,
            headers={
                "Content-Type": "application/json",
                **(AUTH if headers is None else headers),
            },
        )

    return _post


CLOUDHOOK_ID = "cloudhook-0123"


@dataclass
class Answer:
    """What the sender saw: the status, and its headers."""

    status: int
    headers: dict[str, str]


@pytest.fixture(params=["http", "direct", "cloud"])
def deliver(
    request: pytest.FixtureRequest,
    hass: HomeAssistant,
    client: Client,
    loaded_entry: MockConfigEntry,
) -> PostFn:
    """Deliver a payload the two ways it reaches HA: over HTTP, or through
    Nabu Casa, where HA's own cloud client (``async_webhook_message``) hands
    the webhook a ``MockRequest`` (no ``content_length``, no ``remote``, a new
    body reader on each ``.content``); ``direct`` posts the same to the
    integration's own path (``/api/m8com/<id>``). Returns an ``Answer``.
    """
    kind = request.param

    async def _deliver(
        payload: Any, headers: dict[str, str] | None = None, path: str = WEBHOOK_PATH
    ) -> Answer:
        body = payload if isinstance(payload, bytes | str) else json.dumps(payload)
        sent = {
            "Content-Type": "application/json",
            **(AUTH if headers is None else headers),
        }
        if kind == "direct":
            path = path.replace("/api/webhook/", "/api/m8com/")
        if kind in {"http", "direct"}:
            response = await client.post(path, data=body, headers=sent)
            return Answer(response.status, dict(response.headers))
        webhook_id = path.rsplit("/", 1)[-1]
        prefs = SimpleNamespace(
            cloudhooks={
                webhook_id: {"webhook_id": webhook_id, "cloudhook_id": CLOUDHOOK_ID}
            }
        )
        cloud = CloudClient(hass, prefs, async_get_clientsession(hass), {}, {})  # type: ignore[arg-type]
        text = body.decode(errors="replace") if isinstance(body, bytes) else body
        answer = await cloud.async_webhook_message(
            {
                "cloudhook_id": CLOUDHOOK_ID,
                "body": text,
                "headers": sent,
                "method": "POST",
                "query": "",
            }
        )
        return Answer(int(answer["status"]), dict(answer.get("headers") or {}))

    _deliver.kind = kind  # type: ignore[attr-defined]
    return _deliver


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


RECEIVED = datetime(2025, 3, 14, 14, 6, tzinfo=UTC)
"""When a test's stored call arrived."""


def store_index(storage: dict[str, Any], entry_id: str, data: dict[str, Any]) -> None:
    """An account's 0.2 call index as HA's Store would find it (``hass_storage``).

    Kept for tests that mean the old format; ``legacy_index`` writes the file
    itself, which is what the call store imports.
    """
    key = f"{DOMAIN}.{entry_id}"
    storage[key] = {"version": 1, "minor_version": 1, "key": key, "data": data}


def legacy_index(hass: HomeAssistant, entry_id: str, data: dict[str, Any]) -> Path:
    """Write 0.2's snapshot file ``.storage/m8com.<entry_id>`` as HA's Store did."""
    key = f"{DOMAIN}.{entry_id}"
    path = Path(hass.config.path(".storage", key))
    path.parent.mkdir(parents=True, exist_ok=True)
    wrapped = {"version": 1, "minor_version": 1, "key": key, "data": data}
    path.write_text(json.dumps(wrapped, indent=4))
    return path


def journal(hass: HomeAssistant, entry_id: str) -> Path:
    """An account's 0.2 journal file (imported and removed by the store)."""
    return Path(hass.config.path(".storage", f"{DOMAIN}.{entry_id}.jsonl"))


def database(hass: HomeAssistant, entry_id: str) -> Path:
    """An account's call store file."""
    return Path(hass.config.path(".storage", f"{DOMAIN}.{entry_id}.db"))


def stored_calls(entry: MockConfigEntry | Any) -> dict[int, Call]:
    """Every call in an account's store file, read as a second process would."""
    return calls_in(entry.runtime_data.store.path)


def calls_in(path: Path) -> dict[int, Call]:
    """Every call in a store file (committed transactions only)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {
            row[0]: from_row(row) for row in db.execute(f"{SELECT} ORDER BY call_id")
        }
    finally:
        db.close()


def stored(entry: MockConfigEntry | Any, call_id: int) -> Call:
    """One call of an account's store (KeyError if it is not there)."""
    return stored_calls(entry)[call_id]


SENSITIVE = (
    SECRET,
    "token=",
    "sig=",
    "SUPERSECRETTOKEN",
    "+46701234567",
    "46701234567",
    "+46812345678",
    "+46709876543",
)


def leaked(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log lines at INFO or above that carry a secret, a link token or a number.

    The fake M8Com file server's own access log (``aiohttp.access``) is not
    Home Assistant's and is left out.
    """
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.INFO
        and record.name != "aiohttp.access"
        and any(needle in record.getMessage() for needle in SENSITIVE)
    ]


def deprecation_reports(caplog: pytest.LogCaptureFixture) -> list[str]:
    """HA's reports of deprecated use or misbehaviour that name this integration."""
    return [
        message
        for message in (record.getMessage() for record in caplog.records)
        if "m8com" in message
        and (
            "deprecat" in message.lower()
            or "Detected that custom integration" in message
            or "Detected code that" in message
            or "Detected blocking call" in message
        )
    ]


@pytest.fixture(autouse=True)
def no_deprecations(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail any test during which HA reports deprecated use by this integration."""
    yield
    assert deprecation_reports(caplog) == []


def pending(call_id: int, age: timedelta, url: str = RECORDING_URL) -> dict[str, Any]:
    """A stored call that was accepted ``age`` ago and never downloaded."""
    received = dt_util.utcnow() - age
    return {
        "call_id": call_id,
        "received": received.isoformat(),
        "start_time": (received - timedelta(minutes=2)).isoformat(),
        "caller_number": "+46701234567",
        "callee_number": "+46812345678",
        "status": "pending",
        "urls": [url],
    }


async def start(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    storage: dict[str, Any],
    calls: list[Any],
) -> None:
    """Set an account up on a 0.2 index (as after a restart and an upgrade)."""
    legacy_index(hass, entry.entry_id, {"calls": calls})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


async def wait_for(condition: Callable[[], object]) -> None:
    """Yield to the event loop until ``condition()`` holds (never a fixed time).

    Gives up (failing the test) after many turns of the loop, so a condition
    that never comes does not hang the run.
    """
    for _ in range(5000):
        if condition():
            return
        await asyncio.sleep(0.002)
    msg = "the condition never held"
    raise AssertionError(msg)


TODO = "todo.m8com_callbacks"
"""The test account's callback list."""


async def update_item(
    hass: HomeAssistant, item: str, user: MockUser | None = None, **changes: Any
) -> None:
    """``todo.update_item`` on the callback list, as its card calls it.

    ``user`` is who acts (the list records who ticked an item off).
    """
    await hass.services.async_call(
        "todo",
        "update_item",
        {"item": item, **changes},
        target={"entity_id": TODO},
        blocking=True,
        context=Context(user_id=user.id) if user else None,
    )


async def tick_off(
    hass: HomeAssistant, item: str, user: MockUser | None = None
) -> None:
    """Tick ``item`` off the callback list."""
    await update_item(hass, item, user, status="completed")
