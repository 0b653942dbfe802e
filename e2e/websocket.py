"""HA's websocket API as the frontend uses it: commands and subscribed events."""

from __future__ import annotations

import asyncio
import itertools
from typing import TYPE_CHECKING, Any, Self

import aiohttp

if TYPE_CHECKING:
    from .harness import HomeAssistantProcess


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
