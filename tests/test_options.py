"""Filters decide per call, live from the options; filtered calls still get 200."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com.call import Call
from custom_components.m8com.options import (
    DEFAULT_OPTIONS,
    accepts,
    clean,
    seen_choices,
)

from .conftest import PostFn, load_payload, state_of, stored


def call(**fields: Any) -> Call:
    return Call(
        call_id=1, received=dt_util.utcnow(), **{"direction": "inbound", **fields}
    )


GROUP = {"answer_group_id": "ag-1", "answer_group_name": "Support"}


@pytest.mark.parametrize(
    ("options", "record", "expected"),
    [
        ({}, call(), True),
        ({}, call(direction="unknown"), True),
        ({"directions": ["outbound"]}, call(), False),
        ({"directions": ["inbound"]}, call(direction="unknown"), False),
        ({"include_personal": False}, call(), False),
        ({"include_personal": False}, call(**GROUP), True),
        ({"answer_groups": ["ag-1"]}, call(**GROUP), True),
        ({"answer_groups": ["Support"]}, call(**GROUP), True),
        ({"answer_groups": ["ag-2"]}, call(**GROUP), False),
        ({"answer_groups": ["ag-2"]}, call(), True),
        ({"users": ["u-1"]}, call(user_id="u-1"), True),
        ({"users": ["anna@x.se"]}, call(recorder_id="anna@x.se"), True),
        ({"users": ["a-7"]}, call(agent_id="a-7"), True),
        ({"users": ["u-1"]}, call(user_id="u-2"), False),
    ],
)
def test_accepts(options: dict[str, Any], record: Call, expected: bool) -> None:
    assert accepts(options, record) is expected


def test_seen_choices_and_clean() -> None:
    groups, users = seen_choices(
        [
            call(user_id="u-1", agent_name="Anna", **GROUP),
            call(recorder_id="bo@x.se"),
            call(answer_group_id="ag-9", answer_group_name=None),
        ]
    )
    assert groups == [
        {"value": "ag-9", "label": "ag-9"},
        {"value": "ag-1", "label": "Support (ag-1)"},
    ]
    assert users == [
        {"value": "u-1", "label": "Anna (u-1)"},
        {"value": "bo@x.se", "label": "bo@x.se"},
    ]
    cleaned = clean({"users": [" u-1 ", ""], "max_recording_mb": 12.0})
    assert cleaned == {**DEFAULT_OPTIONS, "users": ["u-1"], "max_recording_mb": 12}


async def test_filtered_call_is_200_deduplicated_and_silent(
    hass: HomeAssistant,
    call_events: list[Event],
    post: PostFn,
    loaded_entry: MockConfigEntry,
) -> None:
    hass.config_entries.async_update_entry(
        loaded_entry, options={"directions": ["outbound"]}
    )
    payload = load_payload("v2")  # inbound, with a file URL that must not be fetched
    assert (await post(payload)).status == HTTPStatus.OK
    assert (await post(payload)).status == HTTPStatus.OK
    await hass.async_block_till_done(wait_background_tasks=True)
    assert call_events == []
    record = stored(loaded_entry, 4711)
    assert (record.status, record.urls) == ("filtered", [])
    state = state_of(hass, "sensor.m8com_calls_today")
    assert (state.state, state.attributes["caller"]) == ("0", None)

    # The next call after changing the options is accepted, without a restart.
    hass.config_entries.async_update_entry(loaded_entry, options={})
    assert (await post({**payload, "id": 4712, "fileUrls": []})).status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert [e.data["call_id"] for e in call_events] == [4712]


async def test_download_audio_off_keeps_details_only(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    hass.config_entries.async_update_entry(
        loaded_entry, options={"download_audio": False}
    )
    assert (await post(load_payload("v2"))).status == HTTPStatus.OK
    await hass.async_block_till_done(wait_background_tasks=True)
    record = stored(loaded_entry, 4711)
    assert (record.status, record.files, record.urls) == ("saved", [], [])
    caller = state_of(hass, "sensor.m8com_calls_today").attributes["caller"]
    assert caller == "+46701234567"
