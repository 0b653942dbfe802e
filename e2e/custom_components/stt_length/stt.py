"""``stt.stt_length``: answers with the number of audio bytes it received."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable
import logging
import os

from homeassistant.components import stt
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

_LOGGER = logging.getLogger(__name__)
ENGINE_HAS_IT = "stt_length: all the audio arrived; working slowly"
"""Logged (as a warning, which the e2e log keeps) before a slow answer."""


async def async_setup_entry(
    hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    """One engine per entry."""
    async_add_entities([LengthEngine()])


class LengthEngine(stt.SpeechToTextEntity):
    """Takes what HA's voice pipeline sends; "hears" ``<n> bytes``."""

    _attr_name = "STT length"
    _attr_unique_id = "stt_length"

    @property
    def supported_languages(self) -> list[str]:
        """English and Swedish."""
        return ["en-US", "sv-SE"]

    @property
    def supported_formats(self) -> list[stt.AudioFormats]:
        """WAV (raw PCM samples)."""
        return [stt.AudioFormats.WAV]

    @property
    def supported_codecs(self) -> list[stt.AudioCodecs]:
        """PCM."""
        return [stt.AudioCodecs.PCM]

    @property
    def supported_bit_rates(self) -> list[stt.AudioBitRates]:
        """16-bit."""
        return [stt.AudioBitRates.BITRATE_16]

    @property
    def supported_sample_rates(self) -> list[stt.AudioSampleRates]:
        """16 kHz."""
        return [stt.AudioSampleRates.SAMPLERATE_16000]

    @property
    def supported_channels(self) -> list[stt.AudioChannels]:
        """Mono."""
        return [stt.AudioChannels.CHANNEL_MONO]

    async def async_process_audio_stream(
        self, metadata: stt.SpeechMetadata, stream: AsyncIterable[bytes]
    ) -> stt.SpeechResult:
        """Count the bytes (or say ``STT_LENGTH_SAYS``, for the screenshots).

        ``STT_LENGTH_DELAY`` (seconds) makes it slow, like Whisper on a long
        call, so a test can kill HA while a transcription runs.
        """
        size = 0
        async for chunk in stream:
            size += len(chunk)
        if delay := float(os.environ.get("STT_LENGTH_DELAY") or 0):
            _LOGGER.warning(ENGINE_HAS_IT)  # what a test waits for before a kill
            await asyncio.sleep(delay)
        text = os.environ.get("STT_LENGTH_SAYS") or f"{size} bytes"
        return stt.SpeechResult(text, stt.SpeechResultState.SUCCESS)
