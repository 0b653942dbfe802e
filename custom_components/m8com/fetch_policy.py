"""What the downloader may fetch: audio only, from where M8Com can store it.

A delivery is authenticated, but its links are still input: without limits an
authenticated sender (or a leaked secret) could make Home Assistant send GET
requests into the LAN or to link-local cloud metadata endpoints, or get an
``.svg`` stored and served from HA's own origin. So:

- link-local, multicast, unspecified and reserved addresses are never fetched;
- loopback and private addresses only when the delivery itself came from such
  an address (the simulator, a local proxy); deliveries from the internet or
  through Nabu Casa may only reach public addresses;
- the check is made on the addresses a name resolves to, inside the
  connector's resolver, so the connection can only go to an address checked
  (a name that resolves to a private address is caught too); literal IPs,
  which aiohttp does not resolve, are checked before each request;
- only audio is stored, with an extension from a fixed list.
"""

from __future__ import annotations

import contextlib
import ipaddress
from pathlib import PurePosixPath
import socket
from typing import Any, Final

import aiohttp
from aiohttp import hdrs
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from homeassistant.const import EVENT_HOMEASSISTANT_CLOSE
from homeassistant.core import Event, HomeAssistant
from homeassistant.util import ssl as ssl_util
from homeassistant.util.hass_dict import HassKey
from yarl import URL

from .const import CONTENT_TYPE_EXTENSIONS, DOMAIN

AUDIO_EXTENSIONS: Final = frozenset(
    {"mp3", "wav", "ogg", "oga", "opus", "m4a", "aac", "flac", "webm"}
)
MAX_REDIRECTS: Final = 5
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_SESSIONS: HassKey[dict[bool, aiohttp.ClientSession]] = HassKey(
    f"{DOMAIN}_fetch_sessions"
)
_UNTYPED: Final = frozenset({"", "application/octet-stream", "binary/octet-stream"})


class ForbiddenAddressError(OSError):
    """A link points where recordings never are; the reason names no URL."""


class RefusedLinkError(Exception):
    """A link or redirect the policy refuses (scheme, downgrade, hop count)."""


def audio_extension(content_type: str, url: str) -> str | None:
    """The extension to store a response under, or None if it is not audio.

    ``audio/*`` is audio (its extension from the subtype, else the URL's);
    an untyped or ``application/octet-stream`` response is audio only when
    the URL's own extension says so. Every extension is from the allow-list.
    """
    suffix = PurePosixPath(URL(url).path).suffix.lstrip(".").lower()
    from_url = suffix if suffix in AUDIO_EXTENSIONS else None
    if content_type.startswith("audio/"):
        known = CONTENT_TYPE_EXTENSIONS.get(content_type)
        subtype = content_type.removeprefix("audio/").removeprefix("x-")
        for candidate in (known, subtype, from_url):
            if candidate in AUDIO_EXTENSIONS:
                return candidate
        return None
    return from_url if content_type in _UNTYPED else None


def forbidden(address: str, *, allow_private: bool) -> str | None:
    """Why an IP address may not be fetched from, or None if it may."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return "link-local, multicast or reserved address refused"
    if not ip.is_global and not allow_private:
        return "private or loopback address refused for a delivery from the internet"
    return None


def check_host(url: URL, *, allow_private: bool) -> None:
    """Refuse a numeric host that may not be fetched (names: the resolver).

    aiohttp connects to any host made of digits and dots, or holding a colon,
    without its resolver, and the OS reads such a host the C way
    (``inet_aton``: ``2130706433``, ``0177.0.0.1``, ``127.1``, ``0`` are
    all addresses). So every host ``inet_aton`` accepts (hex forms too) is
    converted as the OS would and that address is checked; a numeric host
    in any but the canonical dotted form is then refused outright, and so is
    one that looks numeric but is no address, so the connection never
    depends on how a library or the OS reads an odd form.
    """
    host = (url.host or "").strip("[]")
    if ":" in host:  # IPv6: never resolved, checked as it is
        if (reason := forbidden(host, allow_private=allow_private)) is not None:
            raise ForbiddenAddressError(reason)
        return
    try:
        address = socket.inet_ntoa(socket.inet_aton(host))
    except (OSError, ValueError):
        if host.replace(".", "").isdigit():
            msg = "numeric host that is not an IP address refused"
            raise ForbiddenAddressError(msg) from None
        return  # a name: checked on what it resolves to
    if (reason := forbidden(address, allow_private=allow_private)) is not None:
        raise ForbiddenAddressError(reason)
    if address != host:
        msg = "IP address not in dotted-decimal form refused"
        raise ForbiddenAddressError(msg)


class PolicyResolver(AbstractResolver):
    """Resolves as usual, then keeps only the addresses the policy allows."""

    def __init__(self, inner: AbstractResolver, *, allow_private: bool) -> None:
        """Wrap a resolver; ``allow_private`` for local deliveries only."""
        self._inner = inner
        self._allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The allowed addresses; none left raises ForbiddenAddressError."""
        results = await self._inner.resolve(host, port, family)
        allowed, reasons = [], set()
        for result in results:
            reason = forbidden(result["host"], allow_private=self._allow_private)
            if reason is None:
                allowed.append(result)
            else:
                reasons.add(reason)
        if not allowed:
            raise ForbiddenAddressError("; ".join(sorted(reasons)) or "no address")
        return allowed

    async def close(self) -> None:
        """Close the wrapped resolver."""
        await self._inner.close()


def async_policy_session(
    hass: HomeAssistant, *, allow_private: bool
) -> aiohttp.ClientSession:
    """The shared session whose every connection passes the address policy.

    HA's shared session cannot take another resolver, so downloads get their
    own: one per policy for the whole of HA (like HA's shared session, not one
    per account and reload), closed when HA closes.
    """
    sessions = hass.data.setdefault(_SESSIONS, {})
    if (session := sessions.get(allow_private)) is not None and not session.closed:
        return session
    connector = aiohttp.TCPConnector(
        resolver=PolicyResolver(DefaultResolver(), allow_private=allow_private),
        ssl=ssl_util.client_context(),
        limit_per_host=4,
    )
    session = sessions[allow_private] = aiohttp.ClientSession(connector=connector)

    async def _close(_event: Event) -> None:
        await session.close()

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_CLOSE, _close)
    return session


async def async_follow(
    stack: contextlib.AsyncExitStack,
    session: aiohttp.ClientSession,
    url: URL,
    limits: aiohttp.ClientTimeout,
    *,
    allow_private: bool,
) -> aiohttp.ClientResponse:
    """GET, following at most MAX_REDIRECTS redirects, never https → http."""
    for _ in range(MAX_REDIRECTS + 1):
        if url.scheme not in ("http", "https"):
            raise RefusedLinkError(f"unsupported URL scheme '{url.scheme}'")
        check_host(url, allow_private=allow_private)
        response = await stack.enter_async_context(
            session.get(url, timeout=limits, allow_redirects=False)
        )
        location = response.headers.get(hdrs.LOCATION)
        if response.status not in _REDIRECTS or location is None:
            return response
        target = url.join(URL(location))
        if url.scheme == "https" and target.scheme == "http":
            raise RefusedLinkError("redirect from https to http refused")
        if target.scheme not in ("http", "https"):
            raise RefusedLinkError("bad redirect: NonHttpUrlRedirectClientError")
        url = target
    raise RefusedLinkError(f"more than {MAX_REDIRECTS} redirects")


def refused_reason(err: BaseException) -> str | None:
    """The policy's reason if a client error came from it, else None."""
    cause: Any = getattr(err, "os_error", None) or err.__cause__
    return str(cause) if isinstance(cause, ForbiddenAddressError) else None
