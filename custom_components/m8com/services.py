"""Actions to query, erase and purge recordings (registered once, for all accounts)."""

from __future__ import annotations

from datetime import datetime, timedelta

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

from .compat import async_register_admin_action, schema
from .const import DIRECTIONS, DOMAIN, RECORDINGS_LIMIT_MAX
from .data import M8ComConfigEntry
from .library import as_response, async_delete, async_older_than
from .phone_numbers import normalise, region_of
from .store_query import Query

CONF_ENTRY = "config_entry_id"

GET_SCHEMA = schema(
    {
        vol.Optional(CONF_ENTRY): cv.string,
        vol.Optional("since"): cv.datetime,
        vol.Optional("until"): cv.datetime,
        vol.Optional("number"): cv.string,
        vol.Optional("direction"): vol.In(DIRECTIONS),
        vol.Optional("answer_group"): cv.string,
        vol.Optional("text"): vol.All(cv.string, vol.Length(min=1, max=200)),
        vol.Optional("limit", default=50): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=RECORDINGS_LIMIT_MAX)
        ),
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


async def _get_recordings(call: ServiceCall) -> ServiceResponse:
    """Newest first, or best match first with ``text``.

    Each account's store answers through its indexes; the answers are merged.
    """
    since, until = _aware(call.data.get("since")), _aware(call.data.get("until"))
    if since and until and since > until:
        raise _invalid("since_after_until")
    number = call.data.get("number")
    query = Query(
        since=since,
        until=until,
        number=number and normalise(number, region_of(call.hass.config.country)),
        direction=call.data.get("direction"),
        answer_group=call.data.get("answer_group"),
        text=call.data.get("text"),
        limit=call.data["limit"],
    )
    found = [
        (rank, entry.entry_id, record)
        for entry in _entries(call.hass, call)
        for rank, record in enumerate(await entry.runtime_data.store.async_find(query))
    ]
    if query.text:  # best match first, account by account
        found.sort(key=lambda item: item[0])
    else:
        found.sort(key=lambda item: item[2].started, reverse=True)
    return {
        "recordings": [as_response(eid, rec) for _, eid, rec in found[: query.limit]]
    }


async def _delete_recordings(call: ServiceCall) -> ServiceResponse:
    ids, number = call.data.get("call_ids"), call.data.get("number")
    if not ids and not number:
        raise _invalid("delete_needs_target")
    deleted = 0
    for entry in _entries(call.hass, call):
        store = entry.runtime_data.store
        doomed = await store.async_get_many(set(ids or ()))
        if number:
            region = region_of(call.hass.config.country)
            for record in await store.async_involving(normalise(number, region)):
                doomed[record.call_id] = record
        deleted += await async_delete(call.hass, entry, doomed.values())
    return {"deleted": deleted}


async def _purge_recordings(call: ServiceCall) -> ServiceResponse:
    cutoff = dt_util.utcnow() - timedelta(days=call.data["older_than_days"])
    deleted = 0
    for entry in _entries(call.hass, call):
        deleted += await async_delete(
            call.hass, entry, await async_older_than(entry, cutoff)
        )
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
