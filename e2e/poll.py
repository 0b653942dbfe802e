"""The one way the e2e tests wait for another process: look again until true."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

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
