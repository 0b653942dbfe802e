"""Nothing lost, nothing doubled: restart resume, redelivery, disk errors, load."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)

from custom_components.m8com.const import DOMAIN

from .conftest import (
    MP3_BYTES,
    RECORDING_URL,
    PostFn,
    load_payload,
    pending,
    start,
    stored,
)

URL = RECORDING_URL


async def test_redelivery_repairs_a_lost_recording_without_second_event(
    hass: HomeAssistant,
    call_events: list[Event],
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    aioclient_mock: AiohttpClientMocker,
    hass_client_no_auth: Any,
    issue_registry: ir.IssueRegistry,
) -> None:
    await start(hass, config_entry, hass_storage, [pending(4711, timedelta(hours=2))])
    fresh = "https://recordings.m8com.test/rec/4711.mp3?token=new"
    aioclient_mock.get(fresh, content=MP3_BYTES, headers={"Content-Type": "audio/mpeg"})
    client = await hass_client_no_auth()
    response = await client.post(
        f"/api/webhook/{config_entry.data['webhook_id']}",
        json={**load_payload("v2"), "fileUrls": [fresh]},
        headers={"Authorization": f"Bearer {config_entry.data['secret']}"},
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done(wait_background_tasks=True)
    record = stored(config_entry, 4711)
    assert (record.status, record.error) == ("saved", None)
    assert call_events == []
    issue_id = f"lost_recordings_{config_entry.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_redelivery_of_a_saved_call_changes_nothing(
    hass: HomeAssistant,
    post: PostFn,
    aioclient_mock: AiohttpClientMocker,
    loaded_entry: MockConfigEntry,
) -> None:
    aioclient_mock.get(URL, content=MP3_BYTES, headers={"Content-Type": "audio/mpeg"})
    for _ in range(3):
        await post(load_payload("v2"))
        await hass.async_block_till_done(wait_background_tasks=True)
    assert aioclient_mock.call_count == 1


async def test_disk_error_raises_issue_and_next_success_clears_it(
    hass: HomeAssistant,
    post: PostFn,
    aioclient_mock: AiohttpClientMocker,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    caplog: Any,
) -> None:
    aioclient_mock.get(URL, content=MP3_BYTES, headers={"Content-Type": "audio/mpeg"})
    issue_id = f"disk_error_{loaded_entry.entry_id}"
    with patch(
        "custom_components.m8com.downloader.open_part",
        side_effect=OSError(28, "No space left on device"),
    ):
        await post(load_payload("v2"))
        await hass.async_block_till_done(wait_background_tasks=True)
    assert stored(loaded_entry, 4711).status == "failed"
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {
        "name": "M8Com",
        "error": "cannot write: No space left on device",
    }
    assert caplog.text.count("Could not store recording of call 4711") == 1
    await post({**load_payload("v2"), "id": 4712})
    await hass.async_block_till_done(wait_background_tasks=True)
    assert stored(loaded_entry, 4712).status == "saved"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_200_concurrent_deliveries_of_50_calls(
    hass: HomeAssistant,
    call_events: list[Event],
    post: PostFn,
    aioclient_mock: AiohttpClientMocker,
    loaded_entry: MockConfigEntry,
    media_dir: Path,
) -> None:
    for n in range(50):
        aioclient_mock.get(
            f"https://r.test/{n}.mp3",
            content=MP3_BYTES + b"a" * n,
            headers={"Content-Type": "audio/mpeg"},
        )
    payloads = [
        {**load_payload("v2"), "id": n, "fileUrls": [f"https://r.test/{n}.mp3"]}
        for n in range(50)
    ] * 4
    responses = await asyncio.gather(*(post(p) for p in payloads))
    assert {r.status for r in responses} == {HTTPStatus.OK}
    await hass.async_block_till_done(wait_background_tasks=True)
    assert sorted(e.data["call_id"] for e in call_events) == list(range(50))
    assert len(list(media_dir.rglob("*.mp3"))) == 50
    assert aioclient_mock.call_count == 50


async def test_unused_links_are_not_stored(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    hass.config_entries.async_update_entry(
        loaded_entry, options={"download_audio": False}
    )
    await post(load_payload("v2"))
    await hass.async_block_till_done()
    assert stored(loaded_entry, 4711).urls == []
    path = loaded_entry.runtime_data.store.path
    for file in (path, path.with_name(f"{path.name}-wal")):
        assert b"SUPERSECRETTOKEN" not in file.read_bytes()


async def test_erasing_a_lost_call_clears_it_from_the_repair(
    hass: HomeAssistant, config_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    await start(hass, config_entry, hass_storage, [pending(4711, timedelta(hours=2))])
    issue_id = f"lost_recordings_{config_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    await hass.services.async_call(
        DOMAIN, "delete_recordings", {"call_ids": [4711]}, blocking=True
    )
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
