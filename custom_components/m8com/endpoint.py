"""The URL M8Com posts to: a Nabu Casa cloudhook when available, else HA's own.

M8Com only accepts https endpoints, and for most households the Nabu Casa
cloudhook is the only https URL they have, so it is preferred whenever the
cloud subscription is active and connected (as HA's webhook flow helper does).
"""

from __future__ import annotations

import contextlib

from homeassistant.components import webhook
from homeassistant.core import HomeAssistant
from homeassistant.helpers.network import NoURLAvailableError

from .const import LOGGER


def cloud_active(hass: HomeAssistant) -> bool:
    """Whether a Nabu Casa subscription is loaded and active."""
    if "cloud" not in hass.config.components:
        return False
    from homeassistant.components import cloud  # noqa: PLC0415 - loaded only with cloud

    return cloud.async_active_subscription(hass)


async def async_endpoint_url(hass: HomeAssistant, webhook_id: str) -> tuple[str, bool]:
    """Return the URL to give M8Com, and whether it is a cloudhook."""
    if cloud_active(hass):
        from homeassistant.components import cloud  # noqa: PLC0415 - loaded only with cloud

        try:
            return await cloud.async_get_or_create_cloudhook(hass, webhook_id), True
        except cloud.CloudNotAvailable:
            LOGGER.info("Nabu Casa cloud is not connected; using HA's own URL")
    try:
        return webhook.async_generate_url(hass, webhook_id), False
    except NoURLAvailableError:
        # No URL configured at all: the path is still what M8Com needs after
        # the user's own https host name.
        return webhook.async_generate_path(webhook_id), False


async def async_delete_cloudhook(hass: HomeAssistant, webhook_id: str) -> None:
    """Remove the cloudhook, if any; a missing cloud is nothing to clean up."""
    if "cloud" not in hass.config.components:
        return
    from homeassistant.components import cloud  # noqa: PLC0415 - loaded only with cloud

    with contextlib.suppress(cloud.CloudNotAvailable):
        await cloud.async_delete_cloudhook(hass, webhook_id)
