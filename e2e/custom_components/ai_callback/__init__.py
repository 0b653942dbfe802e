"""An AI task engine for the e2e tests that always wants a call back.

Its one entity, ``ai_task.ai_callback``, takes the recording as an attachment
and answers with a transcript, a summary, one action item and
``callback_needed``, as Google's Gemini would for a customer asking to be
called. Only HA 2025.8 and newer have AI task entities.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

PLATFORMS: list[Any] = ["ai_task"]  # no Platform.AI_TASK on HA 2025.4 (typing)


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Add the entity."""
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Remove the entity."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
