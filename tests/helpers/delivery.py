"""Delivering as M8Com does: the test account's webhook, payloads and senders."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.components.cloud.client import CloudClient
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

__all__ = [
    "AUTH",
    "CLOUDHOOK_ID",
    "DIRECT_PATH",
    "FIXTURES",
    "SECRET",
    "WEBHOOK_ID",
    "WEBHOOK_PATH",
    "Answer",
    "Client",
    "PostFn",
    "client",
    "deliver",
    "load_payload",
    "no_audio",
    "post",
    "through_cloud",
]

FIXTURES = Path(__file__).parents[1] / "fixtures"
SECRET = "test-secret-0123456789abcdef"
WEBHOOK_ID = "0123456789abcdef0123456789abcdef"
WEBHOOK_PATH = f"/api/webhook/{WEBHOOK_ID}"
DIRECT_PATH = f"/api/m8com/{WEBHOOK_ID}"
"""The URL path the flows show (the integration's own view)."""
AUTH = {"Authorization": f"Bearer {SECRET}"}
CLOUDHOOK_ID = "cloudhook-0123"

type Client = TestClient[Any, Any]
type PostFn = Callable[..., Coroutine[Any, Any, Any]]


def load_payload(name: str) -> dict[str, Any]:
    """A fixture payload as M8Com would send it."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def no_audio(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload without recordings: a call that starts no download."""
    return {**payload, "fileUrls": []}


def _request(
    payload: Any, headers: dict[str, str] | None
) -> tuple[bytes | str, dict[str, str]]:
    """The body (a dict as JSON, raw bytes/str as given) and headers M8Com sends.

    ``headers`` None means M8Com's own (the right secret); a test passes
    others to send a wrong or missing one.
    """
    body = payload if isinstance(payload, bytes | str) else json.dumps(payload)
    sent = {
        "Content-Type": "application/json",
        **(AUTH if headers is None else headers),
    }
    return body, sent


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
        body, sent = _request(payload, headers)
        return await client.post(path, data=body, headers=sent)

    return _post


@dataclass
class Answer:
    """What the sender saw: the status, and its headers."""

    status: int
    headers: dict[str, str]


async def through_cloud(
    hass: HomeAssistant, path: str, body: bytes | str, headers: dict[str, str]
) -> Answer:
    """Hand the webhook a delivery as HA's own cloud client does.

    ``async_webhook_message`` gives it a ``MockRequest``: no
    ``content_length``, no ``remote``, a new body reader on each ``.content``.
    """
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
            "headers": headers,
            "method": "POST",
            "query": "",
        }
    )
    return Answer(int(answer["status"]), dict(answer.get("headers") or {}))


@pytest.fixture(params=["http", "direct", "cloud"])
def deliver(
    request: pytest.FixtureRequest,
    hass: HomeAssistant,
    client: Client,
    loaded_entry: MockConfigEntry,
) -> PostFn:
    """Deliver a payload the two ways it reaches HA: over HTTP, or through
    Nabu Casa (``through_cloud``); ``direct`` posts the same to the
    integration's own path (``/api/m8com/<id>``). Returns an ``Answer``.
    """
    kind = request.param

    async def _deliver(
        payload: Any, headers: dict[str, str] | None = None, path: str = WEBHOOK_PATH
    ) -> Answer:
        body, sent = _request(payload, headers)
        if kind == "direct":
            path = path.replace("/api/webhook/", "/api/m8com/")
        if kind in {"http", "direct"}:
            response = await client.post(path, data=body, headers=sent)
            return Answer(response.status, dict(response.headers))
        return await through_cloud(hass, path, body, sent)

    _deliver.kind = kind  # type: ignore[attr-defined]
    return _deliver
