"""The HTTP contract with M8Com, and nothing else.

M8Com retries every answer that is not 200 and eventually disables the
integration, while HA's webhook component answers 200 when a handler raises.
So every outcome here is an explicit status: 401 before the body is read,
413 without buffering more than the limit, 400 for what can never become a
call, 200 once the call is durable (or already known), and 503 when we could
not record it, so that M8Com tries again instead of the call being lost.

This module answers; who may send is decided in ``webhook_auth``, and the
body is read within its limits and decoded in ``webhook_body``.
"""

from __future__ import annotations

from collections import Counter
from http import HTTPStatus
from typing import TYPE_CHECKING

from aiohttp import hdrs, web

from .const import BODY_READ_SECONDS, LOGGER, MAX_BODY_BYTES
from .store import StoreUnavailableError
from .webhook_auth import Throttle, authorized, local_origin, unauthorized
from .webhook_body import BadRequestError, parse_call, read_in_time

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant

__all__ = [  # what other modules import from here, wherever it is defined
    "Throttle",
    "WebhookHandler",
    "authorized",
    "local_origin",
    "unauthorized",
]


_INLINE_PARSE_BYTES = 64 * 1024
"""Bodies up to this size (every real call) are parsed in the event loop."""


def _response(status: HTTPStatus) -> web.Response:
    return web.Response(status=status, text=status.phrase)


class WebhookHandler:
    """Authenticates, bounds, parses and validates one entry's deliveries."""

    def __init__(
        self,
        name: str,
        secret: Callable[[], str],
        receive: Callable[..., Awaitable[bool]],
    ) -> None:
        """Bind the handler to the entry's secret and its call pipeline.

        The secret is read per request, so a rotated secret (reconfigure)
        rejects the old one from the very next delivery.
        """
        self._name = name
        self._secret = secret
        self._receive = receive
        self.dropped_fields: Counter[str] = Counter()
        """Calls kept without an invalid optional field, per field (diagnostics)."""
        self.rejections = Throttle()
        """Warnings about wrong secrets reaching this handler directly."""
        self.cut_fields: Counter[str] = Counter()
        """Calls whose text field was cut to its cap, per field (diagnostics)."""

    async def __call__(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """Answer M8Com; no exception may escape (HA would turn it into 200)."""
        try:
            return await self._handle(hass, request)
        except StoreUnavailableError as err:  # backup, disk full: try again later
            LOGGER.warning(
                "%s: could not record a call (%s); answered 503 so M8Com retries",
                self._name,
                err,
            )
            return web.Response(
                status=HTTPStatus.SERVICE_UNAVAILABLE,
                text=HTTPStatus.SERVICE_UNAVAILABLE.phrase,
                headers={hdrs.RETRY_AFTER: str(err.retry_after)},
            )
        except Exception:  # noqa: BLE001 - any escape would be answered 200
            LOGGER.exception(
                "%s: could not record a call; answered 503 so M8Com retries",
                self._name,
            )
            return _response(HTTPStatus.SERVICE_UNAVAILABLE)

    async def _handle(self, hass: HomeAssistant, request: web.Request) -> web.Response:
        if not authorized(request, self._secret()):
            return unauthorized(self._name, request, self.rejections)
        try:
            body = await read_in_time(request)
        except TimeoutError:
            LOGGER.warning(
                "%s: a delivery's body did not arrive within %s s; answered 408",
                self._name,
                BODY_READ_SECONDS,
            )
            return _response(HTTPStatus.REQUEST_TIMEOUT)
        if body is None:
            LOGGER.warning(
                "%s: rejected a delivery larger than %s bytes",
                self._name,
                MAX_BODY_BYTES,
            )
            return _response(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        try:
            if len(body) > _INLINE_PARSE_BYTES:
                call, dropped, cut = await hass.async_add_executor_job(parse_call, body)
            else:
                call, dropped, cut = parse_call(body)
        except BadRequestError as err:
            LOGGER.warning("%s: rejected a malformed delivery: %s", self._name, err)
            return _response(HTTPStatus.BAD_REQUEST)
        if dropped:
            LOGGER.warning(
                "%s: call %s kept without its invalid field(s): %s",
                self._name,
                call.id,
                ", ".join(dropped),
            )
            self.dropped_fields.update(dropped)
        if cut:
            LOGGER.warning(
                "%s: call %s kept with over-long field(s) cut: %s",
                self._name,
                call.id,
                ", ".join(cut),
            )
            self.cut_fields.update(cut)
        await self._receive(call, local_origin=local_origin(request, hass))
        return _response(HTTPStatus.OK)
