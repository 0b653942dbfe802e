"""Small bridges between the Home Assistant versions this integration supports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import inspect
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.exceptions import Unauthorized, UnknownUser
from homeassistant.helpers import service as service_helper
import voluptuous as vol

from .const import DOMAIN

type Action = Callable[[ServiceCall], Awaitable[ServiceResponse]]


def schema(fields: dict[Any, Any]) -> Any:
    """A voluptuous schema, typed ``Any`` for HA's flow and service APIs.

    HA 2026 types these APIs with ``probatio.Schema`` (and installs probatio as
    ``voluptuous`` at runtime); HA 2025 types them with ``voluptuous.Schema``.
    The object is the same at runtime, so mypy is told nothing on both.
    Drop once the oldest HA supported is 2026.x and import probatio instead.
    """
    return vol.Schema(fields)


def async_register_admin_action(
    hass: HomeAssistant,
    name: str,
    action: Action,
    *,
    fields: Any,
    supports_response: Any,
) -> None:
    """Register an action only administrators may run, with its response.

    HA 2026 has ``async_register_admin_service(..., supports_response=...)``;
    HA 2025.4's has no such parameter and drops the response, so there the
    same check (``_async_admin_handler``'s) is made here. Drop the fallback
    once the oldest HA supported has the parameter.
    """
    register: Any = service_helper.async_register_admin_service
    if "supports_response" in inspect.signature(register).parameters:
        register(hass, DOMAIN, name, action, fields, supports_response)
        return

    async def _admin_only(call: ServiceCall) -> ServiceResponse:
        if call.context.user_id:
            user = await hass.auth.async_get_user(call.context.user_id)
            if user is None:
                raise UnknownUser(context=call.context)
            if not user.is_admin:
                raise Unauthorized(context=call.context)
        return await action(call)

    hass.services.async_register(
        DOMAIN, name, _admin_only, schema=fields, supports_response=supports_response
    )
