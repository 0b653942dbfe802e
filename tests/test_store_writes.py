"""The call store's writes racing each other: a user's change, a backup, erasure."""

from __future__ import annotations

import asyncio
from http import HTTPStatus
import logging
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)

from custom_components.m8com import backup
from custom_components.m8com.call import Call
from custom_components.m8com.const import DOMAIN, EVENT_RECORDING_SAVED
from custom_components.m8com.store import CallStore
from custom_components.m8com.transcript import Transcript

from .conftest import (
    RECORDING_URL,
    PostFn,
    listen,
    load_payload,
    stored,
    stored_calls,
    tick_off,
    wait_for,
)
from .test_store import call
from .test_todo import short_call


async def test_ticking_off_survives_a_transcript_resumed_after_restart(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """A transcription resumed after a reload holds an older copy of the call.

    Its result must not write that copy back over the item the user ticked
    off meanwhile (only the transcript's own fields are written).
    """
    aioclient_mock.get(
        RECORDING_URL, content=b"ID3audio", headers={"Content-Type": "audio/mpeg"}
    )
    hass.config_entries.async_update_entry(
        loaded_entry, options={"transcribe_with": "stt.fake"}
    )
    gate = asyncio.Event()
    started: list[int] = []

    async def transcribe(_self: Any, _entity_id: str, record: Any) -> Transcript:
        started.append(record.call_id)
        await gate.wait()
        return Transcript(text="hello")

    with patch(
        "custom_components.m8com.transcriber.Transcriber._async_transcribe", transcribe
    ):
        await post(short_call(1, fileUrls=[RECORDING_URL]))
        await wait_for(lambda: started)
        assert await hass.config_entries.async_reload(loaded_entry.entry_id)
        await wait_for(lambda: len(started) == 2)  # resumed after the reload
        await tick_off(hass, "1")
        assert stored(loaded_entry, 1).callback == "done"
        gate.set()
        await hass.async_block_till_done(wait_background_tasks=True)
    record = stored(loaded_entry, 1)
    assert record.transcript == "hello"
    assert record.transcription == "done"
    assert record.callback == "done"
    assert record.callback_done_at is not None


def gated_recording(
    aioclient_mock: AiohttpClientMocker,
) -> tuple[asyncio.Event, list[int]]:
    """M8Com's file server, answering only once ``gate`` is set."""
    gate = asyncio.Event()
    asked: list[int] = []

    async def answer(method: str, url: Any, _data: Any) -> AiohttpClientMockResponse:
        asked.append(1)
        await gate.wait()
        return AiohttpClientMockResponse(
            method, url, response=b"ID3audio", headers={"Content-Type": "audio/mpeg"}
        )

    aioclient_mock.get(RECORDING_URL, side_effect=answer)
    return gate, asked


async def test_erasure_racing_a_download_commit_leaves_no_audio(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    media_dir: Path,
) -> None:
    """A download committed after the erasure read the calls: its audio goes too.

    A backup holds the download's commit, so the erasure reads the call
    before its audio is recorded and deletes the row after.
    """
    store: CallStore = loaded_entry.runtime_data.store
    gate, asked = gated_recording(aioclient_mock)
    assert (await post({**load_payload("v2"), "fileUrls": [RECORDING_URL]})).ok
    await wait_for(lambda: asked)
    await backup.async_pre_backup(hass)
    erasing: list[set[int]] = []
    erase = store.async_erase

    async def spy(call_ids: set[int]) -> list[Call]:
        erasing.append(call_ids)
        return await erase(call_ids)

    with (
        patch("custom_components.m8com.store.HOLD_WAIT", 60),
        patch.object(store, "async_erase", spy),
    ):
        gate.set()
        await wait_for(lambda: any(p.is_file() for p in media_dir.rglob("*.mp3")))
        erasure = hass.async_create_task(
            hass.services.async_call(
                DOMAIN, "delete_recordings", {"number": "+46701234567"}, blocking=True
            )
        )
        await wait_for(lambda: erasing)  # the calls were read, the audio not committed
        assert stored(loaded_entry, 4711).files == []
        await backup.async_post_backup(hass)
        await erasure
        await hass.async_block_till_done(wait_background_tasks=True)
    assert stored_calls(loaded_entry) == {}
    assert [p.name for p in media_dir.rglob("*") if p.is_file()] == []


async def test_download_finishing_during_a_backup_is_committed_after_it(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A backup longer than ``HOLD_WAIT``: deliveries get 503, a download waits.

    The download that ends meanwhile is committed once the backup is over
    (saved, its event fired), instead of failing with nobody to retry it.
    """
    caplog.set_level(logging.DEBUG, logger="custom_components.m8com")
    saved = listen(hass, EVENT_RECORDING_SAVED)
    gate, asked = gated_recording(aioclient_mock)
    assert (await post({**load_payload("v2"), "fileUrls": [RECORDING_URL]})).ok
    await wait_for(lambda: asked)
    await backup.async_pre_backup(hass)
    with patch("custom_components.m8com.store.HOLD_WAIT", 0):
        gate.set()
        await wait_for(lambda: "waits for the backup to end" in caplog.text)
        refused = await post(call(2))
        assert refused.status == HTTPStatus.SERVICE_UNAVAILABLE
        assert stored(loaded_entry, 4711).status == "pending"
        await backup.async_post_backup(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert stored(loaded_entry, 4711).status == "saved"
    assert len(saved) == 1
    assert "Traceback" not in caplog.text
