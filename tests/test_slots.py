"""Download slots go to the links that expire first; expired waiters fail at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from homeassistant.util import dt as dt_util
import pytest

from custom_components.m8com.slots import DeadlineExpiredError, DeadlineSlots


async def occupied(slots: DeadlineSlots, release: asyncio.Event) -> asyncio.Task[None]:
    """Take the one slot until ``release`` is set."""

    async def hold() -> None:
        async with slots.slot(dt_util.utcnow() + timedelta(minutes=30)):
            await release.wait()

    task = asyncio.create_task(hold())
    await asyncio.sleep(0)
    return task


async def test_waiters_are_served_earliest_deadline_first() -> None:
    slots = DeadlineSlots(1)
    now = dt_util.utcnow()
    order: list[str] = []
    release = asyncio.Event()

    async def fetch(name: str, minutes: int) -> None:
        async with slots.slot(now + timedelta(minutes=minutes)):
            order.append(name)

    holder = await occupied(slots, release)
    waiters = [
        asyncio.create_task(fetch(name, minutes))
        for name, minutes in (("fresh", 29), ("old", 2), ("middle", 10))
    ]
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(holder, *waiters)
    assert order == ["old", "middle", "fresh"]


async def test_a_waiter_whose_links_expire_fails_at_once() -> None:
    slots = DeadlineSlots(1)
    now = dt_util.utcnow()
    release = asyncio.Event()

    holder = await occupied(slots, release)
    with pytest.raises(DeadlineExpiredError):
        async with slots.slot(dt_util.utcnow() + timedelta(seconds=0.05)):
            pass  # pragma: no cover - never reached
    with pytest.raises(DeadlineExpiredError):
        async with slots.slot(now - timedelta(seconds=1)):
            pass  # pragma: no cover - never reached
    release.set()
    await holder
    async with slots.slot(now + timedelta(minutes=1)):  # the slot was freed
        pass


async def test_a_cancelled_waiter_passes_its_turn_on() -> None:
    slots = DeadlineSlots(1)
    now = dt_util.utcnow()
    release = asyncio.Event()
    served: list[str] = []

    async def fetch(name: str, minutes: int) -> None:
        async with slots.slot(now + timedelta(minutes=minutes)):
            served.append(name)

    holder = await occupied(slots, release)
    doomed = asyncio.create_task(fetch("doomed", 1))
    other = asyncio.create_task(fetch("other", 5))
    await asyncio.sleep(0)
    doomed.cancel()
    release.set()
    await holder
    await other
    assert served == ["other"]
    with pytest.raises(asyncio.CancelledError):
        await doomed
