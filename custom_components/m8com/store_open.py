"""Opening an account's call store: damage set aside, 0.2's index imported.

A damaged or unreadable database must never keep the account (and M8Com's
deliveries) down, nor make HA retry the set-up forever: the file is moved
aside under a dated name (nothing is deleted: it may still be recoverable with
SQLite's tools), a new store is started, and a repair issue says where the
old one went. The same when opening succeeds but set-up's first reads meet
the damage (``CallStore.async_open``), and when a later write meets it: the
entry is reloaded at once and the reload sets the file aside (otherwise every
delivery would get 503 until someone restarted Home Assistant). Calls
delivered after that go to the new one.
"""

from __future__ import annotations

import sqlite3
from typing import Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, LOGGER
from .repairs import async_report_store_damaged
from .store_db import Database, set_aside
from .store_import import import_legacy, legacy_files

_DAMAGE: Final = (11, 26)
"""SQLITE_CORRUPT and SQLITE_NOTADB (primary result codes)."""
_FOUND: HassKey[dict[str, sqlite3.DatabaseError]] = HassKey(f"{DOMAIN}_store_damage")
"""Entries whose store a write found damaged: set aside at their next set-up."""


async def async_open_database(hass: HomeAssistant, entry_id: str, db: Database) -> None:
    """Open ``db``; set a damaged file aside and start anew; import 0.2 once."""
    if (found := hass.data.get(_FOUND, {}).pop(entry_id, None)) is not None:
        await async_start_anew(hass, entry_id, db, found)
    else:
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


def damaged(err: BaseException) -> bool:
    """The file itself is damaged (not locked, not a full disk)."""
    if not isinstance(err, sqlite3.DatabaseError):
        return False
    return (getattr(err, "sqlite_errorcode", None) or 0) & 0xFF in _DAMAGE


@callback
def async_damage_found(hass: HomeAssistant, entry_id: str, err: BaseException) -> None:
    """A write after set-up met damage: reload the entry, which sets it aside.

    Once per damage: the deliveries that meet it meanwhile get 503 and are
    sent again by M8Com, to the new store.
    """
    found = hass.data.setdefault(_FOUND, {})
    if not isinstance(err, sqlite3.DatabaseError) or not damaged(err):
        return
    if entry_id in found:
        return
    found[entry_id] = err
    LOGGER.error("The call store is damaged (%s); reloading the account", err)
    hass.config_entries.async_schedule_reload(entry_id)


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
