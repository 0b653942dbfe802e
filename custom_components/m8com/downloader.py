"""Bytes to media: stream M8Com's short-lived recording URLs into the media folder.

The URLs expire 30 minutes after the call, so transient failures are retried
with exponential back-off until then, and permanent ones fail at once. Files
are written as ``.part`` and renamed when complete, so the media browser never
shows half a recording and a crash leaves only debris we can recognise.
What a download is (``Fetch``, ``DownloadError``) lives in ``download_job``.
"""

from __future__ import annotations

import asyncio
import contextlib
from http import HTTPStatus
from pathlib import Path

import aiohttp
from aiohttp import hdrs
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from yarl import URL

from .const import (
    DOWNLOAD_BASE_SECONDS,
    DOWNLOAD_MIN_BYTES_PER_SECOND,
    DOWNLOAD_READ_TIMEOUT,
    LOGGER,
    MAX_PARALLEL_DOWNLOADS,
    MIN_FREE_DISK_MB,
    RETRY_FIRST_DELAY,
    RETRY_MAX_DELAY,
    WRITE_BLOCK_BYTES,
)
from .download_job import DownloadError, Fetch
from .fetch_policy import (
    ForbiddenAddressError,
    RefusedLinkError,
    async_follow,
    async_policy_session,
    audio_extension,
    refused_reason,
)
from .media_files import (
    MAGIC_HEAD_BYTES,
    PART_SUFFIX,
    discard,
    finish,
    free_bytes,
    open_part,
    wrong_content,
)
from .slots import DeadlineExpiredError, DeadlineSlots

_TIMEOUT = aiohttp.ClientTimeout(
    total=None, connect=30, sock_read=DOWNLOAD_READ_TIMEOUT
)
_RETRY_STATUSES = {HTTPStatus.REQUEST_TIMEOUT, HTTPStatus.TOO_MANY_REQUESTS}
EXPIRED_WAITING = "recording link expired while waiting for a download slot"


class Downloader:
    """Streams recordings, a few at a time, within the fetch policy."""

    def __init__(self, hass: HomeAssistant, media_root: Path) -> None:
        """Share one set of slots (earliest deadline first) for the whole entry."""
        self._hass = hass
        self._root = media_root
        self._slots = DeadlineSlots(MAX_PARALLEL_DOWNLOADS)

    async def async_fetch(self, job: Fetch) -> str:
        """Download one URL, retrying transient failures until its deadline."""
        deadline, target = job.deadline, job.target
        delay = RETRY_FIRST_DELAY
        last: DownloadError | None = None
        while True:
            try:
                async with self._slots.slot(deadline):
                    return await self._attempt(job)
            except DeadlineExpiredError as err:
                # After a failed try, that failure is the reason worth telling.
                raise last or DownloadError(EXPIRED_WAITING, retry=False) from err
            except DownloadError as err:
                last = err
                if not err.retry or dt_util.utcnow().timestamp() + delay > (
                    deadline.timestamp()
                ):
                    raise
                LOGGER.debug("Retrying %s in %.0f s: %s", target.stem, delay, err)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_DELAY)

    async def _attempt(self, job: Fetch) -> str:
        await self._check_free_space()
        bound = time_bound(job.max_bytes)
        try:
            async with asyncio.timeout(bound):
                return await self._attempt_in_time(job)
        except TimeoutError as err:  # the attempt's own errors are DownloadError
            raise DownloadError(
                f"download took longer than {bound:.0f} s", retry=False
            ) from err

    async def _check_free_space(self) -> None:
        free = await self._hass.async_add_executor_job(free_bytes, self._root)
        if free is not None and free < MIN_FREE_DISK_MB * 2**20:
            reason = f"less than {MIN_FREE_DISK_MB} MB free on the disk"
            raise DownloadError(reason, retry=False, disk=True)

    async def _attempt_in_time(self, job: Fetch) -> str:
        url, target, max_bytes = job.url, job.target, job.max_bytes
        allow_private = job.allow_private
        left = max(1.0, (job.deadline - dt_util.utcnow()).total_seconds())
        timeout = aiohttp.ClientTimeout(
            total=left, connect=_TIMEOUT.connect, sock_read=_TIMEOUT.sock_read
        )
        session = async_policy_session(self._hass, allow_private=allow_private)
        try:
            async with contextlib.AsyncExitStack() as stack:
                response = await async_follow(
                    stack, session, URL(url), timeout, allow_private=allow_private
                )
                _check_response(response, max_bytes)
                extension = audio_extension(_content_type(response), str(response.url))
                if extension is None:
                    raise DownloadError(
                        f"not an audio file ({_content_type(response) or 'untyped'})",
                        retry=False,
                    )
                relative = target.relative(extension)
                await self._stream(response, self._root / relative, max_bytes)
        except (ForbiddenAddressError, RefusedLinkError) as err:
            raise DownloadError(str(err), retry=False) from err
        except (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError) as err:
            raise DownloadError(
                f"bad redirect: {type(err).__name__}", retry=False
            ) from err
        except (aiohttp.ClientError, TimeoutError) as err:
            if (reason := refused_reason(err)) is not None:
                raise DownloadError(reason, retry=False) from err
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
            handle = await run(open_part, part)
        except OSError as err:
            raise DownloadError(
                f"cannot write: {err.strerror}", retry=False, disk=True
            ) from err
        written = 0
        buffer = bytearray()
        extension = path.suffix.removeprefix(".")
        checked = False
        try:
            async for chunk in response.content.iter_chunked(1024 * 1024):
                written += len(chunk)
                if written > max_bytes:
                    raise _too_large()  # noqa: TRY301 - discarded below too
                buffer += chunk
                if not checked and len(buffer) >= MAGIC_HEAD_BYTES:
                    _check_magic(extension, bytes(buffer))
                    checked = True
                if len(buffer) >= WRITE_BLOCK_BYTES:
                    await run(handle.write, bytes(buffer))
                    buffer.clear()
            if not checked:
                _check_magic(extension, bytes(buffer))
            await run(finish, handle, bytes(buffer), part, path)
        except OSError as err:
            await run(discard, handle, part)
            raise DownloadError(
                f"cannot write: {err.strerror}", retry=False, disk=True
            ) from err
        except BaseException:
            await asyncio.shield(run(discard, handle, part))
            raise


def time_bound(max_bytes: int) -> float:
    """Seconds one attempt may take: a base plus the size limit at a low rate."""
    return DOWNLOAD_BASE_SECONDS + max_bytes / DOWNLOAD_MIN_BYTES_PER_SECOND


def _check_magic(extension: str, head: bytes) -> None:
    if (reason := wrong_content(extension, head)) is not None:
        raise DownloadError(reason, retry=False)


def _check_response(response: aiohttp.ClientResponse, max_bytes: int) -> None:
    status = response.status
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR or status in _RETRY_STATUSES:
        raise DownloadError(f"HTTP {status}", retry=True)
    if status != HTTPStatus.OK:
        raise DownloadError(f"HTTP {status}", retry=False)
    length = response.headers.get(hdrs.CONTENT_LENGTH, "")
    if length.isdigit() and int(length) > max_bytes:
        raise _too_large()


def _too_large() -> DownloadError:
    return DownloadError("recording exceeds size limit", retry=False)


def _content_type(response: aiohttp.ClientResponse) -> str:
    """The bare media type, lower-case; empty when the server sent none."""
    value: str = response.headers.get(hdrs.CONTENT_TYPE, "")
    return value.split(";", 1)[0].strip().lower()
