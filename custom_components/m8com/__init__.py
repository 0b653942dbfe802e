"""M8Com call recordings: set up and tear down one account (config entry)."""

from __future__ import annotations

from aiohttp.hdrs import METH_POST
from homeassistant.components.webhook import async_register, async_unregister
from homeassistant.const import CONF_WEBHOOK_ID, Platform
from homeassistant.core import HomeAssistant

from .const import CONF_SECRET, DOMAIN, MAX_RECORDING_MB
from .downloader import Downloader
from .endpoint import async_delete_cloudhook, async_endpoint_url
from .pipeline import CallPipeline, M8ComConfigEntry, M8ComRuntime, media_root
from .recordings import RecordingIndex
from .webhook import WebhookHandler

PLATFORMS = [Platform.EVENT, Platform.SENSOR]


async def async_setup_entry(hass: HomeAssistant, entry: M8ComConfigEntry) -> bool:
    """Load the call index, then open the webhook and the entities."""
    index = RecordingIndex(hass, entry.entry_id)
    await index.async_load()
    downloader = Downloader(hass, media_root(hass), MAX_RECORDING_MB * 1024 * 1024)
    pipeline = CallPipeline(hass, entry, index, downloader)
    webhook_id: str = entry.data[CONF_WEBHOOK_ID]
    url, _ = await async_endpoint_url(hass, webhook_id)
    entry.runtime_data = M8ComRuntime(index=index, pipeline=pipeline, webhook_url=url)

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    async_register(
        hass,
        DOMAIN,
        entry.title,
        webhook_id,
        WebhookHandler(entry.title, entry.data[CONF_SECRET], pipeline.async_receive),
        local_only=False,
        allowed_methods=[METH_POST],
    )
    entry.async_on_unload(lambda: async_unregister(hass, webhook_id))
    return True


async def async_unload_entry(hass: HomeAssistant, entry: M8ComConfigEntry) -> bool:
    """Close the webhook (via on_unload) and unload the entities."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: M8ComConfigEntry) -> None:
    """Delete the cloudhook and the call index; recordings stay in the media folder."""
    await async_delete_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])
    await RecordingIndex(hass, entry.entry_id).async_remove_storage()
