"""A recording to transcript and summary through an AI task entity (HA 2025.8+).

The audio goes as an attachment (its media-source id, which resolves to the
file in the media folder); the answer is structured, so it is stored field by
field rather than parsed out of prose. Engines that take audio attachments
(Google Gemini does) advertise ``SUPPORT_ATTACHMENTS``.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import selector
import voluptuous as vol

from .compat import schema
from .const import DOMAIN
from .transcript import Transcript, TranscriptionError

AI_TASK = "ai_task"


def ai_task_available() -> bool:
    """Whether this HA has AI task entities (2025.8 and newer)."""
    return importlib.util.find_spec(f"homeassistant.components.{AI_TASK}") is not None


def structure(*, summarise: bool) -> Any:
    """What the engine must answer: the transcript, and if asked a summary."""
    text = selector.TextSelector(selector.TextSelectorConfig(multiline=True))
    fields: dict[Any, Any] = {
        vol.Required("transcript", description="Everything that was said"): text
    }
    if summarise:
        fields |= {
            vol.Required("summary", description="The call in two sentences"): text,
            vol.Required(
                "action_items", description="What someone must do after the call"
            ): selector.TextSelector(selector.TextSelectorConfig(multiple=True)),
            vol.Required(
                "callback_needed", description="Whether the caller expects a call back"
            ): selector.BooleanSelector(),
        }
    return schema(fields)


def instructions(language: str, *, summarise: bool) -> str:
    """The task, with the language the user chose for the results."""
    task = (
        "This audio file is a recorded business phone call. Transcribe it "
        "word for word as `transcript`."
    )
    if summarise:
        task += (
            " Also summarise the call in at most two sentences as `summary`, "
            "list what someone must do after it as `action_items` (empty if "
            "nothing), and set `callback_needed` when the caller expects to be "
            "called back."
        )
    return f"{task} Write everything in the language with code `{language}`."


async def async_transcribe_ai(
    hass: HomeAssistant,
    entity_id: str,
    attachments: list[tuple[str, str]],
    language: str,
    *,
    summarise: bool,
) -> Transcript:
    """Ask the AI task entity; ``attachments``: (media-source id, MIME type)."""
    if not ai_task_available():
        raise TranscriptionError(
            "AI task entities need Home Assistant 2025.8 or newer", retry=False
        )
    from homeassistant.components import (  # type: ignore[attr-defined,unused-ignore]  # noqa: PLC0415 - 2025.8+ only
        ai_task,
    )

    if hass.states.get(entity_id) is None or AI_TASK not in hass.config.components:
        raise TranscriptionError(f"{entity_id} not found", retry=True, missing=True)
    try:
        result = await ai_task.async_generate_data(
            hass,
            task_name=f"{DOMAIN} call transcript",
            entity_id=entity_id,
            instructions=instructions(language, summarise=summarise),
            structure=structure(summarise=summarise),
            attachments=[
                {"media_content_id": media_id, "media_content_type": mime}
                for media_id, mime in attachments
            ],
        )
    except HomeAssistantError as err:
        raise TranscriptionError(f"{entity_id}: {err}", retry=True) from err
    transcript = Transcript.from_ai(result.data)
    if not summarise:
        transcript.summary, transcript.action_items = None, []
        transcript.callback_needed = None
    return transcript
