"""Transcripts for saved calls: one at a time per account, retried, kept durably.

The engine is the user's choice (option ``transcribe_with``): an ``stt`` entity
(``transcribe_stt``) or, on HA 2025.8+, an ``ai_task`` entity that also
summarises (``transcribe_ai``). A call is marked ``pending`` in the same commit
that marks its audio saved, so a restart resumes it; the result goes into the
call's record, a ``.txt`` beside the audio (which erasure and retention remove
with the call), the ``m8com_call_transcribed`` event and the calls sensor.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Final

from homeassistant.core import HomeAssistant, callback, split_entity_id
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .call import TRANSCRIPT_FIELDS, Call
from .const import (
    CONF_SUMMARISE_ANYWAY,
    CONF_TRANSCRIBE_LANGUAGE,
    CONF_TRANSCRIBE_WITH,
    DOMAIN,
    EVENT_CALL_TRANSCRIBED,
    LOGGER,
    signal_updated,
)
from .data import M8ComConfigEntry
from .formatting import media_ids, mime_type, recording_title
from .media_files import TRANSCRIPT_SUFFIX, media_root, remove_files, write_text
from .options import option
from .repairs import async_report_ffmpeg_missing, async_report_transcriber_missing
from .store import CallStore
from .transcribe_ai import AI_TASK, async_transcribe_ai
from .transcribe_stt import async_transcribe_stt
from .transcript import Transcript, TranscriptionError

RETRY_DELAYS: Final = (30.0, 120.0)
"""Waits between the three tries (an engine restarting, a cloud hiccup)."""


class Transcriber:
    """Runs an account's transcriptions, one after the other."""

    def __init__(
        self, hass: HomeAssistant, entry: M8ComConfigEntry, store: CallStore
    ) -> None:
        """Bound to one account's store; its tasks end with the entry."""
        self._hass = hass
        self._entry = entry
        self._store = store
        self._lock = asyncio.Lock()

    @property
    def entity_id(self) -> str:
        """The chosen engine, or "" when calls are not transcribed."""
        return str(option(self._entry.options, CONF_TRANSCRIBE_WITH) or "")

    async def async_resume(self) -> None:
        """After a restart: transcribe what was waiting."""
        for record in await self._store.async_with_transcription("pending"):
            if record.files:
                self.async_schedule(record)

    @callback
    def async_schedule(self, record: Call) -> None:
        """Queue a saved call (marked pending and committed by the caller)."""
        self._entry.async_create_background_task(
            self._hass, self._async_run(record), f"{DOMAIN} transcribe {record.call_id}"
        )

    async def _async_run(self, record: Call) -> None:
        for attempt, delay in enumerate((*RETRY_DELAYS, None), start=1):
            if await self._store.async_get(record.call_id) is None:
                return  # erased meanwhile
            try:
                async with self._lock:
                    if not (entity_id := self.entity_id):
                        raise TranscriptionError(  # noqa: TRY301 - one failure path
                            "transcription was turned off", retry=False
                        )
                    transcript = await self._async_transcribe(entity_id, record)
                    await self._async_store(record, transcript)
            except TranscriptionError as err:
                async_report_transcriber_missing(
                    self._hass, self._entry, self.entity_id if err.missing else None
                )
                if err.ffmpeg:
                    async_report_ffmpeg_missing(self._hass, self._entry, err.reason)
                if err.retry and delay is not None:
                    LOGGER.info(
                        "Call %s: transcription try %s failed (%s); retrying",
                        record.call_id, attempt, err.reason,
                    )  # fmt: skip
                    await asyncio.sleep(delay)
                    continue
                await self._async_fail(record, err.reason)
            except Exception:  # noqa: BLE001 - a bug must not leave it pending
                LOGGER.exception(
                    "Unexpected error transcribing call %s", record.call_id
                )
                await self._async_fail(record, "internal error")
            return

    async def _async_transcribe(self, entity_id: str, record: Call) -> Transcript:
        language = str(
            option(self._entry.options, CONF_TRANSCRIBE_LANGUAGE)
            or self._hass.config.language
        )
        if split_entity_id(entity_id)[0] == AI_TASK:
            summarise = record.summary is None or bool(
                option(self._entry.options, CONF_SUMMARISE_ANYWAY)
            )
            attachments = [
                (media_id, mime_type(path))
                for media_id, path in zip(
                    media_ids(self._entry.entry_id, record), record.files, strict=True
                )
            ]
            return await async_transcribe_ai(
                self._hass, entity_id, attachments, language, summarise=summarise
            )
        root = media_root(self._hass)
        texts = [
            await async_transcribe_stt(self._hass, entity_id, root / path, language)
            for path in record.files
        ]
        return Transcript(text="\n\n".join(text for text in texts if text))

    async def _async_store(self, record: Call, transcript: Transcript) -> None:
        """Commit the result, then tell the bus and the sensor."""
        root = media_root(self._hass)
        relative = Path(record.files[0]).with_suffix(TRANSCRIPT_SUFFIX).as_posix()
        await self._hass.async_add_executor_job(
            write_text, root / relative, text_file(record, transcript)
        )
        record.mark_transcribed(transcript, relative)
        if not await self._store.async_update(
            record, TRANSCRIPT_FIELDS
        ):  # erased meanwhile
            await self._hass.async_add_executor_job(remove_files, root, [relative])
            return
        LOGGER.debug("Call %s transcribed", record.call_id)
        async_report_transcriber_missing(self._hass, self._entry, None)
        async_report_ffmpeg_missing(self._hass, self._entry, None)
        self._hass.bus.async_fire(
            EVENT_CALL_TRANSCRIBED,
            {
                "entry_id": self._entry.entry_id,
                "call_id": record.call_id,
                "transcript": record.transcript,
                "summary": record.ai_summary,
                "action_items": record.action_items,
                "callback_needed": record.callback_needed,
            },
        )
        async_dispatcher_send(self._hass, signal_updated(self._entry.entry_id), record)

    async def _async_fail(self, record: Call, reason: str) -> None:
        record.mark_transcription_failed(reason)
        if await self._store.async_update(record, TRANSCRIPT_FIELDS):
            LOGGER.warning("Could not transcribe call %s: %s", record.call_id, reason)


def text_file(record: Call, transcript: Transcript) -> str:
    """The ``.txt`` beside the audio: what a person opening it wants first."""
    lines = [recording_title(record), ""]
    if transcript.summary:
        lines += [f"Summary: {transcript.summary}", ""]
    if transcript.action_items:
        lines += ["Action items:", *(f"- {item}" for item in transcript.action_items)]
        lines.append("")
    if transcript.callback_needed is not None:
        lines += [f"Call back: {'yes' if transcript.callback_needed else 'no'}", ""]
    lines.append(transcript.text)
    return "\n".join(lines) + "\n"
