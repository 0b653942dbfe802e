"""M8Com call recordings: the door Home Assistant opens first.

HA's webhook component answers 200 to a webhook id that has no handler, and
M8Com never resends a call answered 200. So ``async_setup`` first opens the
integration's own delivery path, ``/api/m8com/<id>``, which answers 404 (M8Com
retries) until then and 503 until the account is loaded, and every account's
webhook ids, *before* HA's webhook component may route anything (``webhook``
is an after-dependency, set up from here); only then does it import the rest
of the integration. Nabu Casa's cloudhooks and older ``/api/webhook/…`` URLs
still go through HA's webhook component: when another integration set it up
earlier, HA answers 200 for them until this runs. This module imports nothing
heavy, so that window is as short as HA allows (README, Known limitations).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType
from homeassistant.setup import async_setup_component

from .const import DOMAIN
from .routing import async_open_direct_path, async_routes

if TYPE_CHECKING:
    from .data import M8ComConfigEntry

PLATFORMS = [Platform.EVENT, Platform.SENSOR, Platform.TODO]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Open every account's ids and our path, then HA's webhook route, the rest."""
    routes = async_routes(hass)
    for entry in hass.config_entries.async_entries(DOMAIN, include_ignore=False):
        routes.async_sync(entry)
    async_open_direct_path(hass)
    if not await async_setup_component(hass, "webhook", config):
        return False
    account = await hass.async_add_import_executor_job(
        importlib.import_module, f"{__name__}.account"
    )
    account.async_setup_services(hass)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: M8ComConfigEntry) -> bool:
    """Bring a 0.1.0 account to the one-call-one-change entity model."""
    from .account import async_migrate_account  # noqa: PLC0415 - already imported

    return async_migrate_account(hass, entry)


async def async_setup_entry(hass: HomeAssistant, entry: M8ComConfigEntry) -> bool:
    """Set up one account (``account.py``, imported by ``async_setup``)."""
    from .account import async_setup_account  # noqa: PLC0415 - already imported

    return await async_setup_account(hass, entry, PLATFORMS)


async def async_unload_entry(hass: HomeAssistant, entry: M8ComConfigEntry) -> bool:
    """Unload the entities; the webhook ids stay open and answer 503 meanwhile."""
    from .account import async_unload_account  # noqa: PLC0415 - already imported

    return await async_unload_account(hass, entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: M8ComConfigEntry) -> None:
    """Close the account's webhook ids and delete what it stored (not recordings)."""
    from .account import async_remove_account  # noqa: PLC0415 - already imported

    await async_remove_account(hass, entry)
