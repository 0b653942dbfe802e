"""M8Com call recordings: set up and tear down one account (config entry)."""

from __future__ import annotations

from aiohttp.hdrs import METH_POST
from homeassistant.components.webhook import async_register, async_unregister
from homeassistant.const import CONF_WEBHOOK_ID, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from .const import CONF_CLOUDHOOK, CONF_SECRET, DOMAIN
from .downloader import Downloader
from .endpoint import async_delete_cloudhook, async_endpoint_url, async_track_endpoint
from .library import async_schedule_retention
from .pipeline import CallPipeline, M8ComConfigEntry, M8ComRuntime, media_root
from .recordings import RecordingIndex
from .repairs import async_check_https, async_clear_issues
from .services import async_setup_services
from .webhook import WebhookHandler

PLATFORMS = [Platform.EVENT, Platform.SENSOR]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the recordings actions once, for every account."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: M8ComConfigEntry) -> bool:
    """Load the call index, then open the entities and the webhook."""
    index = RecordingIndex(hass, entry.entry_id)
    await index.async_load()
    pipeline = CallPipeline(hass, entry, index, Downloader(hass, media_root(hass)))
    webhook_id: str = entry.data[CONF_WEBHOOK_ID]
    url, _ = await async_endpoint_url(hass, webhook_id)
    entry.runtime_data = M8ComRuntime(index=index, pipeline=pipeline, webhook_url=url)
    async_check_https(hass, entry, url)

    @callback
    def _endpoint_changed(url: str, cloudhook: bool) -> None:
        entry.runtime_data.webhook_url = url
        if cloudhook != entry.data.get(CONF_CLOUDHOOK):
            data = {**entry.data, CONF_CLOUDHOOK: cloudhook}
            hass.config_entries.async_update_entry(entry, data=data)
        async_check_https(hass, entry, url)

    entry.async_on_unload(async_track_endpoint(hass, webhook_id, _endpoint_changed))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    async_register(
        hass,
        DOMAIN,
        entry.title,
        webhook_id,
        WebhookHandler(
            entry.title, lambda: entry.data[CONF_SECRET], pipeline.async_receive
        ),
        local_only=False,
        allowed_methods=[METH_POST],
    )
    entry.async_on_unload(lambda: async_unregister(hass, webhook_id))
    async_schedule_retention(hass, entry)
    await pipeline.async_resume()
    return True


async def async_unload_entry(hass: HomeAssistant, entry: M8ComConfigEntry) -> bool:
    """Close the webhook (via on_unload) and unload the entities."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: M8ComConfigEntry) -> None:
    """Delete the cloudhook, the call index and the account's repair issues.

    Recordings stay in the media folder: they are the user's files.
    """
    await async_delete_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])
    await RecordingIndex(hass, entry.entry_id).async_remove_storage()
    async_clear_issues(hass, entry)
