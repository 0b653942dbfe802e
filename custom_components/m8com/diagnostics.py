"""Diagnostics: enough to debug deliveries, nothing that identifies a caller."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant

from .const import (
    CONF_ANSWER_GROUPS,
    CONF_CLOUDHOOK,
    CONF_PHONE_BOOK,
    CONF_RETIRED_WEBHOOK_IDS,
    CONF_SECRET,
    CONF_USERS,
)
from .data import M8ComConfigEntry
from .health import DeliveryHealth
from .routing import async_routes

if TYPE_CHECKING:
    from .call import Call

TO_REDACT = {
    CONF_SECRET,
    CONF_WEBHOOK_ID,
    CONF_RETIRED_WEBHOOK_IDS,
    CONF_USERS,  # recorder ids: e-mail addresses or phone numbers
    CONF_ANSWER_GROUPS,
    CONF_PHONE_BOOK,  # numbers and names
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: M8ComConfigEntry
) -> dict[str, Any]:
    """Entry settings and call counts, minus anything personal or secret.

    The secret, the webhook id and URL (a cloudhook URL is a credential of its
    own), and the user and answer-group filters (recorder ids are e-mail
    addresses or phone numbers) are redacted; whether the URL is https and a
    cloudhook is what helps debugging. Phone numbers are never included.
    """
    runtime = entry.runtime_data
    calls = runtime.index.calls.values()
    return {
        "entry": {
            "title": entry.title,
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": async_redact_data(dict(entry.options), TO_REDACT),
        },
        "webhook_url": {
            "https": runtime.webhook_url.startswith("https://"),
            "cloudhook": bool(entry.data.get(CONF_CLOUDHOOK)),
        },
        "invalid_fields_dropped": dict(runtime.handler.dropped_fields),
        "long_fields_cut": dict(runtime.handler.cut_fields),
        "deliveries": async_routes(hass)
        .health.get(entry.entry_id, DeliveryHealth())
        .as_dict(),
        "calls": {
            "total": len(runtime.index.calls),
            "by_status": dict(Counter(call.status for call in calls)),
            "by_direction": dict(Counter(call.direction for call in calls)),
            "by_transcription": dict(
                Counter(call.transcription for call in calls if call.transcription)
            ),
        },
        "recent_transcription_failures": [
            {"call_id": call.call_id, "error": call.transcription_error}
            for call in _latest(c for c in calls if c.transcription == "failed")
        ],
        "recent_failures": [
            {
                "call_id": call.call_id,
                "received": call.received.isoformat(),
                "error": call.error,
            }
            for call in _latest(c for c in calls if c.status == "failed")
        ],
    }


def _latest(calls: Iterable[Call]) -> list[Call]:
    """The last 20 of these calls to arrive, oldest first."""
    return sorted(calls, key=lambda call: call.received)[-20:]
