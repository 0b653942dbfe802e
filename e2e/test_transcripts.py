"""Transcripts in a real Home Assistant: a real stt engine, HA's ffmpeg, a real call.

``stt_length`` (``e2e/custom_components``) is a speech-to-text integration set up
like any other (config flow, entity); it "hears" the number of audio bytes it
received. ffmpeg is the static binary of ``imageio-ffmpeg``, given to HA with
``ffmpeg: ffmpeg_bin:`` as a user would give theirs. The second test takes the
path of a local Whisper: HA's own ``wyoming`` integration, added through its
config flow, streaming over TCP to a Wyoming service that reports what it got.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import json
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import pytest
from wyoming.asr import Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import Event
from wyoming.info import AsrModel, AsrProgram, Attribution, Describe, Info
from wyoming.server import AsyncEventHandler, AsyncServer
from yarl import URL

from .conftest import WAV, running
from .custom_components.stt_length.stt import ENGINE_HAS_IT
from .entries import SECRET, create_entry, options, payload
from .harness import HomeAssistantProcess, WebSocket, curl_post, free_port, until

WAV_SECONDS = (len(WAV) - 44) / 8000
"""The recording: 8 kHz mono 8-bit after a 44-byte header."""
PCM_BYTES_PER_SECOND = 16_000 * 2
"""What the engine is sent: 16 kHz mono 16-bit."""


@pytest.fixture
async def ha_with_engine(tmp_path: Path) -> AsyncIterator[HomeAssistantProcess]:
    """HA with the test engine installed and ffmpeg configured."""
    process = HomeAssistantProcess(
        config=tmp_path / "config",
        integrations=("stt_length",),
        extra_config=f"ffmpeg:\n  ffmpeg_bin: {imageio_ffmpeg.get_ffmpeg_exe()}\n",
    )
    async with running(process):
        yield process


async def account_with_engine(ha: HomeAssistantProcess) -> str:
    """An account transcribing with ``stt.stt_length``, a phone book; its endpoint."""
    account = await create_entry(ha)
    entry_id = account["result"]["entry_id"]
    engine = await ha.rest(
        "POST", "/api/config/config_entries/flow", {"handler": "stt_length"}
    )
    assert engine["type"] == "create_entry", engine
    await options(
        ha,
        entry_id,
        names={"phone_book": "+46 70-123 45 67 = Anna Kund"},
        transcripts={"transcribe_with": "stt.stt_length"},
    )
    return ha.url + URL(account["description_placeholders"]["webhook_url"]).path


async def recordings(ha: HomeAssistantProcess) -> list[dict[str, Any]]:
    """``m8com.get_recordings``, as an automation or script would call it."""
    found = await ha.rest(
        "POST", "/api/services/m8com/get_recordings?return_response", {}
    )
    result: list[dict[str, Any]] = found["service_response"]["recordings"]
    return result


async def test_a_call_ends_with_a_transcript_of_its_whole_recording(
    ha_with_engine: HomeAssistantProcess, file_server: str
) -> None:
    ha = ha_with_engine
    endpoint = await account_with_engine(ha)

    async with WebSocket(ha) as ws:
        await ws.subscribe("m8com_call_transcribed")
        body = json.dumps(payload(4711, file_server))
        assert await curl_post(endpoint, SECRET, body) == 200
        (event,) = await ws.events(1, timeout=60)

    heard = int(event["data"]["transcript"].split()[0])
    expected = WAV_SECONDS * PCM_BYTES_PER_SECOND
    assert abs(heard - expected) <= 0.01 * expected, (heard, expected)
    assert event["data"]["call_id"] == 4711

    (recording,) = await recordings(ha)
    assert recording["transcript"] == event["data"]["transcript"]
    assert recording["caller_name"] == "Anna Kund"
    (audio,) = recording["files"]
    text_file = ha.media / Path(audio).with_suffix(".txt")
    assert text_file.read_text().rstrip().endswith(event["data"]["transcript"])
    calls = await ha.state("sensor.m8com_calls_today")
    assert calls["attributes"]["transcript"] == event["data"]["transcript"]
    assert calls["attributes"]["recent_calls"][0]["who"] == "Anna Kund (+46701234567)"

    await ha.rest(
        "POST",
        "/api/services/m8com/delete_recordings?return_response",
        {"call_ids": [4711]},
    )
    assert not text_file.exists()
    assert not (ha.media / audio).exists()
    assert ha.log_problems() == []


async def test_a_hard_kill_mid_transcription_is_resumed_after_the_restart(
    ha_with_engine: HomeAssistantProcess, file_server: str
) -> None:
    """SIGKILL while the engine works: the call is transcribed after the start."""
    ha = ha_with_engine
    endpoint = await account_with_engine(ha)
    await ha.stop()
    ha.env["STT_LENGTH_DELAY"] = "60"  # slow, like Whisper on a long call
    await ha.start()
    await ha.login()
    async with WebSocket(ha) as ws:
        await ws.subscribe("m8com_recording_saved")
        body = json.dumps(payload(4711, file_server))
        assert await curl_post(endpoint, SECRET, body) == 200
        await ws.events(1, timeout=60)

    async def engine_has_it() -> bool:
        return ENGINE_HAS_IT in ha.log_text()

    await until(engine_has_it)
    (recording,) = await recordings(ha)
    assert (recording["status"], recording["transcription"]) == ("saved", "pending")
    await ha.kill()
    del ha.env["STT_LENGTH_DELAY"]
    await ha.start()
    await ha.login()

    async def finished() -> dict[str, Any] | None:
        (recording,) = await recordings(ha)
        return recording if recording["transcription"] != "pending" else None

    recording = await until(finished)
    expected = int(WAV_SECONDS * PCM_BYTES_PER_SECOND)
    assert recording["transcription"] == "done"
    assert recording["transcript"] == f"{expected} bytes"
    (audio,) = recording["files"]
    text_file = ha.media / Path(audio).with_suffix(".txt")
    assert text_file.read_text().rstrip().endswith(f"{expected} bytes")


class WhisperLike(AsyncEventHandler):  # type: ignore[misc,unused-ignore]
    """A Wyoming speech-to-text service, as the Whisper add-on speaks it.

    It "hears" what arrived: ``<bytes> bytes <rate> Hz <width> <channels> <language>``.
    """

    heard: list[str] = []  # noqa: RUF012 - shared by the connections of one test

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """One connection: one transcription."""
        super().__init__(*args, **kwargs)
        self.size = 0
        self.format = ""
        self.language = ""

    async def handle_event(self, event: Event) -> bool:
        """Describe itself; count the audio; answer at the end of it."""
        if Describe.is_type(event.type):
            await self.write_event(INFO.event())
        elif event.type == "transcribe":
            self.language = event.data.get("language") or ""
        elif AudioStart.is_type(event.type):
            start = AudioStart.from_event(event)
            self.format = f"{start.rate} Hz {start.width} {start.channels}"
        elif AudioChunk.is_type(event.type):
            self.size += len(AudioChunk.from_event(event).audio)
        elif AudioStop.is_type(event.type):
            text = f"{self.size} bytes {self.format} {self.language}"
            self.heard.append(text)
            await self.write_event(Transcript(text=text).event())
            return False
        return True


_ATTRIBUTION = Attribution(name="e2e", url="https://example.invalid")
INFO = Info(
    asr=[
        AsrProgram(
            name="whisper-like",
            attribution=_ATTRIBUTION,
            installed=True,
            description="counts audio",
            version="1.0",
            models=[
                AsrModel(
                    name="tiny",
                    attribution=_ATTRIBUTION,
                    installed=True,
                    description="tiny",
                    version="1.0",
                    languages=["en", "sv"],
                )
            ],
        )
    ]
)


async def test_a_local_whisper_through_home_assistants_wyoming_client(
    ha_with_engine: HomeAssistantProcess, file_server: str
) -> None:
    """The path a household's bytes take: HA's wyoming stt entity, over TCP."""
    ha = ha_with_engine
    port = free_port()
    server = AsyncServer.from_uri(f"tcp://127.0.0.1:{port}")
    await server.start(WhisperLike)  # listening when it returns
    try:
        flow = await ha.rest(
            "POST", "/api/config/config_entries/flow", {"handler": "wyoming"}
        )
        added = await ha.rest(
            "POST",
            f"/api/config/config_entries/flow/{flow['flow_id']}",
            {"host": "127.0.0.1", "port": port},
        )
        assert added["type"] == "create_entry", added
        whisper = await until_entity(ha, "stt.")
        account = await create_entry(ha)
        await options(
            ha,
            account["result"]["entry_id"],
            transcripts={"transcribe_with": whisper, "transcribe_language": "sv"},
        )
        url = account["description_placeholders"]["webhook_url"]
        async with WebSocket(ha) as ws:
            await ws.subscribe("m8com_call_transcribed")
            body = json.dumps(payload(4711, file_server))
            assert await curl_post(ha.url + URL(url).path, SECRET, body) == 200
            (event,) = await ws.events(1, timeout=60)
    finally:
        await server.stop()
    expected = int(WAV_SECONDS * PCM_BYTES_PER_SECOND)
    assert event["data"]["transcript"] == f"{expected} bytes 16000 Hz 2 1 sv"
    assert ha.log_problems() == []


async def until_entity(ha: HomeAssistantProcess, prefix: str) -> str:
    """The one entity whose id starts with ``prefix``, once HA has added it."""

    async def added() -> list[str]:
        states = await ha.rest("GET", "/api/states")
        return [s["entity_id"] for s in states if s["entity_id"].startswith(prefix)]

    (entity_id,) = await until(added)
    return entity_id
