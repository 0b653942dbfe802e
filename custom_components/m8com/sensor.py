"""One sensor per account: today's calls, with the last call's details.

Design: one call, one change. A call is published as one bus event (for
automations; its logbook line is ours and says who called whom) and as one
state change of this sensor. The sensor's state is a count with a unit and a
state class, so HA's logbook skips it and its history graphs; the last call's
details are attributes kept out of the recorder (they are personal data, unique
per call, and the recorder's history is out of reach of erasure), so a call
costs the recorder one state row and no new attribute row. Talk and wait
times are graphable as hourly long-term statistics (``statistics.py``).

Everything is read from the call store's small caches (today's count and the
ten newest calls, by start time), so nothing needs restoring after a restart,
the count resets at local midnight, an erased call disappears from the
attributes at once, and "the last call" is always the one that started last,
whether it just arrived, or after a reload or an erasure.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_time_change
from homeassistant.util import dt as dt_util

from .call import Call
from .call_attributes import (
    LAST_CALL_ATTRIBUTES,
    RECENT_CALLS,
    RECENT_COUNT,
    RecentRows,
    last_call_attributes,
)
from .const import CALLS_KEY, signal_delivery, signal_erased, signal_updated
from .data import M8ComConfigEntry
from .entity import M8ComCallEntity, M8ComEntity
from .health import DeliveryHealth, async_health
from .read_access import show_details, without_details
from .store import CallStore

PARALLEL_UPDATES = 0

CALLS_TODAY = SensorEntityDescription(
    key=CALLS_KEY,
    translation_key="calls_today",
    state_class=SensorStateClass.TOTAL_INCREASING,
)


@dataclass(frozen=True, kw_only=True)
class M8ComHealthDescription(SensorEntityDescription):
    """A delivery-health sensor: how to read its value off the account's health."""

    value_fn: Callable[[DeliveryHealth], int | datetime | None]
    attributes_fn: Callable[[DeliveryHealth], dict[str, Any] | None] = lambda _: None


LAST_DELIVERY = M8ComHealthDescription(
    key="last_delivery",
    translation_key="last_delivery",
    device_class=SensorDeviceClass.TIMESTAMP,
    entity_category=EntityCategory.DIAGNOSTIC,
    # A timestamp changes with every delivery: a state row and a logbook line
    # each. Off by default, so a call still costs three rows and one line.
    entity_registry_enabled_default=False,
    value_fn=lambda health: health.last_delivery,
)
REJECTED = M8ComHealthDescription(
    key="rejected_deliveries",
    translation_key="rejected_deliveries",
    state_class=SensorStateClass.TOTAL_INCREASING,
    entity_category=EntityCategory.DIAGNOSTIC,
    value_fn=lambda health: sum(health.rejected.values()),
    # The reason for the last refusal, never the body.
    attributes_fn=lambda health: {"last_reason": health.last_rejection},
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: M8ComConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account's calls sensor and its delivery-health sensor."""
    async_add_entities(
        [
            M8ComCallsSensor(entry, entry.runtime_data.store),
            M8ComHealthSensor(entry, REJECTED),
            M8ComHealthSensor(entry, LAST_DELIVERY),
        ]
    )


class M8ComHealthSensor(M8ComEntity, SensorEntity):
    """Delivery health: refused deliveries, or the last authenticated one.

    Refusals are counted since start-up (401, 400, 413) with the last reason.
    Written only when its own value changes: the refused count costs nothing
    per accepted call; a repair issue speaks up after five wrong secrets in a
    row and after days of silence (``health.py``).
    """

    entity_description: M8ComHealthDescription
    _shown: Any = None

    async def async_added_to_hass(self) -> None:
        """Follow this account's deliveries."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_delivery(self._entry_id), self._async_delivered
            )
        )

    @callback
    def _async_delivered(self) -> None:
        if (self.native_value, self.extra_state_attributes) != self._shown:
            self._shown = (self.native_value, self.extra_state_attributes)
            self.async_write_ha_state()

    @property
    def _health(self) -> DeliveryHealth:
        return async_health(self.hass, self._entry_id)

    @property
    def native_value(self) -> int | datetime | None:
        """Read through the description's ``value_fn``."""
        return self.entity_description.value_fn(self._health)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Read through the description's ``attributes_fn``."""
        return self.entity_description.attributes_fn(self._health)


class M8ComCallsSensor(M8ComCallEntity, SensorEntity):
    """Counts today's calls; its attributes are the last call's details."""

    _unrecorded_attributes = frozenset({*LAST_CALL_ATTRIBUTES, RECENT_CALLS})

    def __init__(self, entry: M8ComConfigEntry, store: CallStore) -> None:
        """Read from the entry's call store."""
        super().__init__(entry, CALLS_TODAY)
        self._store = store
        self._refreshing: asyncio.Task[None] | None = None
        self._recent_rows = RecentRows()

    async def async_added_to_hass(self) -> None:
        """Refresh at midnight and after an erasure."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_track_time_change(
                self.hass, self._async_refresh, hour=0, minute=0, second=0
            )
        )
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_erased(self._entry_id), self._async_erased
            )
        )
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_updated(self._entry_id), self._async_updated
            )
        )
        if entry := self.hass.config_entries.async_get_entry(self._entry_id):
            # read_access: details shown or hidden from the moment the option changes
            self.async_on_remove(entry.add_update_listener(self._async_options))

    async def _async_options(self, _hass: HomeAssistant, _entry: Any) -> None:
        self.async_write_ha_state()

    @property
    def native_value(self) -> int:
        """Calls that started today, local time."""
        return self._store.count_on(dt_util.now().date())

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The last call's details and the recent calls (kept out of the recorder).

        The list is what a built-in markdown card can show as a call log: HA's
        logbook card leaves out sensors with a unit, and an event entity would
        cost a state row and a logbook line per call.
        """
        last = last_call_attributes(self._entry_id, self._store.newest)
        recent = self._recent_rows(self._store.recent(RECENT_COUNT))
        if not show_details(self.hass, self._entry_id):  # read_access
            last, recent = without_details(last), list(map(without_details, recent))
        return {**last, RECENT_CALLS: recent}

    @callback
    def _async_refresh(self, _now: datetime | None = None) -> None:
        """Midnight: the store caches tomorrow's count too, so write at once."""
        self.async_write_ha_state()
        self._refreshing = self.hass.async_create_background_task(
            self._store.async_refresh(), "m8com day caches"
        )

    async def async_will_remove_from_hass(self) -> None:
        """Let a running refresh end: the store closes right after the entities."""
        if self._refreshing is not None:
            await asyncio.wait([self._refreshing])

    @callback
    def _async_updated(self, record: Call) -> None:
        """A transcript arrived: one more write if the call is on show.

        Only unrecorded attributes change, so it costs a state row and no
        logbook line; only accounts that transcribe pay it.
        """
        if any(c.call_id == record.call_id for c in self._store.recent(RECENT_COUNT)):
            self.async_write_ha_state()

    @callback
    def _async_erased(self) -> None:
        self.async_write_ha_state()  # the store refreshed its caches first

    def _apply(self, record: Call) -> bool:
        """Every kept call changes the count (and the details if it is newest)."""
        return True
