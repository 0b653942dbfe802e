"""Benchmark only: HA's threads by native id, so /proc's CPU can be named.

``/proc/<pid>/task/<tid>`` gives each thread's CPU, but on Python 3.13 every
thread is called ``python3`` there; Python knows the names (``Recorder``,
``SyncWorker_0``, ``DbWorker_0``). Loaded only into benchmark HA processes.
"""

from __future__ import annotations

import threading
from typing import Any

from aiohttp import web
from homeassistant.core import HomeAssistant
from homeassistant.helpers.http import HomeAssistantView

DOMAIN = "bench_threads"


class ThreadNamesView(HomeAssistantView):
    """``GET /api/bench_threads``: ``{native id: thread name}``."""

    url = "/api/bench_threads"
    name = "api:bench_threads"

    async def get(self, _request: web.Request) -> web.Response:
        """Every live thread's native id and name."""
        return self.json(
            {str(thread.native_id): thread.name for thread in threading.enumerate()}
        )


async def async_setup(hass: HomeAssistant, _config: dict[str, Any]) -> bool:
    """Register the view (needs an access token, as every /api view)."""
    hass.http.register_view(ThreadNamesView())
    return True
