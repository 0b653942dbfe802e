"""HA's backups copy the call store consistently: checkpointed, writes held.

A backup copies ``.storage`` file by file while HA runs. A database and its
WAL copied at different moments may not fit together, so before the copy the
WAL is folded into the database file and truncated, and writes wait until the
backup is done. What a delivery gets meanwhile: it waits up to ``HOLD_WAIT``
seconds (a backup of a small configuration is done by then, and M8Com sees a
slow 200); after that it is answered 503 with ``Retry-After`` and M8Com sends
it again. Nothing is lost either way: a call is acknowledged only once it is
committed. Background writes (a finished download, a transcript, the callback
list) have nobody to send them again, so they wait for the backup's end.
Reads (sensor, media browser, actions) go on during the backup.
"""

from __future__ import annotations

import asyncio

from homeassistant.core import HomeAssistant

from .const import DOMAIN
from .data import M8ComConfigEntry


def _loaded(hass: HomeAssistant) -> list[M8ComConfigEntry]:
    return hass.config_entries.async_loaded_entries(DOMAIN)


async def async_pre_backup(hass: HomeAssistant) -> None:
    """Checkpoint every account's store and hold its writes."""
    await asyncio.gather(
        *(entry.runtime_data.store.async_hold() for entry in _loaded(hass))
    )


async def async_post_backup(hass: HomeAssistant) -> None:
    """Let the held writes go on."""
    for entry in hass.config_entries.async_entries(DOMAIN):
        if (runtime := getattr(entry, "runtime_data", None)) is not None:
            runtime.store.release()
