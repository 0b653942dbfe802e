"""Event entity: one event per call, typed by direction, for automations."""

from __future__ import annotations

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .call import CALL_DETAILS, Call
from .const import DIRECTIONS
from .data import M8ComConfigEntry
from .entity import M8ComEntity
from .read_access import show_details, without_details

PARALLEL_UPDATES = 0

DESCRIPTION = EventEntityDescription(
    key="call_recording",
    translation_key="call_recording",
    event_types=list(DIRECTIONS),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: M8ComConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account's call event entity."""
    async_add_entities([M8ComCallEvent(entry, DESCRIPTION)])


class M8ComCallEvent(M8ComEntity, EventEntity):
    """Fires ``inbound``/``outbound``/``unknown`` with the call's details.

    The details are personal data (phone numbers, names, summaries) and unique
    per call: they are kept out of the recorder, whose history the erasure
    actions cannot reach, and which would otherwise store a new attribute row
    for every call.
    """

    _unrecorded_attributes = frozenset(CALL_DETAILS)
    # Each event is also a logbook line ("detected an event") and a state row;
    # the bus event already carries every call with a line of its own, so this
    # entity is for those who want it (README: Entities).
    _attr_entity_registry_enabled_default = False

    def _apply(self, record: Call) -> bool:
        details = record.event_data(self._entry_id)
        del details["entry_id"]
        if not show_details(self.hass, self._entry_id):
            details = without_details(details)
        self._trigger_event(record.direction, details)
        return True  # every call is an event
