"""The HTTP contract with M8Com, and nothing else.

M8Com retries every answer that is not 200 and eventually disables the
integration, while HA's webhook component answers 200 when a handler raises.
So every outcome here is an explicit status: 401 before the body is read,
413 without buffering more than the limit, 400 for what can never become a
call, 200 once the call is durable (or already known), and 503 when we could
not record it, so that M8Com tries again instead of the call being lost.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from functools import lru_cache
import hmac
from http import HTTPStatus
import ipaddress
import math
import time
from typing import TYPE_CHECKING, Any

from aiohttp import StreamReader, hdrs, web
from homeassistant.util.json import json_loads

from .const import (
    BODY_READ_SECONDS,
    LOGGER,
    MAX_BODY_BYTES,
    REJECTION_REPORT_SECONDS,
)
from .payload import CallPayload, InvalidCallIdError, lenient_validate
from .store import StoreUnavailableError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant


class BadRequestError(Exception):
    """The body can never become a call; says why without quoting values."""


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
            body = await _read_in_time(request)
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


class Throttle:
    """At most one action per period; counts what it held back meanwhile.

    Unauthenticated senders must cost nothing: without this, each wrong
    secret would be a warning line and a state write.
    """

    def __init__(self, period: float = REJECTION_REPORT_SECONDS) -> None:
        """Allow the first action at once."""
        self._period = period
        self._next = -math.inf
        self.held: int = 0

    def allow(self) -> int | None:
        """The number held back since the last allowed action, or None to hold."""
        now = time.monotonic()
        if now < self._next:
            self.held += 1
            return None
        self._next = now + self._period
        held, self.held = self.held, 0
        return held


def unauthorized(name: str, request: web.Request, throttle: Throttle) -> web.Response:
    """401, with at most one warning a minute (naming how many it stands for)."""
    if (held := throttle.allow()) is not None:
        LOGGER.warning(
            "%s: rejected a delivery from %s: missing or wrong secret "
            "(compare the Secret in M8Com's admin with this integration's)%s",
            name,
            sender(request),
            f"; {held} more since the last warning" if held else "",
        )
    return _response(HTTPStatus.UNAUTHORIZED)


def authorized(request: web.Request, secret: str) -> bool:
    """``Authorization: Bearer <secret>``, compared in constant time.

    The scheme is case-insensitive and may be followed by any run of spaces
    or tabs (RFC 7235); only the credentials must match exactly.
    """
    scheme, _, credentials = request.headers.get(hdrs.AUTHORIZATION, "").partition(" ")
    given = credentials.lstrip(" \t").encode(errors="replace")
    return scheme.lower() == "bearer" and hmac.compare_digest(given, secret.encode())


def sender(request: web.Request) -> str:
    """Where a delivery came from, for the log.

    HA's cloud client hands over a ``MockRequest`` with no peer address at all
    (``mock_source`` is ``"cloud"``); an aiohttp request knows its peer.
    """
    if (source := getattr(request, "mock_source", None)) is not None:
        return f"Home Assistant {source}"
    return str(getattr(request, "remote", None) or "an unknown address")


_PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


def local_origin(request: web.Request, hass: HomeAssistant | None = None) -> bool:
    """Whether the delivery came from this host or its LAN, and not via a proxy.

    Nabu Casa and any reverse proxy relay the internet: a delivery through
    one is not local, whatever address the socket shows. So a request whose
    socket peer is one of HA's ``trusted_proxies`` (HA rewrites ``remote``
    to the forwarded client, or leaves the proxy's own address when the
    proxy sent no ``X-Forwarded-For``), or that carries any forwarding
    header, counts as from the internet.
    """
    if getattr(request, "mock_source", None) is not None:
        return False  # Nabu Casa: from the internet, whatever the socket says
    if any(header in request.headers for header in _PROXY_HEADERS):
        return False
    transport = getattr(request, "transport", None)
    peer = transport.get_extra_info("peername") if transport is not None else None
    ip = _address(str(getattr(request, "remote", None)))
    socket_ip = _address(str(peer[0])) if peer else ip
    if ip is None or socket_ip is None:
        return False
    proxies = getattr(getattr(hass, "http", None), "trusted_proxies", None) or []
    if any(socket_ip in network for network in proxies):
        return False
    return ip.is_loopback or ip.is_private


@lru_cache(maxsize=256)
def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP address, or None; parsed once per sender (M8Com uses a few)."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


async def _read_in_time(request: web.Request) -> bytes | None:
    """The body (see ``_read_bounded``) within BODY_READ_SECONDS.

    A call's body (a few hundred bytes) has nearly always arrived whole by
    the time the handler runs; then it is read without arming a timer, which
    is a measurable share of the event loop's work per call in a burst.
    ``.content`` is taken once: HA's cloud ``MockRequest`` returns a *new*
    reader on every access.
    """
    content = request.content
    at_eof = getattr(content, "is_eof", None)  # the cloud's in-memory reader: none
    if at_eof is not None and at_eof():
        return await _read_bounded(request, content)
    async with asyncio.timeout(BODY_READ_SECONDS):
        return await _read_bounded(request, content)


async def _read_bounded(request: web.Request, content: StreamReader) -> bytes | None:
    """Read at most MAX_BODY_BYTES + 1 bytes; None when the body is too large.

    Works on aiohttp's request and on HA's cloud ``MockRequest``, which has no
    ``content_length``.
    """
    if (getattr(request, "content_length", None) or 0) > MAX_BODY_BYTES:
        return None
    body = bytearray()
    while len(body) <= MAX_BODY_BYTES:
        chunk = await content.read(MAX_BODY_BYTES + 1 - len(body))
        if not chunk:
            break
        body += chunk
    return None if len(body) > MAX_BODY_BYTES else bytes(body)


def parse_call(body: bytes) -> tuple[CallPayload, list[str], list[str]]:
    """Decode and validate leniently: the call, the fields dropped and cut.

    Linear in the body (see ``lenient_validate``); a large body is parsed in
    the executor so that even that linear work is not done in the event loop.

    Raise BadRequestError (naming what is wrong, never a value) only for a
    body that is not a JSON object or has no valid ``id``.
    """
    try:
        data: Any = json_loads(body)
    except ValueError as err:
        msg = "body is not JSON"
        raise BadRequestError(msg) from err
    if not isinstance(data, dict):
        msg = f"body is a JSON {type(data).__name__}, not an object"
        raise BadRequestError(msg)
    try:
        return lenient_validate(data)
    except InvalidCallIdError as err:
        msg = f"invalid or missing field: id ({err})"
        raise BadRequestError(msg) from err
