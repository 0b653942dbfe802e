"""The test account's callback list, driven as its to-do card drives it."""

from __future__ import annotations

from typing import Any

from homeassistant.core import Context, HomeAssistant
from pytest_homeassistant_custom_component.common import MockUser

__all__ = ["TODO", "tick_off", "update_item"]

TODO = "todo.m8com_callbacks"
"""The test account's callback list."""


async def update_item(
    hass: HomeAssistant, item: str, user: MockUser | None = None, **changes: Any
) -> None:
    """``todo.update_item`` on the callback list, as its card calls it.

    ``user`` is who acts (the list records who ticked an item off).
    """
    await hass.services.async_call(
        "todo",
        "update_item",
        {"item": item, **changes},
        target={"entity_id": TODO},
        blocking=True,
        context=Context(user_id=user.id) if user else None,
    )


async def tick_off(
    hass: HomeAssistant, item: str, user: MockUser | None = None
) -> None:
    """Tick ``item`` off the callback list."""
    await update_item(hass, item, user, status="completed")
