"""``ai_task.ai_callback``: hears the size of the recording, wants a call back."""

from __future__ import annotations

from typing import Any, ClassVar

from homeassistant.components import ai_task  # type: ignore[attr-defined,unused-ignore]
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback


async def async_setup_entry(
    hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    """One engine per entry."""
    async_add_entities([CallbackEngine()])


class CallbackEngine(ai_task.AITaskEntity):  # type: ignore[misc,unused-ignore]
    """Answers every call with "please call me back".

    The unit tests subclass it with their own name and answer, so both
    suites drive the integration through the same engine.
    """

    _attr_name = "AI callback"
    _attr_unique_id = "ai_callback"
    _attr_supported_features = (
        ai_task.AITaskEntityFeature.GENERATE_DATA
        | ai_task.AITaskEntityFeature.SUPPORT_ATTACHMENTS
    )
    summary = "Wants a quote for 20 licences."
    action_items: ClassVar[list[str]] = ["Send the quote"]

    def __init__(self) -> None:
        """Keep every task asked, for a test to read."""
        self.tasks: list[Any] = []

    async def _async_generate_data(self, task: Any, chat_log: Any) -> Any:
        """The structure the integration asks for, from the attachment's size.

        A summary only when asked for one (M8Com's own is kept otherwise).
        """
        self.tasks.append(task)
        (attachment,) = task.attachments
        data: dict[str, Any] = {"transcript": f"{attachment.path.stat().st_size} bytes"}
        if "summary" in task.structure.schema:
            data |= {
                "summary": self.summary,
                "action_items": list(self.action_items),
                "callback_needed": True,
            }
        return ai_task.GenDataTaskResult(
            conversation_id=chat_log.conversation_id, data=data
        )
