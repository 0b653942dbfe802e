"""Diagnostics: enough to debug deliveries, nothing that identifies a caller."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.config_entries import ConfigEntryState
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
from .health import async_health

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
    settings = {
        "title": entry.title,
        "data": async_redact_data(dict(entry.data), TO_REDACT),
        "options": async_redact_data(dict(entry.options), TO_REDACT),
    }
    runtime = getattr(entry, "runtime_data", None)
    if runtime is None or entry.state is not ConfigEntryState.LOADED:
        # A failed set-up closed its store: its settings and state are what
        # help then (the repair issue says what failed).
        return {
            "entry": settings,
            "state": entry.state.value,
            "deliveries": async_health(hass, entry.entry_id).as_dict(),
        }
    store = runtime.store
    counts = await store.async_counts()
    failed_transcriptions = await store.async_failed_lately("transcription", "failed")
    failed = await store.async_failed_lately("status", "failed")
    return {
        "entry": settings,
        "webhook_url": {
            "https": runtime.webhook_url.startswith("https://"),
            "cloudhook": bool(entry.data.get(CONF_CLOUDHOOK)),
        },
        "invalid_fields_dropped": dict(runtime.handler.dropped_fields),
        "long_fields_cut": dict(runtime.handler.cut_fields),
        "deliveries": async_health(hass, entry.entry_id).as_dict(),
        "calls": {"total": sum(counts["by_status"].values()), **counts},
        "store": {"text_search": "fts5" if store.fts else "like"},
        "recent_transcription_failures": [
            {"call_id": call.call_id, "error": call.transcription_error}
            for call in failed_transcriptions
        ],
        "recent_failures": [
            {
                "call_id": call.call_id,
                "received": call.received.isoformat(),
                "error": call.error,
            }
            for call in failed
        ],
    }
