"""Talk and wait time reach HA's long-term statistics, one row per hour."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.components.recorder.core import Recorder
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.m8com.statistics import async_import, statistic_id

from .conftest import PostFn, load_payload


async def test_hourly_mean_min_max_of_talk_and_wait_time(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
) -> None:
    hour = dt_util.utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(
        hours=2
    )
    start_ms = int((hour + timedelta(minutes=10)).timestamp() * 1000)
    for call_id, talk_ms in ((1, 60_000), (2, 120_000), (3, 30_000)):
        call: dict[str, Any] = {
            **load_payload("v2"),
            "id": call_id,
            "fileUrls": [],
            "startTime": start_ms + call_id,
            "talkTime": talk_ms,
        }
        await post(call)
    await post({**load_payload("v2"), "id": 4, "fileUrls": [], "talkTime": None})
    await async_import(hass, loaded_entry, 24)
    await async_wait_recording_done(hass)
    talk = statistic_id(loaded_entry.entry_id, "talk_time")
    wait = statistic_id(loaded_entry.entry_id, "wait_time")
    stats = await recorder_mock.async_add_executor_job(
        statistics_during_period,
        hass,
        hour - timedelta(hours=1),
        None,
        {talk, wait},
        "hour",
        None,
        {"mean", "min", "max"},
    )
    (row,) = stats[talk]
    assert (row["mean"], row["min"], row["max"]) == (70.0, 30.0, 120.0)
    assert dt_util.utc_from_timestamp(row["start"]) == hour
    assert stats[wait][0]["mean"] == 12.5


async def test_a_call_is_graphed_in_its_hour_at_once(
    hass: HomeAssistant,
    recorder_mock: Recorder,
    post: PostFn,
    loaded_entry: MockConfigEntry,
) -> None:
    """A new account's first call: in the statistics without waiting an hour."""
    now = dt_util.utcnow()
    hour = now.replace(minute=0, second=0, microsecond=0)
    await post(
        {
            **load_payload("v2"),
            "id": 77,
            "fileUrls": [],
            "startTime": int(hour.timestamp() * 1000),
            "talkTime": 42_000,
        }
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)
    talk = statistic_id(loaded_entry.entry_id, "talk_time")
    stats = await recorder_mock.async_add_executor_job(
        statistics_during_period, hass, hour, None, {talk}, "hour", None, {"mean"}
    )
    assert [row["mean"] for row in stats[talk]] == [42.0]
    assert dt_util.utc_from_timestamp(stats[talk][0]["start"]) == hour
