"""Delivery health: whether M8Com still reaches this account, with the right secret.

M8Com disables the integration after enough non-200 answers, and Home
Assistant shows nothing until someone misses a call. So deliveries are
counted per account since start-up (never their bodies), and five wrong
secrets in a row raise a repair issue before M8Com gives up.

Kept under its own ``hass.data`` key, not in an entry's ``runtime_data``: the
counts survive reloads, and readers (sensors, diagnostics) need not know the
HTTP router that feeds them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, signal_delivery
from .repairs import async_report_silence, async_report_wrong_secret
from .webhook import Throttle

WRONG_SECRET_STREAK: Final = 5
REASONS: Final = {
    HTTPStatus.UNAUTHORIZED: "missing or wrong secret",
    HTTPStatus.BAD_REQUEST: "not a call (no valid id, or not JSON)",
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "body over 1 MiB",
}


@dataclass
class DeliveryHealth:
    """One account's deliveries since Home Assistant started."""

    last_delivery: datetime | None = None
    """The last delivery with the right secret, kept or not."""
    rejected: Counter[int] = field(default_factory=Counter)
    last_rejection: str | None = None
    wrong_secret_streak: int = 0
    warnings: Throttle = field(default_factory=Throttle, repr=False)
    """sec: one wrong-secret warning a minute (``webhook.unauthorized``)."""
    writes: Throttle = field(default_factory=Throttle, repr=False)
    """sec: one state write a minute for wrong secrets (they still count)."""

    def note(self, hass: HomeAssistant, entry: ConfigEntry, status: int) -> None:
        """Count one answer; raise or clear the wrong-secret repair."""
        if (reason := REASONS.get(HTTPStatus(status))) is not None:
            self.rejected[status] += 1
            self.last_rejection = reason
        if status == HTTPStatus.UNAUTHORIZED:
            self.wrong_secret_streak += 1
            if self.wrong_secret_streak == WRONG_SECRET_STREAK:
                async_report_wrong_secret(hass, entry, raised=True)
        else:
            self.last_delivery = dt_util.utcnow()
            if status == HTTPStatus.OK and self.wrong_secret_streak:
                if self.wrong_secret_streak >= WRONG_SECRET_STREAK:
                    async_report_wrong_secret(hass, entry, raised=False)
                self.wrong_secret_streak = 0
        if status != HTTPStatus.UNAUTHORIZED or self.writes.allow() is not None:
            async_dispatcher_send(hass, signal_delivery(entry.entry_id))

    def check_silence(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        days: int,
        newest: datetime | None,
    ) -> None:
        """Raise the no-deliveries repair when nothing came for ``days`` days.

        ``newest``: the last call the store kept, which survives restarts (the
        counters here start again with HA).
        """
        since = [self.last_delivery, newest, getattr(entry, "created_at", None)]
        last = max(filter(None, since), default=None)
        silent = days > 0 and (
            last is None or dt_util.utcnow() - last > timedelta(days=days)
        )
        async_report_silence(hass, entry, days if silent else None)

    def as_dict(self) -> dict[str, Any]:
        """For diagnostics."""
        return {
            "last_delivery": self.last_delivery.isoformat()
            if self.last_delivery
            else None,
            "rejected_since_start": {
                str(k): v for k, v in sorted(self.rejected.items())
            },
            "last_rejection": self.last_rejection,
            "wrong_secret_streak": self.wrong_secret_streak,
        }


_HEALTH: HassKey[dict[str, DeliveryHealth]] = HassKey(f"{DOMAIN}_health")


@callback
def async_health(hass: HomeAssistant, entry_id: str) -> DeliveryHealth:
    """The account's delivery health since start-up, created on first use."""
    return hass.data.setdefault(_HEALTH, {}).setdefault(entry_id, DeliveryHealth())


@callback
def async_forget_health(hass: HomeAssistant, entry_id: str) -> None:
    """The account is deleted: its counts go with it."""
    hass.data.get(_HEALTH, {}).pop(entry_id, None)
