"""The store's commit machinery: a cancelled wait never leaves SQLite running."""

from __future__ import annotations

import asyncio
import threading

from homeassistant.core import HomeAssistant

from custom_components.m8com.store_commit import to_the_end

from .conftest import wait_for


async def test_a_cancelled_wait_lets_the_database_job_end_first(
    hass: HomeAssistant,
) -> None:
    """The lock around a job stays held until the thread has left SQLite."""
    entered, leave = threading.Event(), threading.Event()
    lock = asyncio.Lock()

    def job() -> str:
        entered.set()
        leave.wait()
        return "done"

    async def holder() -> str:
        async with lock:
            return await to_the_end(hass.async_add_executor_job(job))

    task = hass.async_create_task(holder())
    await wait_for(entered.is_set)
    for _ in range(2):  # HA stopping, then an unload: cancelled twice
        task.cancel()
        for _ in range(5):
            await asyncio.sleep(0)  # let the task see it
        assert lock.locked()
        assert not task.done()
    leave.set()
    await wait_for(task.done)
    assert task.cancelled()
    assert not lock.locked()
