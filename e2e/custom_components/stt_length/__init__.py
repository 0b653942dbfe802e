"""A speech-to-text engine for the e2e tests: it "hears" how much audio it got.

Its one entity, ``stt.stt_length``, answers every request with the number of
bytes it received, so a test can check that a whole recording, decoded to
16 kHz mono 16-bit PCM, reached the engine.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Add the entity."""
    await hass.config_entries.async_forward_entry_setups(entry, [Platform.STT])
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Remove the entity."""
    return await hass.config_entries.async_unload_platforms(entry, [Platform.STT])
