"""Diagnostics: enough to debug deliveries, nothing that identifies a caller."""

from __future__ import annotations

from collections import Counter
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant

from .const import CONF_SECRET
from .data import M8ComConfigEntry

TO_REDACT = {CONF_SECRET}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: M8ComConfigEntry
) -> dict[str, Any]:
    """Entry settings (secret redacted), the webhook URL and call counts.

    The URL is included on purpose: "which URL did I give M8Com?" is the first
    question when deliveries do not arrive. Phone numbers are never included.
    """
    runtime = entry.runtime_data
    calls = runtime.index.calls.values()
    return {
        "entry": {
            "title": entry.title,
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": dict(entry.options),
        },
        "webhook_url": runtime.webhook_url,
        "webhook_id": entry.data[CONF_WEBHOOK_ID],
        "calls": {
            "total": len(runtime.index.calls),
            "by_status": dict(Counter(call.status for call in calls)),
            "by_direction": dict(Counter(call.direction for call in calls)),
        },
        "recent_failures": [
            {
                "call_id": call.call_id,
                "received": call.received.isoformat(),
                "error": call.error,
            }
            for call in sorted(
                (call for call in calls if call.status == "failed"),
                key=lambda call: call.received,
            )[-20:]
        ],
    }
