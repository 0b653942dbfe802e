"""Download slots, served earliest deadline first.

After an outage M8Com delivers a backlog, each call with links that expire 30
minutes after *its* call. First come, first served would spend the few slots
on late-arriving fresh links while older ones expire in the queue; here the
waiter whose links expire first gets the next free slot, and one whose links
expire while it waits fails at once instead of taking a slot for nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from datetime import datetime
import heapq
import itertools

from homeassistant.util import dt as dt_util


class DeadlineExpiredError(Exception):
    """The links expired before a slot was free."""


class DeadlineSlots:
    """At most ``size`` holders; waiters ordered by deadline."""

    def __init__(self, size: int) -> None:
        """Start with every slot free."""
        self._free = size
        self._waiting: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    @contextlib.asynccontextmanager
    async def slot(self, deadline: datetime) -> AsyncIterator[None]:
        """Hold a slot; raise DeadlineExpiredError if none is free in time."""
        await self._acquire(deadline)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, deadline: datetime) -> None:
        left = (deadline - dt_util.utcnow()).total_seconds()
        if left <= 0:
            raise DeadlineExpiredError
        if self._free and not self._waiting:
            self._free -= 1
            return
        loop = asyncio.get_running_loop()
        turn: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._waiting, (deadline.timestamp(), next(self._order), turn))
        try:
            async with asyncio.timeout(left):
                await turn
        except TimeoutError as err:
            self._forget(turn)
            raise DeadlineExpiredError from err
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._release()  # handed a slot just as we were cancelled
            self._forget(turn)
            raise

    def _forget(self, turn: asyncio.Future[None]) -> None:
        self._waiting = [w for w in self._waiting if w[2] is not turn]
        heapq.heapify(self._waiting)

    def _release(self) -> None:
        while self._waiting:
            _, _, turn = heapq.heappop(self._waiting)
            if not turn.done():
                turn.set_result(None)  # the slot passes on, never freed between
                return
        self._free += 1
