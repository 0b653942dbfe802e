"""A speech-to-text engine that is not there, or no ffmpeg: retried, then a repair.

The README promises 3 tries (30 s and 2 min apart) and a repair issue saying
what to fix, never an "internal error". Unlike ``test_transcriber.py``, HA's
``stt`` component is not set up here unless a test asks for it.
"""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import imageio_ffmpeg
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com.const import DOMAIN

from .conftest import SendAudio, stored
from .test_transcriber import (
    STT_ENTITY,
    CountingEngine,
    choose,
    setup_engine,
    wav,
)


def tries(caplog: pytest.LogCaptureFixture) -> int:
    """How many tries failed and were retried (the last one is not)."""
    return caplog.text.count("transcription try")


@pytest.fixture
async def engine_without_ffmpeg(hass: HomeAssistant) -> CountingEngine:
    """An engine, and HA's ffmpeg pointed at a binary that does not exist."""
    assert await async_setup_component(
        hass, "ffmpeg", {"ffmpeg": {"ffmpeg_bin": "/nonexistent/ffmpeg"}}
    )
    entity = CountingEngine()
    await setup_engine(hass, Platform.STT, entity)
    return entity


async def test_engine_component_not_loaded_is_retried_with_a_repair(
    hass: HomeAssistant,
    send_audio: SendAudio,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert "stt" not in hass.config.components
    choose(hass, loaded_entry, transcribe_with=STT_ENTITY)
    await send_audio(wav(0.5))
    record = stored(loaded_entry, 4711)
    assert record.transcription == "failed"
    assert record.transcription_error == (
        f"{STT_ENTITY} not found (speech-to-text is not set up)"
    )
    assert tries(caplog) == 2
    assert "internal error" not in caplog.text
    issue = issue_registry.async_get_issue(
        DOMAIN, f"transcriber_missing_{loaded_entry.entry_id}"
    )
    assert issue is not None
    assert (issue.translation_placeholders or {})["entity_id"] == STT_ENTITY


async def test_ffmpeg_missing_is_retried_with_its_own_repair_until_it_works(
    hass: HomeAssistant,
    engine_without_ffmpeg: CountingEngine,
    send_audio: SendAudio,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    choose(hass, loaded_entry, transcribe_with=STT_ENTITY)
    await send_audio(wav(0.5))
    record = stored(loaded_entry, 4711)
    assert record.transcription == "failed"
    assert (record.transcription_error or "").startswith(
        "ffmpeg (/nonexistent/ffmpeg) could not be started"
    )
    assert tries(caplog) == 2
    assert "internal error" not in caplog.text
    assert engine_without_ffmpeg.received == []
    issue_id = f"ffmpeg_missing_{loaded_entry.entry_id}"
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert "/nonexistent/ffmpeg" in (issue.translation_placeholders or {})["error"]
    # ffmpeg installed (as ``ffmpeg_bin:`` would after a restart): the next
    # call is transcribed and the repair goes.
    hass.data["ffmpeg"].binary = imageio_ffmpeg.get_ffmpeg_exe()
    await send_audio(wav(0.5), id=4712)
    assert stored(loaded_entry, 4712).transcription == "done"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
