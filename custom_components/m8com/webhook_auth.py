"""Who sent a delivery, and whether it may be read at all.

Decided from the headers and the socket alone, before a byte of the body is
read, so that an unauthenticated sender costs next to nothing: a constant-time
secret check, and at most one warning a minute however many times it knocks.
The origin (this host or its LAN, or the internet through a proxy) decides
later which recording URLs the download may reach.
"""

from __future__ import annotations

from functools import lru_cache
import hmac
from http import HTTPStatus
import ipaddress
import math
import time
from typing import TYPE_CHECKING

from aiohttp import hdrs, web

from .const import LOGGER, REJECTION_REPORT_SECONDS

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant


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
    return web.Response(
        status=HTTPStatus.UNAUTHORIZED, text=HTTPStatus.UNAUTHORIZED.phrase
    )


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
