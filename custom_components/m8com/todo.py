"""The callback list as a to-do list entity (``todo.<account>_callbacks``).

Any to-do card, the mobile app and the ``todo.*`` actions show it and tick
items off; the items and their state live on the calls (``callback_list``).
Its state is the number of open items, so it changes only when a call needs
a call back or a user closes one: a call from the same number that joins an
open item, or a ticked-off item's text, pushes the new list to open cards
without a new state row.
"""

from __future__ import annotations

from datetime import date, datetime, time

# HA 2026 defines them in ``todo.entity`` and imports them into the package
# without re-exporting them for type checkers; both versions have them here.
from homeassistant.components.todo import (  # type: ignore[attr-defined,unused-ignore]
    TodoItem,
    TodoListEntity,
)
from homeassistant.components.todo.const import TodoItemStatus, TodoListEntityFeature
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.util import dt as dt_util

from .callback_list import CallbackItem, CallbackList
from .const import DOMAIN, WORKDAY_END_HOUR, signal_callbacks
from .data import M8ComConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: M8ComConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """One callback list per account."""
    async_add_entities([M8ComCallbacks(entry, entry.runtime_data.callbacks)])


def _due(value: date | datetime | None) -> datetime | None:
    """A due date without a time is due at the end of that working day."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.combine(
        value, time(WORKDAY_END_HOUR), tzinfo=dt_util.get_default_time_zone()
    )


class M8ComCallbacks(TodoListEntity):
    """Calls to return: tick off, edit, delete; nothing is added by hand."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    _attr_translation_key = "callbacks"
    _attr_supported_features = (
        TodoListEntityFeature.UPDATE_TODO_ITEM
        | TodoListEntityFeature.DELETE_TODO_ITEM
        | TodoListEntityFeature.SET_DUE_DATETIME_ON_ITEM
        | TodoListEntityFeature.SET_DUE_DATE_ON_ITEM
        | TodoListEntityFeature.SET_DESCRIPTION_ON_ITEM
    )

    def __init__(self, entry: M8ComConfigEntry, callbacks: CallbackList) -> None:
        """Under the account's device, reading the account's callback list."""
        self._entry_id = entry.entry_id
        self._callbacks = callbacks
        self._attr_unique_id = f"{entry.entry_id}_callbacks"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            manufacturer="M8Com",
            model="Call recording webhook",
            entry_type=DeviceEntryType.SERVICE,
        )
        self._refresh()

    async def async_added_to_hass(self) -> None:
        """Follow the list: a change is one write (no row if the count stays)."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_callbacks(self._entry_id), self._async_changed
            )
        )

    def _item(self, item: CallbackItem) -> TodoItem:
        return TodoItem(
            summary=self._callbacks.summary(item),
            uid=str(item.uid),
            status=TodoItemStatus.COMPLETED
            if item.status == "done"
            else TodoItemStatus.NEEDS_ACTION,
            due=dt_util.as_local(item.head.callback_due)
            if item.head.callback_due
            else None,
            description=self._callbacks.description(item),
        )

    def _refresh(self) -> None:
        self._attr_todo_items = [self._item(i) for i in self._callbacks.visible()]

    @callback
    def _async_changed(self) -> None:
        self._refresh()
        self.async_write_ha_state()

    async def async_update_todo_item(self, item: TodoItem) -> None:
        """Tick off, reopen, edit the text or move the due time."""
        user = None
        if self._context and self._context.user_id:
            person = await self.hass.auth.async_get_user(self._context.user_id)
            user = person.name if person else None
        await self._callbacks.async_update(
            int(item.uid or 0),
            done=item.status == TodoItemStatus.COMPLETED,
            summary=item.summary,
            description=item.description,
            due=_due(item.due),
            user=user,
        )

    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Delete items; their calls stay (erasure is ``m8com.delete_recordings``)."""
        await self._callbacks.async_delete(int(uid) for uid in uids)
