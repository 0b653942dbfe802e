"""Talking to a test HA as its owner, as the frontend does: log in, REST.

A base of ``HomeAssistantProcess``; apart from it so the process's life
(config, start, stop) and the owner's API calls read separately.
"""

from __future__ import annotations

import contextlib
from typing import Any

import aiohttp

from .poll import until

USERNAME = "m8com-e2e"
PASSWORD = "e2e-password-0123"


class OwnerClient:
    """The owner's session with HA: ``url`` is where, ``token`` who."""

    token: str

    @property
    def url(self) -> str:
        """The base URL (the process knows its port)."""
        raise NotImplementedError

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
