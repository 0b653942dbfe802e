"""Entities of an account: a thin base, and one for entities that follow calls.

``M8ComEntity`` only names the entity and puts it under the account's service
device. ``M8ComCallEntity`` adds what the calls sensor and the event entity
share: one state write per accepted call of their own entry. The health
sensors follow deliveries instead (``sensor.py``), so they use the base only.
"""

from __future__ import annotations

from abc import abstractmethod

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity, EntityDescription

from .call import Call
from .const import DOMAIN, signal_new_call


class M8ComEntity(Entity):
    """Named by its description, under the account's service device."""

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


class M8ComCallEntity(M8ComEntity):
    """Writes its state at most once per accepted call of its own entry."""

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

    @abstractmethod
    def _apply(self, record: Call) -> bool:
        """Take what this entity shows from the new call; False if nothing changed.

        A burst of calls often repeats what an entity shows; skipping those
        writes keeps the per-call cost low (HA would find the state unchanged
        anyway, after building it).
        """
