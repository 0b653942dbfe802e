"""A delivery's body: read within a time and size limit, then decoded.

M8Com's body is a few hundred bytes; anything near MAX_BODY_BYTES is a
mistake or an attack. So the body is never buffered past the limit (413), a
sender that trickles it is cut off after BODY_READ_SECONDS (408), and only a
JSON object with a valid ``id`` becomes a call (400 otherwise).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from homeassistant.util.json import json_loads

from .const import BODY_READ_SECONDS, MAX_BODY_BYTES
from .payload import CallPayload, InvalidCallIdError, lenient_validate

if TYPE_CHECKING:
    from aiohttp import StreamReader, web


class BadRequestError(Exception):
    """The body can never become a call; says why without quoting values."""


async def read_in_time(request: web.Request) -> bytes | None:
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
