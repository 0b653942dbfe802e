"""Opening an account's call store: damage set aside, 0.2's index imported.

A damaged or unreadable database must never keep the account (and M8Com's
deliveries) down, nor make HA retry the set-up forever: the file is moved
aside under a dated name (nothing is deleted: it may still be recoverable with
SQLite's tools), a new store is started, and a repair issue says where the
old one went. The same when opening succeeds but set-up's first reads meet
the damage (``CallStore.async_open``). Calls delivered after that go to the new one.
"""

from __future__ import annotations

import sqlite3
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import LOGGER
from .repairs import async_report_store_damaged
from .store_db import Database, set_aside
from .store_import import import_legacy, legacy_files

_DAMAGE: Final = (11, 26)
"""SQLITE_CORRUPT and SQLITE_NOTADB (primary result codes)."""


async def async_open_database(hass: HomeAssistant, entry_id: str, db: Database) -> None:
    """Open ``db``; set a damaged file aside and start anew; import 0.2 once."""
    try:
        await hass.async_add_executor_job(db.open)
    except sqlite3.DatabaseError as err:
        await async_start_anew(hass, entry_id, db, err)
    if not db.text_index:
        LOGGER.warning(
            "This SQLite has no FTS5: text searches of calls use LIKE (slower)"
        )
    snapshot, journal = legacy_files(db.path)
    if await hass.async_add_executor_job(snapshot.exists) or (
        await hass.async_add_executor_job(journal.exists)
    ):
        imported, damage = await hass.async_add_executor_job(
            import_legacy, db, snapshot, journal, hass.config.country
        )
        if damage is not None:  # the calls read before it and the journal's: kept
            suffix = f"damaged-{dt_util.utcnow():%Y%m%d%H%M%S}"
            await hass.async_add_executor_job(set_aside, snapshot, suffix)
            LOGGER.error(
                "The 0.2 call index is damaged (%s); kept the calls read before "
                "the damage and set it aside",
                damage,
            )
            async_report_store_damaged(hass, entry_id, f"{snapshot.name}.{suffix}")
        LOGGER.info("Moved %s calls from the 0.2 index into the call store", imported)


def damaged(err: sqlite3.DatabaseError) -> bool:
    """The file itself is damaged (not locked, not a full disk)."""
    return err.sqlite_errorcode & 0xFF in _DAMAGE


async def async_start_anew(
    hass: HomeAssistant, entry_id: str, db: Database, err: sqlite3.DatabaseError
) -> None:
    """Close ``db``, move the damaged file aside (repair issue), open a new one."""
    await hass.async_add_executor_job(db.close)
    suffix = f"damaged-{dt_util.utcnow():%Y%m%d%H%M%S}"
    aside = await hass.async_add_executor_job(set_aside, db.path, suffix)
    LOGGER.error(
        "The call store %s could not be read (%s); moved it to %s and "
        "started a new one",
        db.path.name,
        err,
        aside.name,
    )
    async_report_store_damaged(hass, entry_id, aside.name)
    await hass.async_add_executor_job(db.open)
