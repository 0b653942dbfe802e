"""What HA must never log: secrets and numbers, and reports of misuse by us."""

from __future__ import annotations

from collections.abc import Iterator
import logging

import pytest

from .delivery import SECRET

__all__ = ["SENSITIVE", "deprecation_reports", "leaked", "no_deprecations"]

SENSITIVE = (
    SECRET,
    "token=",
    "sig=",
    "SUPERSECRETTOKEN",
    "+46701234567",
    "46701234567",
    "+46812345678",
    "+46709876543",
)


def leaked(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log lines at INFO or above that carry a secret, a link token or a number.

    The fake M8Com file server's own access log (``aiohttp.access``) is not
    Home Assistant's and is left out.
    """
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.INFO
        and record.name != "aiohttp.access"
        and any(needle in record.getMessage() for needle in SENSITIVE)
    ]


def deprecation_reports(caplog: pytest.LogCaptureFixture) -> list[str]:
    """HA's reports of deprecated use or misbehaviour that name this integration."""
    return [
        message
        for message in (record.getMessage() for record in caplog.records)
        if "m8com" in message
        and (
            "deprecat" in message.lower()
            or "Detected that custom integration" in message
            or "Detected code that" in message
            or "Detected blocking call" in message
        )
    ]


@pytest.fixture(autouse=True)
def no_deprecations(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail any test during which HA reports deprecated use by this integration."""
    yield
    assert deprecation_reports(caplog) == []
