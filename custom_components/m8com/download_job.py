"""What one download is: a recording's URL, where it goes, by when, and how it fails.

Kept apart from the downloader (which schedules and streams) because the
pipeline builds these before any byte moves, and reads the outcome after.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime

from homeassistant.util import dt as dt_util
from yarl import URL


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


@dataclass(frozen=True, slots=True)
class Fetch:
    """One recording to fetch: where from, where to, by when, how big at most."""

    url: str
    target: Target
    deadline: datetime
    max_bytes: int
    allow_private: bool
    """The delivery came from a local address (see ``fetch_policy``)."""


def redact_url(url: str) -> str:
    """A URL fit for the log: no query (a bearer token), no user or password."""
    with contextlib.suppress(ValueError):
        return str(URL(url).with_user(None).with_query(None).with_fragment(None))
    return "<invalid url>"


def build_targets(
    subdir: str, call_id: int, started: datetime, count: int
) -> list[Target]:
    """``<subdir>/YYYY/MM/DD/HHMMSS_<id>[_<n>]`` in local time of the call start."""
    local = dt_util.as_local(started)
    base = f"{subdir}/{local:%Y/%m/%d}/{local:%H%M%S}_{call_id}"
    return [Target(base if n == 0 else f"{base}_{n + 1}") for n in range(count)]
