"""Logbook: one readable line per recorded call."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_CALL_RECORDING
from .formatting import describe
from .read_access import show_details, without_details


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
            LOGBOOK_ENTRY_MESSAGE: describe(
                event.data
                if show_details(hass, str(event.data.get("entry_id")))
                else without_details(event.data)
            ),
        }

    async_describe_event(DOMAIN, EVENT_CALL_RECORDING, _describe)
