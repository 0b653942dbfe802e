"""The call store's writes racing each other: a user's change, a backup, erasure."""

from __future__ import annotations

import asyncio
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)

from custom_components.m8com.transcript import Transcript

from .conftest import RECORDING_URL, PostFn, stored, wait_for
from .test_todo import TODO, short_call


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
        await hass.services.async_call(
            "todo",
            "update_item",
            {"item": "1", "status": "completed"},
            target={"entity_id": TODO},
            blocking=True,
        )
        assert stored(loaded_entry, 1).callback == "done"
        gate.set()
        await hass.async_block_till_done(wait_background_tasks=True)
    record = stored(loaded_entry, 1)
    assert record.transcript == "hello"
    assert record.transcription == "done"
    assert record.callback == "done"
    assert record.callback_done_at is not None
