"""Logbook: one readable line per recorded call."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_CALL_RECORDING
from .library import format_duration


def describe(data: Mapping[str, Any]) -> str:
    """``Recorded inbound call from +46701234567 to Support, 2 min 38 s``."""
    direction = data.get("direction") or "unknown"
    kind = "call" if direction == "unknown" else f"{direction} call"
    to = data.get("answer_group_name") or data.get("callee_number") or "unknown"
    caller = data.get("caller_number") or "unknown"
    duration = format_duration(data.get("talk_time"))
    return f"Recorded {kind} from {caller} to {to}, {duration}"


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe ``m8com_call_recording`` events in the logbook."""

    @callback
    def _describe(event: Event) -> dict[str, str]:
        return {
            LOGBOOK_ENTRY_NAME: "M8Com",
            LOGBOOK_ENTRY_MESSAGE: describe(event.data),
        }

    async_describe_event(DOMAIN, EVENT_CALL_RECORDING, _describe)
