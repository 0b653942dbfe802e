"""The "last call" sensors for dashboards, and today's recording count.

Each last-call sensor takes its value from the newest call through a
``value_fn`` and restores it after a restart, because M8Com may not call
again for hours. The daily count is derived from the persistent call index
instead, so it is right after a restart and resets itself at local midnight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfTime
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_time_change
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from .call import Call
from .const import DIRECTIONS
from .data import M8ComConfigEntry
from .entity import M8ComEntity
from .index import CallIndex

PARALLEL_UPDATES = 0
MAX_STATE_LENGTH = 255


@dataclass(frozen=True, kw_only=True)
class M8ComSensorEntityDescription(SensorEntityDescription):
    """A last-call sensor: how to read its value (and attributes) off a call."""

    value_fn: Callable[[Call], StateType | datetime]
    attribute_keys: tuple[str, ...] = ()
    """Call fields shown whole as attributes (e.g. a summary too long for a state)."""


def _duration(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 1)


def _truncate(text: str | None) -> str | None:
    if text is None or len(text) <= MAX_STATE_LENGTH:
        return text
    return text[: MAX_STATE_LENGTH - 1] + "…"


LAST_CALL_SENSORS = (
    M8ComSensorEntityDescription(
        key="last_call",
        translation_key="last_call",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda call: call.started,
    ),
    M8ComSensorEntityDescription(
        key="last_caller",
        translation_key="last_caller",
        value_fn=lambda call: call.caller_number,
    ),
    M8ComSensorEntityDescription(
        key="last_callee",
        translation_key="last_callee",
        value_fn=lambda call: call.callee_number,
    ),
    M8ComSensorEntityDescription(
        key="last_direction",
        translation_key="last_direction",
        device_class=SensorDeviceClass.ENUM,
        options=list(DIRECTIONS),
        value_fn=lambda call: call.direction,
    ),
    M8ComSensorEntityDescription(
        key="last_agent",
        translation_key="last_agent",
        value_fn=lambda call: call.agent_name or call.agent_id,
    ),
    M8ComSensorEntityDescription(
        key="last_answer_group",
        translation_key="last_answer_group",
        value_fn=lambda call: call.answer_group_name or call.answer_group_id,
    ),
    M8ComSensorEntityDescription(
        key="last_talk_time",
        translation_key="last_talk_time",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        value_fn=lambda call: _duration(call.talk_time),
    ),
    M8ComSensorEntityDescription(
        key="last_wait_time",
        translation_key="last_wait_time",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        value_fn=lambda call: _duration(call.wait_time),
    ),
    M8ComSensorEntityDescription(
        key="last_summary",
        translation_key="last_summary",
        value_fn=lambda call: _truncate(call.summary),
        attribute_keys=("summary",),
    ),
)

RECORDINGS_TODAY = SensorEntityDescription(
    key="recordings_today",
    translation_key="recordings_today",
    state_class=SensorStateClass.TOTAL_INCREASING,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: M8ComConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the last-call sensors and the daily counter."""
    async_add_entities(
        [
            *(M8ComLastCallSensor(entry, desc) for desc in LAST_CALL_SENSORS),
            M8ComRecordingsTodaySensor(entry, entry.runtime_data.index),
        ]
    )


class M8ComLastCallSensor(M8ComEntity, RestoreSensor):
    """Shows one detail of the newest call; survives restarts."""

    entity_description: M8ComSensorEntityDescription
    _unrecorded_attributes = frozenset({"summary"})
    _shown: tuple[Any, dict[str, Any]] | None = None

    async def async_added_to_hass(self) -> None:
        """Bring back the last value and attributes shown before a restart."""
        await super().async_added_to_hass()
        if (data := await self.async_get_last_sensor_data()) is not None:
            self._attr_native_value = data.native_value
        if (state := await self.async_get_last_state()) is not None:
            self._attr_extra_state_attributes = {
                key: state.attributes.get(key)
                for key in self.entity_description.attribute_keys
            }

    def _apply(self, record: Call) -> bool:
        value = self.entity_description.value_fn(record)
        attributes = {
            key: getattr(record, key) for key in self.entity_description.attribute_keys
        }
        if (value, attributes) == self._shown:
            return False
        self._shown = (value, attributes)
        self._attr_native_value = value
        self._attr_extra_state_attributes = attributes
        return True


class M8ComRecordingsTodaySensor(M8ComEntity, SensorEntity):
    """Counts today's calls from the index, so no restore is needed."""

    def __init__(self, entry: M8ComConfigEntry, index: CallIndex) -> None:
        """Count from the entry's persistent call index."""
        super().__init__(entry, RECORDINGS_TODAY)
        self._index = index

    async def async_added_to_hass(self) -> None:
        """Also refresh at local midnight, when the count starts again at 0."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_track_time_change(
                self.hass, self._async_midnight, hour=0, minute=0, second=0
            )
        )

    @property
    def native_value(self) -> int:
        """Calls that started today, local time."""
        return self._index.count_on(dt_util.now().date())

    @callback
    def _async_midnight(self, _now: datetime) -> None:
        self.async_write_ha_state()

    def _apply(self, record: Call) -> bool:
        """The count is read from the index; it changes with every kept call."""
        return True
