"""Every delivery URL of every account, open from the component's set-up on.

HA's webhook component answers 200 to an id that has no handler, and M8Com
never resends a call answered 200. Once another integration (Nabu Casa,
the mobile app, an automation with a webhook trigger) has set that component
up, ``/api/webhook/<id>`` answers that 200 until this component starts. So
direct deliveries go to the integration's own view, ``/api/m8com/<id>``
(``DIRECT_PATH``), which does not exist, and answers 404, until this
component's ``async_setup`` registers it. Webhook ids are still registered
there too: Nabu Casa's cloudhooks and URLs handed out by earlier versions
reach us through HA's webhook component. Both paths share one handler.

Each id stays open while the account loads, reloads, fails to set up or is
disabled, answering ``503`` with ``Retry-After`` until it is loaded: M8Com
tries again later.

Ids replaced by *Reconfigure → new webhook URL* stay registered too (the last
few, kept in the entry's data) and answer ``410 Gone`` with a warning and a
repair issue, so a stale endpoint in M8Com's admin is loud, not silently lost.
Only deleting the account closes its ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Final

from aiohttp import hdrs, web
from homeassistant.components.webhook import async_register, async_unregister
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView
from homeassistant.util.hass_dict import HassKey

from .const import (
    CONF_RETIRED_WEBHOOK_IDS,
    CONF_SECRET,
    DIRECT_PATH,
    DOMAIN,
    LOGGER,
    MAX_RETIRED_WEBHOOK_IDS,
)
from .health import async_forget_health, async_health
from .repairs import async_clear_retired_url, async_report_retired_url
from .webhook import authorized, unauthorized

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.config_entries import ConfigEntry

RETRY_AFTER_SECONDS: Final = 30
"""What a not-yet-loaded account asks M8Com to wait; set-up takes seconds."""

_ROUTES: HassKey[Routes] = HassKey(f"{DOMAIN}_routes")


def retire(data: Mapping[str, Any], new_webhook_id: str) -> dict[str, Any]:
    """Entry data with a new webhook id; the old one joins the retired ids."""
    old = [data[CONF_WEBHOOK_ID], *data.get(CONF_RETIRED_WEBHOOK_IDS, ())]
    retired = [i for i in old if i != new_webhook_id]
    return {
        **data,
        CONF_WEBHOOK_ID: new_webhook_id,
        CONF_RETIRED_WEBHOOK_IDS: retired[:MAX_RETIRED_WEBHOOK_IDS],
    }


def webhook_ids(entry: ConfigEntry) -> set[str]:
    """The entry's live id and its retired ones."""
    return retained(entry.data)


def retained(data: Mapping[str, Any]) -> set[str]:
    """The live id and the retired ones kept in an entry's data."""
    return {data[CONF_WEBHOOK_ID], *data.get(CONF_RETIRED_WEBHOOK_IDS, ())}


@dataclass
class Routes:
    """Which entry owns which registered webhook id."""

    hass: HomeAssistant
    owners: dict[str, str] = field(default_factory=dict)
    stale: set[str] = field(default_factory=set)
    """Entries whose retired URL got a delivery since the last one on the live URL."""

    @callback
    def async_sync(self, entry: ConfigEntry) -> None:
        """Register the entry's ids that are new; close the ones it dropped."""
        wanted = webhook_ids(entry)
        for webhook_id, owner in list(self.owners.items()):
            if owner == entry.entry_id and webhook_id not in wanted:
                self._close(webhook_id)
        for webhook_id in wanted - self.owners.keys():
            async_register(
                self.hass,
                DOMAIN,
                entry.title,
                webhook_id,
                partial(self._async_handle, entry.entry_id),
                local_only=False,
                allowed_methods=[hdrs.METH_POST],
            )
            self.owners[webhook_id] = entry.entry_id

    @callback
    def async_remove(self, entry_id: str) -> None:
        """The account is deleted: close all its ids, live and retired."""
        for webhook_id, owner in list(self.owners.items()):
            if owner == entry_id:
                self._close(webhook_id)
        self.stale.discard(entry_id)
        async_forget_health(self.hass, entry_id)

    async def async_handle_direct(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """A delivery to ``/api/m8com/<id>``: as through the webhook, or 404."""
        if (entry_id := self.owners.get(webhook_id)) is None:
            return _status(HTTPStatus.NOT_FOUND)
        return await self._async_handle(entry_id, hass, webhook_id, request)

    def _close(self, webhook_id: str) -> None:
        async_unregister(self.hass, webhook_id)
        del self.owners[webhook_id]

    async def _async_handle(
        self,
        entry_id: str,
        hass: HomeAssistant,
        webhook_id: str,
        request: web.Request,
    ) -> web.Response:
        """Route to the loaded account, or say why not with a non-200 status."""
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None:  # deleted; async_remove closes the ids right after
            return _status(HTTPStatus.GONE)
        # sec: the secret first, so a stranger learns nothing (not even that a
        # retired id existed or the account is starting) and costs nothing.
        if not authorized(request, entry.data[CONF_SECRET]):
            health = async_health(hass, entry_id)
            refusal = unauthorized(entry.title, request, health.warnings)
            health.note(hass, entry, refusal.status)
            return refusal
        if webhook_id != entry.data[CONF_WEBHOOK_ID]:
            LOGGER.warning(
                "%s: a delivery reached the replaced webhook URL and was answered "
                "410; update the Endpoint in M8Com's admin to the current URL",
                entry.title,
            )
            if entry_id not in self.stale:
                self.stale.add(entry_id)
                async_report_retired_url(hass, entry)
            return _status(HTTPStatus.GONE)
        runtime = getattr(entry, "runtime_data", None)
        if entry.state is not ConfigEntryState.LOADED or runtime is None:
            LOGGER.info(
                "%s: a delivery arrived while the account is %s; answered 503 "
                "so M8Com retries",
                entry.title,
                entry.state.value,
            )
            return _status(
                HTTPStatus.SERVICE_UNAVAILABLE,
                {hdrs.RETRY_AFTER: str(RETRY_AFTER_SECONDS)},
            )
        response: web.Response = await runtime.handler(hass, webhook_id, request)
        async_health(hass, entry_id).note(hass, entry, response.status)
        if entry_id in self.stale and response.status == HTTPStatus.OK:
            self.stale.discard(entry_id)
            async_clear_retired_url(hass, entry)
        return response


def _status(status: HTTPStatus, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, text=status.phrase, headers=headers)


class DirectView(HomeAssistantView):
    """``POST /api/m8com/<id>``: the URL M8Com is given (unless Nabu Casa's).

    No HA login (M8Com authenticates with the account's secret, checked by
    the shared handler, which also bounds the body); ids nobody owns get 404.
    """

    url = DIRECT_PATH
    name = f"api:{DOMAIN}:delivery"
    requires_auth = False

    async def post(self, request: web.Request, webhook_id: str) -> web.Response:
        """Hand the delivery to the router, as the webhook component would."""
        hass: HomeAssistant = request.app[KEY_HASS]
        return await async_routes(hass).async_handle_direct(hass, webhook_id, request)


@callback
def async_routes(hass: HomeAssistant) -> Routes:
    """The component's one router, created on first use."""
    if (routes := hass.data.get(_ROUTES)) is None:
        routes = hass.data[_ROUTES] = Routes(hass)
    return routes


@callback
def async_open_direct_path(hass: HomeAssistant) -> None:
    """Register the view once per HA run (HA's router takes views after start)."""
    hass.http.register_view(DirectView())
