"""Transcripts through HA's real ``stt`` and ``ai_task`` platforms and real ffmpeg.

The engines are test entities set up through HA's own entity platforms; the
audio is decoded by the static ffmpeg of ``imageio-ffmpeg``, given to HA as
``ffmpeg: ffmpeg_bin:``, exactly as a user's ``ffmpeg`` configuration would.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable
from datetime import datetime
import io
from pathlib import Path
from typing import Any, ClassVar, cast
from unittest.mock import patch
import wave

from homeassistant.components import media_source, stt
from homeassistant.config_entries import ConfigFlow
from homeassistant.const import Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import imageio_ffmpeg
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    mock_config_flow,
    mock_integration,
    mock_platform,
)

from custom_components.m8com.call import Call
from custom_components.m8com.const import DOMAIN, EVENT_CALL_TRANSCRIBED
from custom_components.m8com.transcribe_ai import (
    ai_task_available,
    instructions,
    structure,
)
from custom_components.m8com.transcriber import text_file
from custom_components.m8com.transcript import Transcript, TranscriptionError
from e2e.custom_components.stt_length.stt import LengthEngine

from .conftest import (
    RECORDING_URL,
    WAV_HEADER,
    PostFn,
    SendAudio,
    listen,
    load_payload,
    state_of,
    stored,
    stored_calls,
)

STT_ENTITY = "stt.test_engine"
NOW = datetime.fromisoformat("2025-03-14T15:00:00+00:00")
RATE = 16_000


def wav(seconds: float) -> bytes:
    """A real WAV recording (16 kHz mono), as M8Com's store could serve."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"\x00\x10" * int(RATE * seconds))
    return buffer.getvalue()


class CountingEngine(LengthEngine):
    """Answers each request with its number and the bytes it received.

    It takes what the e2e engine takes (16 kHz mono 16-bit PCM, en/sv).
    """

    _attr_name = "Test engine"
    _attr_unique_id = "test_engine"

    def __init__(self) -> None:
        """Record what arrives; ``fail`` makes the next N requests fail."""
        self.received: list[tuple[stt.SpeechMetadata, int]] = []
        self.fail = 0
        self.running = 0
        self.most_at_once = 0

    async def async_process_audio_stream(
        self, metadata: stt.SpeechMetadata, stream: AsyncIterable[bytes]
    ) -> stt.SpeechResult:
        """Count the bytes; report failure while ``fail`` lasts."""
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            size = sum([len(chunk) async for chunk in stream])
            await asyncio.sleep(0.01)
        finally:
            self.running -= 1
        if self.fail:
            self.fail -= 1
            return stt.SpeechResult(None, stt.SpeechResultState.ERROR)
        self.received.append((metadata, size))
        return stt.SpeechResult(
            f"part{len(self.received)}:{size}", stt.SpeechResultState.SUCCESS
        )


async def setup_engine(hass: HomeAssistant, domain: str, entity: Any) -> None:
    """A test integration whose config entry adds ``entity`` on HA's platform."""

    async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(entry, [domain])
        return True

    async def setup_platform(
        hass: HomeAssistant, entry: MockConfigEntry, add_entities: Any
    ) -> None:
        add_entities([entity])

    mock_integration(hass, MockModule("test", async_setup_entry=setup_entry))
    mock_platform(hass, "test.config_flow")
    mock_platform(
        hass, f"test.{domain}", MockPlatform(async_setup_entry=setup_platform)
    )
    assert await async_setup_component(hass, domain, {})
    entry = MockConfigEntry(domain="test")
    entry.add_to_hass(hass)
    with mock_config_flow("test", ConfigFlow):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)


@pytest.fixture(autouse=True)
async def engine_platforms(hass: HomeAssistant) -> None:
    """Set up before HA's HTTP server starts: they register HTTP views."""
    assert await async_setup_component(hass, "stt", {})
    if ai_task_available():  # via conversation, which needs exposed entities
        assert await async_setup_component(hass, "homeassistant", {})
        assert await async_setup_component(hass, "ai_task", {})


@pytest.fixture
async def ffmpeg(hass: HomeAssistant) -> None:
    """HA's ffmpeg, pointed at the static binary (as ``ffmpeg_bin:``)."""
    binary = imageio_ffmpeg.get_ffmpeg_exe()
    assert await async_setup_component(
        hass, "ffmpeg", {"ffmpeg": {"ffmpeg_bin": binary}}
    )


@pytest.fixture
async def engine(hass: HomeAssistant, ffmpeg: None) -> CountingEngine:
    """The test stt engine, registered as ``stt.test_engine``."""
    entity = CountingEngine()
    await setup_engine(hass, Platform.STT, entity)
    assert hass.states.get(STT_ENTITY) is not None
    return entity


@pytest.fixture
def transcribed(hass: HomeAssistant) -> list[Event]:
    """``m8com_call_transcribed`` events."""
    return listen(hass, EVENT_CALL_TRANSCRIBED)


def choose(hass: HomeAssistant, entry: MockConfigEntry, **options: Any) -> None:
    """Set the account's options (as the options flow stores them: flat)."""
    hass.config_entries.async_update_entry(entry, options={**entry.options, **options})


async def test_segments_reach_the_engine_in_order_and_the_result_is_kept(
    hass: HomeAssistant,
    send_audio: SendAudio,
    loaded_entry: MockConfigEntry,
    engine: CountingEngine,
    transcribed: list[Event],
    media_dir: Path,
) -> None:
    choose(hass, loaded_entry, transcribe_with=STT_ENTITY, transcribe_language="sv")
    with (
        patch("custom_components.m8com.transcribe_stt.SEGMENT_BYTES", RATE * 2),
        patch("custom_components.m8com.transcribe_stt.CHUNK_BYTES", 4096),
    ):
        await send_audio(wav(2.5))
    # 16 kHz mono 16-bit PCM, 1 s segments (patched): 1 s, 1 s, 0.5 s, in order.
    assert [size for _, size in engine.received] == [32_000, 32_000, 16_000]
    metadata = engine.received[0][0]
    assert (metadata.language, metadata.sample_rate, metadata.channel) == (
        "sv-SE",
        stt.AudioSampleRates.SAMPLERATE_16000,
        stt.AudioChannels.CHANNEL_MONO,
    )
    text = "part1:32000 part2:32000 part3:16000"
    record = stored(loaded_entry, 4711)
    assert (record.transcription, record.transcript) == ("done", text)
    assert [event.data for event in transcribed] == [
        {
            "entry_id": loaded_entry.entry_id,
            "call_id": 4711,
            "transcript": text,
            "summary": None,
            "action_items": [],
            "callback_needed": None,
        }
    ]
    txt = media_dir / record.files[0].replace(".wav", ".txt")
    assert txt.read_text().endswith(text + "\n")
    assert record.transcript_file == record.files[0].replace(".wav", ".txt")
    assert state_of(hass, "sensor.m8com_calls_today").attributes["transcript"] == text
    day = dt_util.as_local(record.started).date().isoformat()
    browsed = await media_source.async_browse_media(
        hass, f"media-source://{DOMAIN}/{loaded_entry.entry_id}/{day}"
    )
    assert browsed.children is not None
    assert browsed.children[0].title.endswith(f" · “{text}”")
    response = await hass.services.async_call(
        DOMAIN, "get_recordings", {}, blocking=True, return_response=True
    )
    assert response is not None
    (found,) = cast("list[dict[str, Any]]", response["recordings"])
    assert (found["transcript"], found["transcription"]) == (text, "done")
    # Kept across a restart, then erased with the call, .txt and all.
    await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert stored(loaded_entry, 4711).transcript == text
    await hass.services.async_call(
        DOMAIN, "delete_recordings", {"call_ids": [4711]}, blocking=True
    )
    assert not txt.exists()
    assert not (media_dir / record.files[0]).exists()


async def test_one_transcription_at_a_time_per_account(
    hass: HomeAssistant,
    post: PostFn,
    aioclient_mock: Any,
    loaded_entry: MockConfigEntry,
    engine: CountingEngine,
) -> None:
    choose(hass, loaded_entry, transcribe_with=STT_ENTITY)
    aioclient_mock.get(
        RECORDING_URL, content=wav(0.5), headers={"Content-Type": "audio/wav"}
    )
    for call_id in (1, 2, 3):
        await post({**load_payload("v2"), "id": call_id})
    await hass.async_block_till_done(wait_background_tasks=True)
    assert engine.most_at_once == 1
    calls = stored_calls(loaded_entry)
    assert [calls[n].transcription for n in (1, 2, 3)] == ["done"] * 3


@pytest.mark.parametrize(("failures", "outcome"), [(2, "done"), (3, "failed")])
async def test_failures_are_retried_three_times_then_recorded(
    hass: HomeAssistant,
    send_audio: SendAudio,
    loaded_entry: MockConfigEntry,
    engine: CountingEngine,
    transcribed: list[Event],
    failures: int,
    outcome: str,
) -> None:
    choose(hass, loaded_entry, transcribe_with=STT_ENTITY)
    engine.fail = failures
    await send_audio(wav(0.5))
    record = stored(loaded_entry, 4711)
    assert record.transcription == outcome
    assert len(transcribed) == (outcome == "done")
    if outcome == "failed":
        assert record.transcription_error == "stt.test_engine failed on a segment"
        assert record.transcript is None


async def test_audio_ffmpeg_cannot_decode_fails_at_once(
    hass: HomeAssistant,
    send_audio: SendAudio,
    loaded_entry: MockConfigEntry,
    engine: CountingEngine,
) -> None:
    choose(hass, loaded_entry, transcribe_with=STT_ENTITY)
    await send_audio(WAV_HEADER + b" not really audio")
    record = stored(loaded_entry, 4711)
    assert record.transcription == "failed"
    assert (record.transcription_error or "").startswith(
        "ffmpeg could not decode the recording"
    )
    assert engine.received == []


async def test_a_missing_engine_raises_a_repair_until_one_answers(
    hass: HomeAssistant,
    send_audio: SendAudio,
    loaded_entry: MockConfigEntry,
    engine: CountingEngine,
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    choose(hass, loaded_entry, transcribe_with="stt.gone")
    await send_audio(wav(0.5))
    record = stored(loaded_entry, 4711)
    assert (record.transcription, record.transcription_error) == (
        "failed",
        "stt.gone not found",
    )
    assert caplog.text.count("transcription try") == 2  # 3 tries, as documented
    issue_id = f"transcriber_missing_{loaded_entry.entry_id}"
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {"name": "M8Com", "entity_id": "stt.gone"}
    choose(hass, loaded_entry, transcribe_with=STT_ENTITY)
    await send_audio(wav(0.5), id=4712)
    assert stored(loaded_entry, 4712).transcription == "done"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_off_by_default_and_pending_work_resumes_after_a_restart(
    hass: HomeAssistant,
    send_audio: SendAudio,
    loaded_entry: MockConfigEntry,
    engine: CountingEngine,
) -> None:
    await send_audio(wav(0.5))
    record = stored(loaded_entry, 4711)
    assert (record.status, record.transcription) == ("saved", None)
    # As if HA had stopped between saving the audio and transcribing it.
    record.transcription = "pending"
    await loaded_entry.runtime_data.store.async_update(record, ["transcription"])
    choose(hass, loaded_entry, transcribe_with=STT_ENTITY)
    await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert stored(loaded_entry, 4711).transcription == "done"
    assert len(engine.received) == 1


# --- AI task (HA 2025.8+) -------------------------------------------------

needs_ai_task = pytest.mark.skipif(
    not ai_task_available(),
    reason="ai_task entities exist from HA 2025.8; this is the oldest target",
)


@pytest.fixture
async def ai_engine(hass: HomeAssistant) -> Any:
    """A test AI task entity that takes attachments and answers structurally."""
    from e2e.custom_components.ai_callback.ai_task import (  # noqa: PLC0415 - 2025.8+ only
        CallbackEngine,
    )

    class Gemini(CallbackEngine):  # type: ignore[misc,unused-ignore]
        _attr_name = "Test AI"
        _attr_unique_id = "test_ai"
        summary = "Asked about invoice 123."
        action_items: ClassVar[list[str]] = ["Send a copy", ""]

    entity = Gemini()
    await setup_engine(hass, "ai_task", entity)
    return entity


@needs_ai_task
@pytest.mark.parametrize(
    ("m8com_summary", "anyway", "summarised"),
    [(None, False, True), ("M8Com's own", False, False), ("M8Com's own", True, True)],
)
async def test_ai_task_gets_the_audio_and_answers_in_structure(
    hass: HomeAssistant,
    send_audio: SendAudio,
    loaded_entry: MockConfigEntry,
    ai_engine: Any,
    transcribed: list[Event],
    media_dir: Path,
    m8com_summary: str | None,
    anyway: bool,
    summarised: bool,
) -> None:
    choose(
        hass,
        loaded_entry,
        transcribe_with="ai_task.test_ai",
        summarise_when_m8com_did=anyway,
    )
    audio = wav(0.5)
    await send_audio(audio, summary=m8com_summary)
    (task,) = ai_engine.tasks
    (attachment,) = task.attachments
    record = stored(loaded_entry, 4711)
    assert attachment.mime_type == "audio/wav"
    assert attachment.path == media_dir / record.files[0]
    assert attachment.media_content_id == (
        f"media-source://m8com/{loaded_entry.entry_id}/4711/0"
    )
    assert record.transcript == f"{len(audio)} bytes"
    assert record.summary == m8com_summary  # M8Com's own is kept as sent
    if summarised:
        assert (record.ai_summary, record.action_items, record.callback_needed) == (
            "Asked about invoice 123.",
            ["Send a copy"],
            True,
        )
        assert transcribed[0].data["summary"] == "Asked about invoice 123."
    else:
        assert set(task.structure.schema) == {"transcript"}
        assert (record.ai_summary, record.action_items) == (None, [])
    assert record.transcript_file is not None
    text = (media_dir / record.transcript_file).read_text()
    assert ("Summary: Asked about invoice 123." in text) is summarised


@pytest.mark.skipif(ai_task_available(), reason="only the oldest target lacks ai_task")
async def test_ai_task_on_an_old_ha_fails_with_a_reason(
    hass: HomeAssistant,
    send_audio: SendAudio,
    loaded_entry: MockConfigEntry,
) -> None:
    choose(hass, loaded_entry, transcribe_with="ai_task.anything")
    await send_audio(wav(0.2))
    record = stored(loaded_entry, 4711)
    assert record.transcription_error == (
        "AI task entities need Home Assistant 2025.8 or newer"
    )


# --- edges -----------------------------------------------------------------


def test_an_ai_answer_is_taken_only_where_its_types_fit() -> None:
    answer = Transcript.from_ai(
        {
            "transcript": "  Hello.  ",
            "summary": "   ",
            "action_items": ["Call back", 3, "  "],
            "callback_needed": "yes",
        }
    )
    assert answer == Transcript("Hello.", None, ["Call back", "3"], None)
    with pytest.raises(TranscriptionError, match="no structured answer") as caught:
        Transcript.from_ai("Hello.")
    assert caught.value.retry


def test_the_ai_is_asked_for_a_summary_only_when_wanted() -> None:
    assert set(structure(summarise=True).schema) == {
        "transcript",
        "summary",
        "action_items",
        "callback_needed",
    }
    assert set(structure(summarise=False).schema) == {"transcript"}
    assert "`sv`" in instructions("sv", summarise=False)
    assert "action_items" in instructions("sv", summarise=True)


def test_the_text_file_puts_what_to_do_first() -> None:
    record = Call(4711, NOW, start_time=NOW, caller_number="+46701234567")
    answer = Transcript("Hello.", "Invoice question.", ["Send a copy"], True)
    text = text_file(record, answer)
    assert text.splitlines()[2:] == [
        "Summary: Invoice question.",
        "",
        "Action items:",
        "- Send a copy",
        "",
        "Call back: yes",
        "",
        "Hello.",
    ]


async def test_a_language_the_engine_lacks_fails_without_retries(
    hass: HomeAssistant,
    send_audio: SendAudio,
    loaded_entry: MockConfigEntry,
    engine: CountingEngine,
) -> None:
    choose(hass, loaded_entry, transcribe_with=STT_ENTITY, transcribe_language="de")
    await send_audio(wav(0.2))
    record = stored(loaded_entry, 4711)
    assert record.transcription_error == "stt.test_engine does not understand de"
    assert engine.received == []


async def test_a_bug_marks_the_call_failed_not_pending(
    hass: HomeAssistant,
    send_audio: SendAudio,
    loaded_entry: MockConfigEntry,
    engine: CountingEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    choose(hass, loaded_entry, transcribe_with=STT_ENTITY)
    with patch(
        "custom_components.m8com.transcriber.async_transcribe_stt",
        side_effect=RuntimeError("bug"),
    ):
        await send_audio(wav(0.2))
    record = stored(loaded_entry, 4711)
    assert (record.transcription, record.transcription_error) == (
        "failed",
        "internal error",
    )
    assert "Unexpected error transcribing call 4711" in caplog.text


async def test_turned_off_meanwhile_and_erased_meanwhile_leave_nothing(
    hass: HomeAssistant,
    send_audio: SendAudio,
    loaded_entry: MockConfigEntry,
    engine: CountingEngine,
    transcribed: list[Event],
    media_dir: Path,
) -> None:
    """A pending call after the option was cleared; a call erased mid-way."""
    await send_audio(wav(0.2))
    record = stored(loaded_entry, 4711)
    record.transcription = "pending"
    await loaded_entry.runtime_data.store.async_update(record, ["transcription"])
    await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    record = stored(loaded_entry, 4711)
    assert record.transcription_error == "transcription was turned off"

    async def erase_first(hass: HomeAssistant, *_: Any) -> str:
        await hass.services.async_call(
            DOMAIN, "delete_recordings", {"call_ids": [4712]}, blocking=True
        )
        return "too late"

    choose(hass, loaded_entry, transcribe_with=STT_ENTITY)
    with patch("custom_components.m8com.transcriber.async_transcribe_stt", erase_first):
        await send_audio(wav(0.2), id=4712)
    assert 4712 not in stored_calls(loaded_entry)
    assert transcribed == []
    assert list(media_dir.rglob("*4712*")) == []


async def test_a_recording_that_is_a_playlist_reads_no_other_file(
    hass: HomeAssistant,
    post: PostFn,
    aioclient_mock: Any,
    send_audio: SendAudio,
    loaded_entry: MockConfigEntry,
    engine: CountingEngine,
) -> None:
    """An ".mp3" that is an ffconcat list naming another call's recording in the
    same day folder: ffmpeg reads it as MP3 (the format it claims), from the file
    protocol only, so it fails and the other call's audio never reaches the engine.
    The download now refuses such a file (test_downloader_limits); this one is let
    through, as one stored by an older version would be, to test ffmpeg's side."""
    choose(hass, loaded_entry, transcribe_with=STT_ENTITY)
    await send_audio(wav(1.0))
    first = Path(stored(loaded_entry, 4711).files[0]).name
    heard = len(engine.received)
    assert heard > 0
    playlist = f"ffconcat version 1.0\nfile '{first}'\n".encode()
    url = "https://recordings.m8com.test/rec/4712.mp3"
    aioclient_mock.get(url, content=playlist, headers={"Content-Type": "audio/mpeg"})
    payload = {**load_payload("v2"), "id": 4712, "fileUrls": [url]}
    with patch("custom_components.m8com.downloader.wrong_content", return_value=None):
        assert (await post(payload)).status == 200
        await hass.async_block_till_done(wait_background_tasks=True)
    record = stored(loaded_entry, 4712)
    assert record.files[0].endswith(".mp3")
    assert record.transcription == "failed"
    assert len(engine.received) == heard
