"""Talk and wait time as hourly long-term statistics: graphable, no row per call.

A numeric sensor per duration would cost the recorder two state rows per call
(and a state row is what the entity model saves); HA's long-term statistics
hold one row per hour, and the Statistics graph card draws their mean, min
and max. They are computed from the call store, so importing an hour again is
idempotent: each run re-imports the current hour and the two before it (a call
is posted when it ends, possibly after the hour it started in), start-up a day.
The current hour is imported too, and again after each call (at most every 10
s), so a new account's graph shows its first call at once, not an hour later.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import async_track_time_change
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER, signal_new_call
from .data import M8ComConfigEntry

DURATIONS: Final = {"talk_time": "talk time", "wait_time": "wait time"}
BACKFILL_HOURS: Final = 24
AFTER_CALL_COOLDOWN: Final = 10
"""Seconds: a burst of calls re-imports the current hours once more, not per call."""


def statistic_id(entry_id: str, key: str) -> str:
    """``m8com:talk_time_<entry id>``: an external statistic per account."""
    return f"{DOMAIN}:{key}_{entry_id.lower()}"


async def async_hourly(
    entry: M8ComConfigEntry, hours: list[datetime]
) -> dict[str, list[dict[str, Any]]]:
    """Per duration: mean, min and max over the calls that started in each hour.

    One indexed query for the span of the hours, not a pass over the history:
    this runs at every set-up.
    """
    first, last = min(hours), max(hours) + timedelta(hours=1)
    buckets: dict[str, dict[datetime, list[float]]] = {
        key: {hour: [] for hour in hours} for key in DURATIONS
    }
    for call in await entry.runtime_data.store.async_between(first, last):
        started = dt_util.as_utc(call.started)
        hour = started.replace(minute=0, second=0, microsecond=0)
        for key, by_hour in buckets.items():
            if (value := getattr(call, key)) is not None and hour in by_hour:
                by_hour[hour].append(value)
    return {
        key: [
            {"start": hour, "mean": sum(v) / len(v), "min": min(v), "max": max(v)}
            for hour, v in sorted(by_hour.items())
            if v
        ]
        for key, by_hour in buckets.items()
    }


async def async_import(
    hass: HomeAssistant, entry: M8ComConfigEntry, count: int
) -> None:
    """Import the current hour and ``count`` before it (none without a recorder)."""
    if "recorder" not in hass.config.components:
        return
    # Only once the recorder is loaded (an after-dependency, not a dependency).
    from homeassistant.components.recorder.models import (  # noqa: PLC0415
        StatisticMeanType,
        StatisticMetaData,
    )
    from homeassistant.components.recorder.statistics import (  # noqa: PLC0415
        async_add_external_statistics,
    )

    now = dt_util.utcnow().replace(minute=0, second=0, microsecond=0)
    hours = [now - timedelta(hours=n) for n in range(count + 1)]
    for key, stats in (await async_hourly(entry, hours)).items():
        if not stats:
            continue
        metadata: dict[str, Any] = {
            "has_sum": False,
            "mean_type": StatisticMeanType.ARITHMETIC,
            "name": f"{entry.title} {DURATIONS[key]}",
            "source": DOMAIN,
            "statistic_id": statistic_id(entry.entry_id, key),
            "unit_of_measurement": "s",
        }
        if "unit_class" in StatisticMetaData.__annotations__:  # HA 2026
            metadata["unit_class"] = None
        async_add_external_statistics(hass, metadata, stats)  # type: ignore[arg-type]
        LOGGER.debug("%s: imported %s hour(s) of %s", entry.title, len(stats), key)


@callback
def async_schedule_statistics(
    hass: HomeAssistant, entry: M8ComConfigEntry
) -> CALLBACK_TYPE:
    """Backfill a day now; the last hours after calls and a minute past each hour."""
    entry.async_create_background_task(
        hass, async_import(hass, entry, BACKFILL_HOURS), f"{DOMAIN} statistics"
    )

    async def _recent(*_: Any) -> None:
        await async_import(hass, entry, 2)

    after_call = Debouncer(
        hass,
        LOGGER,
        cooldown=AFTER_CALL_COOLDOWN,
        immediate=True,
        function=_recent,
    )

    @callback
    def _after_call(_call: object) -> None:
        after_call.async_schedule_call()

    stop_calls = async_dispatcher_connect(
        hass, signal_new_call(entry.entry_id), _after_call
    )
    stop_hourly = async_track_time_change(hass, _recent, minute=1, second=0)

    @callback
    def _stop() -> None:
        stop_calls()
        stop_hourly()
        after_call.async_shutdown()

    return _stop
