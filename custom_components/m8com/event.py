"""Event entity: one event per call, typed by direction, for automations."""

from __future__ import annotations

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers import restore_state
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .call import CALL_DETAILS, Call
from .const import DIRECTIONS, signal_erased
from .data import M8ComConfigEntry
from .entity import M8ComCallEntity
from .read_access import show_details, without_details
from .store import CallStore

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


class M8ComCallEvent(M8ComCallEntity, EventEntity):
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

    async def async_added_to_hass(self) -> None:
        """Follow erasures; forget a restored call that was erased meanwhile."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_erased(self._entry_id), self._async_erased
            )
        )
        await self._async_erased()

    async def _async_erased(self) -> None:
        """Forget the last call if it was erased: state, attributes, restore data.

        ``EventEntity`` keeps its last event in private fields and restores
        it after a restart; an erased call's number must leave both. The
        fields are cleared (the entity shows no event, as a new one does)
        and HA's restore-state file is written again at once.
        """
        attributes = self.state_attributes if self.state is not None else {}
        call_id = attributes.get("call_id")
        store = self._entry_runtime_store()
        if call_id is None or store is None:
            return
        if await store.async_get(int(call_id)) is not None:
            return
        for field in ("triggered", "type", "attributes"):
            setattr(self, f"_EventEntity__last_event_{field}", None)
        self.async_write_ha_state()
        await restore_state.async_get(self.hass).async_dump_states()

    def _entry_runtime_store(self) -> CallStore | None:
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        runtime = getattr(entry, "runtime_data", None)
        return getattr(runtime, "store", None)

    def _apply(self, record: Call) -> bool:
        details = record.event_data(self._entry_id)
        del details["entry_id"]
        if not show_details(self.hass, self._entry_id):
            details = without_details(details)
        self._trigger_event(record.direction, details)
        return True  # every call is an event
