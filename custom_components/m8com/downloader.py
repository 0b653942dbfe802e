"""Bytes to media: stream M8Com's short-lived recording URLs into the media folder.

The URLs expire 30 minutes after the call, so transient failures are retried
with exponential back-off until then, and permanent ones fail at once. Files
are written as ``.part`` and renamed when complete, so the media browser never
shows half a recording and a crash leaves only debris we can recognise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
import contextlib
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
import os
from pathlib import Path, PurePosixPath
from typing import IO

import aiohttp
from aiohttp import hdrs
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util
from yarl import URL

from .const import (
    CONTENT_TYPE_EXTENSIONS,
    LOGGER,
    MAX_PARALLEL_DOWNLOADS,
    RETRY_FIRST_DELAY,
    RETRY_MAX_DELAY,
    WRITE_BLOCK_BYTES,
)

_TIMEOUT = aiohttp.ClientTimeout(total=None, connect=30, sock_read=60)
_RETRY_STATUSES = {HTTPStatus.REQUEST_TIMEOUT, HTTPStatus.TOO_MANY_REQUESTS}
PART_SUFFIX = ".part"


class DownloadError(Exception):
    """A recording could not be stored; ``retry`` tells whether to try again."""

    def __init__(self, reason: str, *, retry: bool, disk: bool = False) -> None:
        """Keep a reason fit for the log and the call's record (no URL query)."""
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.disk = disk


@dataclass(frozen=True, slots=True)
class Target:
    """Where one recording of a call goes, relative to the media root."""

    stem: str  # e.g. m8com/2025/03/14/140312_4711

    def relative(self, extension: str) -> str:
        """The final path relative to the media root."""
        return f"{self.stem}.{extension}"


def media_root(hass: HomeAssistant) -> Path:
    """HA's "My media" folder, where recordings must land to be browsable."""
    return Path(hass.config.media_dirs.get("local") or hass.config.path("media"))


def redact_url(url: str) -> str:
    """A URL fit for the log: the query string is a bearer token."""
    with contextlib.suppress(ValueError):
        return str(URL(url).with_query(None).with_fragment(None))
    return "<invalid url>"


def build_targets(
    subdir: str, call_id: int, started: datetime, count: int
) -> list[Target]:
    """``<subdir>/YYYY/MM/DD/HHMMSS_<id>[_<n>]`` in local time of the call start."""
    local = dt_util.as_local(started)
    base = f"{subdir}/{local:%Y/%m/%d}/{local:%H%M%S}_{call_id}"
    return [Target(base if n == 0 else f"{base}_{n + 1}") for n in range(count)]


def extension_for(content_type: str, url: str) -> str:
    """Pick the file extension from Content-Type, else from the URL's path."""
    if ext := CONTENT_TYPE_EXTENSIONS.get(content_type):
        return ext
    if content_type.startswith("audio/"):
        # audio/flac -> flac; the subtype is the usual extension for audio.
        subtype = content_type.removeprefix("audio/").removeprefix("x-")
        if subtype.isalnum() and len(subtype) <= 5:  # noqa: PLR2004
            return subtype
    suffix = PurePosixPath(URL(url).path).suffix.lstrip(".").lower()
    return suffix if suffix.isalnum() and len(suffix) <= 5 else "bin"  # noqa: PLR2004


class Downloader:
    """Streams recordings through HA's shared session, a few at a time."""

    def __init__(self, hass: HomeAssistant, media_root: Path) -> None:
        """Share one concurrency limit for the whole entry."""
        self._hass = hass
        self._root = media_root
        self._slots = asyncio.Semaphore(MAX_PARALLEL_DOWNLOADS)

    async def async_fetch(
        self, url: str, target: Target, deadline: datetime, max_bytes: int
    ) -> str:
        """Download one URL, retrying transient failures until ``deadline``."""
        delay = RETRY_FIRST_DELAY
        while True:
            try:
                async with self._slots:
                    return await self._attempt(url, target, max_bytes)
            except DownloadError as err:
                if not err.retry or dt_util.utcnow().timestamp() + delay > (
                    deadline.timestamp()
                ):
                    raise
                LOGGER.debug("Retrying %s in %.0f s: %s", target.stem, delay, err)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_DELAY)

    async def _attempt(self, url: str, target: Target, max_bytes: int) -> str:
        scheme = URL(url).scheme
        if scheme not in ("http", "https"):
            raise DownloadError(f"unsupported URL scheme '{scheme}'", retry=False)
        try:
            session = async_get_clientsession(self._hass)
            async with session.get(url, timeout=_TIMEOUT) as response:
                _check_response(response, max_bytes)
                relative = target.relative(extension_for(_content_type(response), url))
                await self._stream(response, self._root / relative, max_bytes)
        except (
            aiohttp.InvalidURL,
            aiohttp.NonHttpUrlClientError,
            aiohttp.TooManyRedirects,
        ) as err:
            raise DownloadError(
                f"bad redirect: {type(err).__name__}", retry=False
            ) from err
        except (aiohttp.ClientError, TimeoutError) as err:
            raise DownloadError(
                f"network error: {type(err).__name__}", retry=True
            ) from err
        return relative

    async def _stream(
        self, response: aiohttp.ClientResponse, path: Path, max_bytes: int
    ) -> None:
        part = path.with_name(path.name + PART_SUFFIX)
        run = self._hass.async_add_executor_job
        try:
            handle = await run(_open_part, part)
        except OSError as err:
            raise DownloadError(
                f"cannot write: {err.strerror}", retry=False, disk=True
            ) from err
        written = 0
        buffer = bytearray()
        try:
            async for chunk in response.content.iter_chunked(1024 * 1024):
                written += len(chunk)
                if written > max_bytes:
                    raise _too_large()  # noqa: TRY301 - discarded below too
                buffer += chunk
                if len(buffer) >= WRITE_BLOCK_BYTES:
                    await run(handle.write, bytes(buffer))
                    buffer.clear()
            await run(_finish, handle, bytes(buffer), part, path)
        except OSError as err:
            await run(_discard, handle, part)
            raise DownloadError(
                f"cannot write: {err.strerror}", retry=False, disk=True
            ) from err
        except BaseException:
            await asyncio.shield(run(_discard, handle, part))
            raise


def _check_response(response: aiohttp.ClientResponse, max_bytes: int) -> None:
    status = response.status
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR or status in _RETRY_STATUSES:
        raise DownloadError(f"HTTP {status}", retry=True)
    if status != HTTPStatus.OK:
        raise DownloadError(f"HTTP {status}", retry=False)
    content_type = _content_type(response)
    if content_type.startswith("text/") or content_type.endswith("json"):
        raise DownloadError(f"unexpected content type {content_type}", retry=False)
    length = response.headers.get(hdrs.CONTENT_LENGTH, "")
    if length.isdigit() and int(length) > max_bytes:
        raise _too_large()


def _too_large() -> DownloadError:
    return DownloadError("recording exceeds size limit", retry=False)


def _content_type(response: aiohttp.ClientResponse) -> str:
    """The bare media type, lower-case; empty when the server sent none."""
    value: str = response.headers.get(hdrs.CONTENT_TYPE, "")
    return value.split(";", 1)[0].strip().lower()


def _open_part(part: Path) -> IO[bytes]:
    part.parent.mkdir(parents=True, exist_ok=True)
    return part.open("wb")


def _finish(handle: IO[bytes], tail: bytes, part: Path, path: Path) -> None:
    """Complete the file on the disk itself before it gets its final name.

    Its call is marked saved right after; without the fsync a power cut could
    leave a saved call pointing to an empty file.
    """
    with handle:
        handle.write(tail)
        handle.flush()
        os.fsync(handle.fileno())
    part.replace(path)


def _discard(handle: IO[bytes], part: Path) -> None:
    handle.close()
    part.unlink(missing_ok=True)


def remove_files(root: Path, files: Iterable[str]) -> None:
    """Delete recordings and the day folders they leave empty (executor)."""
    for relative in files:
        path = root / relative
        path.unlink(missing_ok=True)
        for parent in path.parents:
            if parent == root or not parent.is_relative_to(root):
                break
            try:
                parent.rmdir()
            except OSError:
                break


def scan_folder(root: Path, subdir: str) -> dict[int, list[str]]:
    """One walk of an account's folder at start-up (executor).

    Deletes the ``.part`` files a crash or restart left behind, and returns
    the recordings found by call id (``HHMMSS_<id>[_<n>].<ext>``), relative
    to the media root, so they can be matched with the calls that own them.
    """
    found: dict[int, list[str]] = {}
    folder = root / subdir
    if not folder.is_dir():
        return found
    for path in folder.rglob("*"):
        if path.name.endswith(PART_SUFFIX):
            path.unlink(missing_ok=True)
            continue
        if (call_id := _call_id_of(path.stem)) is not None and path.is_file():
            found.setdefault(call_id, []).append(path.relative_to(root).as_posix())
    return found


def _call_id_of(stem: str) -> int | None:
    """``140312_4711`` or ``140312_4711_2`` → 4711; anything else → None."""
    parts = stem.split("_")
    if len(parts) in (2, 3) and all(p.isascii() and p.isdigit() for p in parts):
        return int(parts[1])
    return None
