"""Nothing answered 200 is lost: real HA restarted, reloaded and killed under load.

A sender posts numbered calls without pause while Home Assistant goes through
what a user's installation goes through; afterwards every call id that was
answered 200 must be in the integration's index. Connection errors, 404 (HA's
webhook route not there yet), 503 and 410 are all answers M8Com retries.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from dataclasses import dataclass, field
import json
import time
from typing import Any

import aiohttp
from yarl import URL

from .harness import HomeAssistantProcess
from .test_real_ha import SECRET, create_entry, payload


@dataclass
class Sender:
    """M8Com posting calls back to back, one at a time, noting every answer."""

    endpoint: str
    file_server: str | None = None
    answers: dict[int, int] = field(default_factory=dict)
    """Call id → status of its last attempt (0: no connection)."""
    first_answer: dict[int, float] = field(default_factory=dict)
    """Status → monotonic time it was first seen."""
    next_id: int = 1

    def body(self, call_id: int) -> str:
        call = payload(call_id, self.file_server or "http://127.0.0.1:9")
        if self.file_server is None:
            call["fileUrls"] = []
        return json.dumps(call)

    async def run(self, stop: asyncio.Event) -> None:
        headers = {"Authorization": f"Bearer {SECRET}"}
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while not stop.is_set():
                call_id, self.next_id = self.next_id, self.next_id + 1
                status = 0
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with session.post(
                        self.endpoint, data=self.body(call_id), headers=headers
                    ) as resp:
                        status = resp.status
                self.answers[call_id] = status
                self.first_answer.setdefault(status, time.monotonic())
                await asyncio.sleep(0.005 if status else 0.02)

    @property
    def acknowledged(self) -> set[int]:
        return {i for i, status in self.answers.items() if status == 200}


@contextlib.asynccontextmanager
async def sending(sender: Sender) -> AsyncIterator[Sender]:
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    try:
        yield sender
    finally:
        stop.set()
        await task


async def stored_ids(ha: HomeAssistantProcess) -> dict[int, dict[str, Any]]:
    found = await ha.rest(
        "POST",
        "/api/services/m8com/get_recordings?return_response",
        {"limit": 100_000},
    )
    return {r["call_id"]: r for r in found["service_response"]["recordings"]}


async def endpoint_of(ha: HomeAssistantProcess) -> tuple[str, str]:
    """A new account, once HA itself has saved it (its own 1 s delayed write)."""
    entry = await create_entry(ha)
    entry_id = entry["result"]["entry_id"]
    path = URL(entry["description_placeholders"]["webhook_url"]).path
    saved = ha.config / ".storage" / "core.config_entries"
    for _ in range(100):
        if saved.exists() and entry_id in saved.read_text():
            break
        await asyncio.sleep(0.1)
    return entry_id, ha.url + path


async def test_restart_under_continuous_delivery_loses_nothing(
    ha: HomeAssistantProcess,
) -> None:
    _, endpoint = await endpoint_of(ha)
    webhook_id = endpoint.rsplit("/", 1)[-1]
    async with sending(Sender(endpoint)) as sender:
        await asyncio.sleep(1)
        await ha.stop()
        stopped = time.monotonic()
        sender.first_answer.clear()
        await ha.start()
        await ha.login()
        await asyncio.sleep(1)
    stored = await stored_ids(ha)
    lost = sender.acknowledged - stored.keys()
    statuses = sorted(set(sender.answers.values()))
    print(  # noqa: T201 - the figures the README quotes
        f"restart: {len(sender.answers)} posts, {len(sender.acknowledged)} "
        f"answered 200, statuses {statuses}, first answers after stop "
        + ", ".join(
            f"{s}: {t - stopped:.2f} s" for s, t in sorted(sender.first_answer.items())
        )
    )
    assert lost == set(), f"answered 200 but not kept: {sorted(lost)}"
    assert sender.acknowledged, "the sender never got through"
    unregistered = [
        line
        for line in ha.log_text().splitlines()
        if "unregistered webhook" in line and webhook_id in line
    ]
    assert unregistered == []
    assert ha.log_problems() == []


async def test_reload_under_continuous_delivery_loses_nothing(
    ha: HomeAssistantProcess,
) -> None:
    entry_id, endpoint = await endpoint_of(ha)
    async with sending(Sender(endpoint)) as sender:
        for _ in range(5):
            await asyncio.sleep(0.3)
            await ha.rest("POST", f"/api/config/config_entries/entry/{entry_id}/reload")
        await asyncio.sleep(0.5)
    stored = await stored_ids(ha)
    assert sender.acknowledged - stored.keys() == set()
    assert set(sender.answers.values()) <= {200, 503}
    assert len(sender.acknowledged) > 20
    assert ha.log_problems() == []


async def test_hard_crash_keeps_calls_and_their_stored_audio(
    ha: HomeAssistantProcess, file_server: str
) -> None:
    """SIGKILL right after recordings were stored: nothing falls back to failed."""
    _, endpoint = await endpoint_of(ha)
    sender = Sender(endpoint, file_server)
    async with aiohttp.ClientSession() as session:
        for call_id in (1, 2, 3):
            async with session.post(
                endpoint,
                data=sender.body(call_id),
                headers={"Authorization": f"Bearer {SECRET}"},
            ) as resp:
                assert resp.status == 200
    for _ in range(100):
        if len(list(ha.media.rglob("*.wav"))) == 3:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # the outcomes are committed right after the rename
    await ha.kill()
    await ha.start()
    await ha.login()
    stored = await stored_ids(ha)
    assert {i: r["status"] for i, r in stored.items()} == {
        1: "saved",
        2: "saved",
        3: "saved",
    }
    assert all(len(r["media_content_ids"]) == 1 for r in stored.values())


async def test_hard_crash_right_after_the_answer_keeps_the_call(
    ha: HomeAssistantProcess,
) -> None:
    _, endpoint = await endpoint_of(ha)
    sender = Sender(endpoint)
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            endpoint,
            data=sender.body(77),
            headers={"Authorization": f"Bearer {SECRET}"},
        ) as resp,
    ):
        assert resp.status == 200
    await ha.kill()
    await ha.start()
    await ha.login()
    assert 77 in await stored_ids(ha)
