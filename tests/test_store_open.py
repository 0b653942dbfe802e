"""Opening the call store: damage found later goes the way of damage at set-up."""

from __future__ import annotations

from http import HTTPStatus
import sqlite3
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com.const import DOMAIN
from custom_components.m8com.store_db import Database

from .conftest import PostFn, stored_calls, wait_for
from .test_store import call


def malformed() -> sqlite3.DatabaseError:
    """What SQLite raises when a page it reads is damaged (SQLITE_CORRUPT)."""
    err = sqlite3.DatabaseError("database disk image is malformed")
    err.sqlite_errorcode = 11
    err.sqlite_errorname = "SQLITE_CORRUPT"
    return err


async def test_damage_met_by_a_later_write_sets_the_store_aside(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    """Not 503 forever: the entry reloads, the file goes aside, a repair says so."""
    path = loaded_entry.runtime_data.store.path
    assert (await post(call(1))).status == HTTPStatus.OK
    with patch.object(Database, "insert", side_effect=malformed()):
        assert (await post(call(2))).status == HTTPStatus.SERVICE_UNAVAILABLE
        assert (await post(call(3))).status == HTTPStatus.SERVICE_UNAVAILABLE
    await wait_for(lambda: [p for p in path.parent.iterdir() if ".damaged-" in p.name])
    await hass.async_block_till_done()
    aside = [
        p.name
        for p in path.parent.iterdir()
        if ".damaged-" in p.name and not p.name.endswith(("-wal", "-shm"))
    ]
    assert len(aside) == 1  # once, though two deliveries met the damage
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"store_damaged_{loaded_entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders == {"name": "M8Com", "file": aside[0]}
    assert (await post(call(2))).status == HTTPStatus.OK
    assert set(stored_calls(loaded_entry)) == {2}
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    assert set(stored_calls(loaded_entry)) == {2}  # no loop: the new file holds


async def test_a_full_disk_is_not_damage(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    """SQLITE_FULL: 503 with Retry-After, the file stays where it is."""
    path = loaded_entry.runtime_data.store.path
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = 13
    with patch.object(Database, "insert", side_effect=full):
        assert (await post(call(1))).status == HTTPStatus.SERVICE_UNAVAILABLE
    await hass.async_block_till_done()
    assert not [p for p in path.parent.iterdir() if ".damaged-" in p.name]
    assert (await post(call(1))).status == HTTPStatus.OK
