"""The HTTP contract with M8Com: one status per outcome, no exception escapes.

Every contract test runs twice (``deliver``): over HTTP, and through HA's own
Nabu Casa cloud client, which hands the webhook a ``MockRequest``.
"""

from __future__ import annotations

from http import HTTPStatus
import json
import sqlite3
from typing import Any
from unittest.mock import patch

from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.m8com.const import MAX_NAME_CHARS, MAX_SUMMARY_CHARS

from .conftest import PostFn, load_payload, mock_recording, no_audio, stored


async def test_accepts_call_and_fires_one_event(
    hass: HomeAssistant,
    deliver: PostFn,
    call_events: list[Event],
    loaded_entry: MockConfigEntry,
) -> None:
    response = await deliver(no_audio(load_payload("v2")))
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert len(call_events) == 1
    (device,) = dr.async_entries_for_config_entry(
        dr.async_get(hass), loaded_entry.entry_id
    )
    assert call_events[0].data == {
        "entry_id": loaded_entry.entry_id,
        "device_id": device.id,
        "call_id": 4711,
        "caller_number": "+46701234567",
        "caller_name": None,
        "callee_number": "+46812345678",
        "callee_name": None,
        "direction": "inbound",
        "start_time": "2025-03-14T14:03:12+00:00",
        "end_time": "2025-03-14T14:05:50+00:00",
        "talk_time": 158.0,
        "wait_time": 12.5,
        "agent_id": "agent-17",
        "agent_name": "Anna Andersson",
        "answer_group_id": "ag-1",
        "answer_group_name": "Support",
        "referred_to": None,
        "referred_by": None,
        "recorder_id": "anna@example.se",
        "user_id": "user-42",
        "summary": "Customer asked about invoice 123 and was told it is paid.",
    }


async def test_event_never_carries_file_urls(
    hass: HomeAssistant,
    post: PostFn,
    call_events: list[Event],
    aioclient_mock: AiohttpClientMocker,
) -> None:
    mock_recording(aioclient_mock)
    assert (await post(load_payload("v2"))).status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert "SUPERSECRETTOKEN" not in json.dumps(call_events[0].data)
    assert "recordings.m8com.test" not in json.dumps(call_events[0].data)


async def test_repeated_id_is_acknowledged_once(
    hass: HomeAssistant, deliver: PostFn, call_events: list[Event]
) -> None:
    payload = no_audio(load_payload("v2"))
    for _ in range(3):
        assert (await deliver(payload)).status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert len(call_events) == 1


async def test_internal_failure_is_503_and_retry_succeeds(
    hass: HomeAssistant,
    deliver: PostFn,
    call_events: list[Event],
    caplog: pytest.LogCaptureFixture,
    request: pytest.FixtureRequest,
) -> None:
    payload = no_audio(load_payload("v2"))
    with patch(
        "custom_components.m8com.store_db.Database.insert",
        side_effect=sqlite3.OperationalError("database or disk is full"),
    ):
        response = await deliver(payload)
    assert response.status == HTTPStatus.SERVICE_UNAVAILABLE
    if request.node.callspec.params["deliver"] == "http":  # the relay drops it
        assert response.headers["Retry-After"] == "30"
    assert "answered 503 so M8Com retries" in caplog.text
    await hass.async_block_till_done()
    assert call_events == []
    assert (await deliver(payload)).status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert len(call_events) == 1


async def test_get_is_not_allowed(client: Any) -> None:
    response = await client.get("/api/webhook/0123456789abcdef0123456789abcdef")
    assert response.status == HTTPStatus.METHOD_NOT_ALLOWED


async def test_unloaded_entry_closes_webhook(
    hass: HomeAssistant,
    post: PostFn,
    call_events: list[Event],
    loaded_entry: MockConfigEntry,
) -> None:
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await post(no_audio(load_payload("v2")))
    await hass.async_block_till_done()
    assert call_events == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("talkTime", "soon"),
        ("startTime", "yesterday-ish"),
        ("waitTime", -5),
        ("callerNumber", {"nested": "+46700000000"}),
        ("direction", [1, 2]),
        ("summary", {"text": "secret summary"}),
        ("endTime", 1e300),
    ],
)
async def test_invalid_optional_field_is_dropped_and_call_kept(
    hass: HomeAssistant,
    deliver: PostFn,
    call_events: list[Event],
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    field: str,
    value: Any,
) -> None:
    payload = {**no_audio(load_payload("v2")), field: value}
    assert (await deliver(payload)).status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert len(call_events) == 1
    record = stored(loaded_entry, 4711)
    assert record.agent_name == "Anna Andersson"  # the rest of the call is kept
    assert f"kept without its invalid field(s): {field}" in caplog.text
    assert str(value) not in caplog.text.replace(f"{field}", "")
    assert loaded_entry.runtime_data.handler.dropped_fields == {field: 1}


async def test_one_bad_file_url_drops_only_that_url(
    hass: HomeAssistant,
    deliver: PostFn,
    loaded_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    mock_recording(aioclient_mock)
    good = load_payload("v2")["fileUrls"][0]
    payload = {**load_payload("v2"), "fileUrls": [{"url": 1}, good, ["x"]]}
    assert (await deliver(payload)).status == HTTPStatus.OK
    await hass.async_block_till_done(wait_background_tasks=True)
    record = stored(loaded_entry, 4711)
    assert record.status == "saved"
    assert len(record.files) == 1


async def test_any_failure_before_the_answer_releases_the_id(
    hass: HomeAssistant, deliver: PostFn, call_events: list[Event]
) -> None:
    payload = no_audio(load_payload("v2"))
    with patch(
        "custom_components.m8com.store_db.Database.insert",
        side_effect=RuntimeError("a bug"),
    ):
        assert (await deliver(payload)).status == HTTPStatus.SERVICE_UNAVAILABLE
    assert (await deliver(payload)).status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert len(call_events) == 1


async def test_long_text_fields_are_cut_warned_and_counted(
    hass: HomeAssistant,
    deliver: PostFn,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    payload = {
        **no_audio(load_payload("v2")),
        "summary": "s" * 1_000_000,
        "agentName": "A" * 10_000,
    }
    assert (await deliver(payload)).status == HTTPStatus.OK
    await hass.async_block_till_done()
    record = stored(loaded_entry, 4711)
    assert record.summary == "s" * MAX_SUMMARY_CHARS
    assert record.agent_name == "A" * MAX_NAME_CHARS
    assert "kept with over-long field(s) cut: agentName, summary" in caplog.text
    assert loaded_entry.runtime_data.handler.cut_fields == {
        "summary": 1,
        "agentName": 1,
    }
