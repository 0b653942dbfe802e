"""The URL M8Com posts to: a Nabu Casa cloudhook when available, else HA's own.

M8Com only accepts https endpoints, and for most households the Nabu Casa
cloudhook is the only https URL they have, so it is preferred whenever the
cloud subscription is active and connected (as HA's webhook flow helper does).
Otherwise it is the integration's own path on HA's URL (``/api/m8com/<id>``,
see ``routing.py``), not ``/api/webhook/<id>``, which HA answers 200 while
this integration is not started yet.
"""

from __future__ import annotations

from collections.abc import Callable
import contextlib
from types import ModuleType
from typing import Any

from homeassistant.const import EVENT_CORE_CONFIG_UPDATE
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.network import NoURLAvailableError, get_url

from .const import DIRECT_PATH, LOGGER


def _cloud(hass: HomeAssistant) -> ModuleType | None:
    """HA's cloud component, only once it is loaded (it is an after-dependency)."""
    if "cloud" not in hass.config.components:
        return None
    from homeassistant.components import cloud  # noqa: PLC0415 - only when loaded

    return cloud


async def async_endpoint_url(hass: HomeAssistant, webhook_id: str) -> tuple[str, bool]:
    """Return the URL to give M8Com, and whether it is a cloudhook."""
    cloud = _cloud(hass)
    if cloud is not None and cloud.async_active_subscription(hass):
        try:
            url: str = await cloud.async_get_or_create_cloudhook(hass, webhook_id)
        except cloud.CloudNotAvailable:
            LOGGER.info("Nabu Casa cloud is not connected; using HA's own URL")
        else:
            return url, True
    path = DIRECT_PATH.format(webhook_id=webhook_id)
    try:
        # As HA's webhook component builds its URLs: external first, no cloud.
        return get_url(hass, allow_cloud=False, prefer_external=True) + path, False
    except NoURLAvailableError:
        # No URL configured at all: the path is still what M8Com needs after
        # the user's own https host name.
        return path, False


@callback
def async_track_endpoint(
    hass: HomeAssistant,
    webhook_id: str,
    on_change: Callable[[str, bool], None],
) -> Callable[[], None]:
    """Recompute the URL when Nabu Casa connects or HA's own URLs change.

    A cloudhook is created whenever the cloud becomes available, not only at
    setup, so a household that subscribes later gets an https URL without
    re-adding the integration. Returns the function that stops listening.
    """

    async def _async_refresh(*_: Any) -> None:
        url, cloudhook = await async_endpoint_url(hass, webhook_id)
        on_change(url, cloudhook)

    @callback
    def _schedule(*_: Any) -> None:
        hass.async_create_task(_async_refresh(), eager_start=True)

    unsubs = [hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, _schedule)]
    if (cloud := _cloud(hass)) is not None:
        unsubs.append(cloud.async_listen_connection_change(hass, _schedule))

    @callback
    def _stop() -> None:
        for unsub in unsubs:
            unsub()

    return _stop


async def async_delete_cloudhook(hass: HomeAssistant, webhook_id: str) -> None:
    """Remove the cloudhook, if any; a missing cloud is nothing to clean up."""
    if (cloud := _cloud(hass)) is None:
        return
    with contextlib.suppress(cloud.CloudNotAvailable):
        await cloud.async_delete_cloudhook(hass, webhook_id)
