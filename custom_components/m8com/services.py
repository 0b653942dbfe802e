"""Actions to query, erase and purge recordings (registered once, for all accounts)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .call import Call
from .compat import async_register_admin_action, schema
from .const import DIRECTIONS, DOMAIN
from .data import M8ComConfigEntry
from .library import as_response, async_delete, involves, older_than
from .phone_numbers import region_of

CONF_ENTRY = "config_entry_id"

GET_SCHEMA = schema(
    {
        vol.Optional(CONF_ENTRY): cv.string,
        vol.Optional("since"): cv.datetime,
        vol.Optional("until"): cv.datetime,
        vol.Optional("number"): cv.string,
        vol.Optional("direction"): vol.In(DIRECTIONS),
        vol.Optional("answer_group"): cv.string,
        vol.Optional("limit", default=50): vol.All(vol.Coerce(int), vol.Range(min=1)),
    }
)
DELETE_SCHEMA = schema(
    {
        vol.Optional(CONF_ENTRY): cv.string,
        vol.Optional("call_ids"): vol.All(cv.ensure_list, [vol.Coerce(int)]),
        vol.Optional("number"): cv.string,
    }
)
PURGE_SCHEMA = schema(
    {
        vol.Optional(CONF_ENTRY): cv.string,
        vol.Required("older_than_days"): vol.All(vol.Coerce(int), vol.Range(min=0)),
    }
)


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def _entries(hass: HomeAssistant, call: ServiceCall) -> list[M8ComConfigEntry]:
    """The one account asked for, or every loaded account."""
    if (entry_id := call.data.get(CONF_ENTRY)) is None:
        return hass.config_entries.async_loaded_entries(DOMAIN)
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise _invalid("entry_not_found", entry_id=entry_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise _invalid("entry_not_loaded", entry_id=entry_id)
    return [entry]


def _aware(value: datetime | None) -> datetime | None:
    """Times without a zone are HA-local, as users type them."""
    if value is None or value.tzinfo:
        return value
    return value.replace(tzinfo=dt_util.get_default_time_zone())


def _matches(
    record: Call,
    data: dict[str, Any],
    since: datetime | None,
    until: datetime | None,
    region: str,
) -> bool:
    group = data.get("answer_group")
    return (
        record.status != "filtered"
        and (since is None or record.started >= since)
        and (until is None or record.started <= until)
        and ("direction" not in data or record.direction == data["direction"])
        and (
            group is None or group in (record.answer_group_id, record.answer_group_name)
        )
        and ("number" not in data or involves(record, data["number"], region))
    )


async def _get_recordings(call: ServiceCall) -> ServiceResponse:
    since, until = _aware(call.data.get("since")), _aware(call.data.get("until"))
    if since and until and since > until:
        raise _invalid("since_after_until")
    region = region_of(call.hass.config.country)
    found = [
        (entry.entry_id, record)
        for entry in _entries(call.hass, call)
        for record in entry.runtime_data.index.calls.values()
        if _matches(record, call.data, since, until, region)
    ]
    found.sort(key=lambda item: item[1].started, reverse=True)
    return {
        "recordings": [
            as_response(eid, rec) for eid, rec in found[: call.data["limit"]]
        ]
    }


async def _delete_recordings(call: ServiceCall) -> ServiceResponse:
    ids, number = call.data.get("call_ids"), call.data.get("number")
    if not ids and not number:
        raise _invalid("delete_needs_target")
    deleted = 0
    for entry in _entries(call.hass, call):
        calls = entry.runtime_data.index.calls
        chosen = {i for i in ids or () if i in calls}
        if number:
            region = region_of(call.hass.config.country)
            chosen |= {r.call_id for r in calls.values() if involves(r, number, region)}
        doomed = [calls[i] for i in chosen]
        deleted += await async_delete(call.hass, entry, doomed)
    return {"deleted": deleted}


async def _purge_recordings(call: ServiceCall) -> ServiceResponse:
    cutoff = dt_util.utcnow() - timedelta(days=call.data["older_than_days"])
    deleted = 0
    for entry in _entries(call.hass, call):
        deleted += await async_delete(call.hass, entry, older_than(entry, cutoff))
    return {"deleted": deleted}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions once, whatever the number of accounts."""
    for name, handler, fields, response in (
        ("get_recordings", _get_recordings, GET_SCHEMA, SupportsResponse.ONLY),
        (
            "delete_recordings",
            _delete_recordings,
            DELETE_SCHEMA,
            SupportsResponse.OPTIONAL,
        ),
        (
            "purge_recordings",
            _purge_recordings,
            PURGE_SCHEMA,
            SupportsResponse.OPTIONAL,
        ),
    ):
        # Erasing is irreversible and the history names every caller: admins only.
        async_register_admin_action(
            hass, name, handler, fields=fields, supports_response=response
        )
