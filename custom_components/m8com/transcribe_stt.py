"""A recording to text through a speech-to-text entity (local Whisper, Cloud, ...).

HA's ``stt`` entities take what a voice assistant sends: 16 kHz mono 16-bit
PCM, streamed. HA's own ffmpeg (``ffmpeg: ffmpeg_bin:``) decodes the call into
that on a pipe — nothing is written to disk — and the audio is streamed in
segments of at most five minutes, because engines cap a request (OpenAI's
whisper at 25 MiB, Google's inline audio at 20 MB) and local Whisper slows
down on long input. The segments' texts are joined in order.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

from homeassistant.components import stt
from homeassistant.components.ffmpeg import DATA_FFMPEG, get_ffmpeg_manager
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import language as language_util

from .transcript import TranscriptionError

SAMPLE_RATE: Final = 16_000
BYTES_PER_SECOND: Final = SAMPLE_RATE * 2  # mono, 16-bit
SEGMENT_SECONDS: Final = 300
SEGMENT_BYTES: Final = SEGMENT_SECONDS * BYTES_PER_SECOND
CHUNK_BYTES: Final = 64 * 1024
SEGMENT_TIMEOUT: Final = 600.0
"""An engine that takes longer than this for five minutes of audio is stuck."""


def speech_metadata(
    entity: stt.SpeechToTextEntity, language: str, country: str | None
) -> stt.SpeechMetadata:
    """The entity's best match for the language, in the format we send."""
    matches = language_util.matches(language, list(entity.supported_languages), country)
    if not matches:
        raise TranscriptionError(
            f"{entity.entity_id} does not understand {language}", retry=False
        )
    metadata = stt.SpeechMetadata(
        language=matches[0],
        format=stt.AudioFormats.WAV,
        codec=stt.AudioCodecs.PCM,
        bit_rate=stt.AudioBitRates.BITRATE_16,
        sample_rate=stt.AudioSampleRates.SAMPLERATE_16000,
        channel=stt.AudioChannels.CHANNEL_MONO,
    )
    if not entity.check_metadata(metadata):
        raise TranscriptionError(
            f"{entity.entity_id} does not take 16 kHz mono PCM audio", retry=False
        )
    return metadata


async def async_ffmpeg_binary(hass: HomeAssistant) -> str:
    """HA's ffmpeg, set up on first use when ``ffmpeg:`` is not configured."""
    if DATA_FFMPEG not in hass.data and not await async_setup_component(
        hass, "ffmpeg", {}
    ):
        raise TranscriptionError("ffmpeg could not be set up", retry=True, ffmpeg=True)
    return get_ffmpeg_manager(hass).binary


INPUT_FORMATS: Final = {
    "mp3": "mp3", "wav": "wav", "ogg": "ogg", "oga": "ogg", "opus": "ogg",
    "m4a": "mov", "aac": "aac", "flac": "flac", "webm": "matroska",
}  # fmt: skip
"""ffmpeg's demuxer for each stored extension (``fetch_policy.AUDIO_EXTENSIONS``)."""
MAX_DECODE_SECONDS: Final = 4 * 3600
"""No call is longer; a file claiming more is not decoded past this."""


async def async_start_ffmpeg(
    hass: HomeAssistant, audio: Path
) -> asyncio.subprocess.Process:
    """Ffmpeg decoding ``audio`` to 16 kHz mono PCM on its stdout."""
    binary = await async_ffmpeg_binary(hass)
    if (demuxer := INPUT_FORMATS.get(audio.suffix.lstrip(".").lower())) is None:
        msg = f"no decoder for a {audio.suffix or 'nameless'} recording"
        raise TranscriptionError(msg, retry=False)
    try:
        return await asyncio.create_subprocess_exec(
            binary,
            *("-nostdin", "-hide_banner", "-loglevel", "error"),
            # Only the format the file claims, only from the file itself: a
            # "recording" that is a playlist (ffconcat, HLS) can read nothing else.
            *("-protocol_whitelist", "file", "-f", demuxer, "-i", str(audio)),
            *("-t", str(MAX_DECODE_SECONDS)),
            *("-vn", "-ac", "1", "-ar", str(SAMPLE_RATE), "-acodec", "pcm_s16le"),
            *("-f", "s16le", "pipe:1"),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError as err:  # not installed, not executable
        raise TranscriptionError(
            f"ffmpeg ({binary}) could not be started: {err.strerror or err}",
            retry=True,
            ffmpeg=True,
        ) from err


async def async_transcribe_stt(
    hass: HomeAssistant, entity_id: str, audio: Path, language: str
) -> str:
    """The recording's text, segment after segment (one engine request each)."""
    if stt.DOMAIN not in hass.config.components:  # its lookup would raise KeyError
        raise TranscriptionError(
            f"{entity_id} not found (speech-to-text is not set up)",
            retry=True,
            missing=True,
        )
    entity = stt.async_get_speech_to_text_entity(hass, entity_id)
    if entity is None:
        raise TranscriptionError(f"{entity_id} not found", retry=True, missing=True)
    metadata = speech_metadata(entity, language, hass.config.country)
    process = await async_start_ffmpeg(hass, audio)
    assert process.stdout is not None  # noqa: S101 - PIPE was asked for
    assert process.stderr is not None  # noqa: S101 - PIPE was asked for
    errors = asyncio.ensure_future(process.stderr.read())
    texts: list[str] = []
    try:
        while first := await process.stdout.read(CHUNK_BYTES):
            segment = _Segment(process.stdout, first, SEGMENT_BYTES)
            async with asyncio.timeout(SEGMENT_TIMEOUT):
                result = await entity.internal_async_process_audio_stream(
                    metadata, segment
                )
            await segment.drain()  # an engine may stop reading early
            if result.result != stt.SpeechResultState.SUCCESS:
                raise TranscriptionError(f"{entity_id} failed on a segment", retry=True)
            if result.text and result.text.strip():
                texts.append(result.text.strip())
        await process.wait()
    except TimeoutError as err:
        raise TranscriptionError(f"{entity_id} timed out", retry=True) from err
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        stderr = (await errors).decode(errors="replace").strip()
    if process.returncode:
        reason = stderr[-200:] or f"exit code {process.returncode}"
        raise TranscriptionError(
            f"ffmpeg could not decode the recording: {reason}", retry=False
        )
    return " ".join(texts)


class _Segment:
    """At most ``size`` bytes of ffmpeg's output, as an async byte stream."""

    def __init__(self, reader: asyncio.StreamReader, first: bytes, size: int) -> None:
        self._reader = reader
        self._first: bytes | None = first
        self._left = size - len(first)

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        if self._first is not None:
            first, self._first = self._first, None
            yield first
        while self._left > 0:
            chunk = await self._reader.read(min(CHUNK_BYTES, self._left))
            if not chunk:
                return
            self._left -= len(chunk)
            yield chunk

    async def drain(self) -> None:
        """Skip what the engine did not read, so the next segment starts on time."""
        self._first = None
        async for _ in self._chunks():
            pass
