"""Base entity: one service device per M8Com account, fed by its dispatcher signal."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity, EntityDescription

from .call import Call
from .const import DOMAIN, signal_new_call


class M8ComEntity(Entity):
    """Writes its state exactly once per accepted call of its own entry."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: ConfigEntry, description: EntityDescription) -> None:
        """Name the entity after its description, under the account's device."""
        self.entity_description = description
        self._entry_id = entry.entry_id
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            manufacturer="M8Com",
            model="Call recording webhook",
            entry_type=DeviceEntryType.SERVICE,
        )

    async def async_added_to_hass(self) -> None:
        """Listen for this entry's calls only."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_new_call(self._entry_id), self._async_on_call
            )
        )

    @callback
    def _async_on_call(self, record: Call) -> None:
        if self._apply(record):
            self.async_write_ha_state()

    def _apply(self, record: Call) -> bool:
        """Take what this entity shows from the new call; False if nothing changed.

        A burst of calls often repeats the same agent, group or direction;
        skipping those writes keeps the per-call cost of eleven entities low
        (HA would find the state unchanged anyway).
        """
        raise NotImplementedError
