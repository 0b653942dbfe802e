"""An account's callback list: calls that need a call back, grouped into items.

The list is not a store of its own: its state is on the calls (``callback``,
``callback_item``, ``callback_due``, ``callback_done_at``…) in the call store,
so it survives restarts and an erased call (action or retention) leaves the
list with it. One item groups the call that opened it and the later calls from
the same number that needed a call back while it was open. This object keeps
the open items and the last ticked-off ones in memory (read through the
store's callback indexes at set-up) and tells the to-do entity of changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import (
    async_dispatcher_connect,
    async_dispatcher_send,
)
from homeassistant.util import dt as dt_util

from .call import CALLBACK_FIELDS, Call
from .callbacks import (
    async_texts,
    call_note,
    can_call_back,
    customer_number,
    due_time,
    needs_callback,
    who,
)
from .const import (
    DOMAIN,
    LOGGER,
    Callback,
    signal_callbacks,
    signal_erased,
    signal_new_call,
    signal_updated,
)
from .data import M8ComConfigEntry
from .phone_numbers import region_of, same_number

DONE_SHOWN: Final = 50
"""Ticked-off items the list still shows (newest first); the calls keep the rest."""


@dataclass(slots=True)
class CallbackItem:
    """One to-do item: the calls it groups, oldest first."""

    uid: int
    calls: list[Call]

    @property
    def head(self) -> Call:
        """The oldest call still kept: it carries what a user edited."""
        return self.calls[0]

    @property
    def status(self) -> Callback:
        """Open, done or deleted: the same on every call of the item."""
        return self.head.callback or "open"


class CallbackList:
    """The items of one account, kept in step with its calls."""

    def __init__(self, hass: HomeAssistant, entry: M8ComConfigEntry) -> None:
        """Bound to the account whose store holds the calls."""
        self._hass = hass
        self._entry = entry
        self.items: dict[int, CallbackItem] = {}
        self.texts: dict[str, str] = {}

    @property
    def region(self) -> str:
        """Where numbers without a country code are dialled."""
        return region_of(self._hass.config.country)

    async def async_start(self) -> Callable[[], None]:
        """Gather the items from the calls; follow new, transcribed and erased calls."""
        self.texts = await async_texts(self._hass, None)
        store = self._entry.runtime_data.store
        for record in await store.async_on_callback_list(DONE_SHOWN):
            self._add(record)
        entry_id = self._entry.entry_id
        unsubs = [
            async_dispatcher_connect(self._hass, signal, target)
            for signal, target in (
                (signal_new_call(entry_id), self._async_consider),
                (signal_updated(entry_id), self._async_consider),
                (signal_erased(entry_id), self._async_erased),
            )
        ]

        @callback
        def _stop() -> None:
            for unsub in unsubs:
                unsub()

        return _stop

    def _add(self, record: Call) -> None:
        uid = record.callback_item or record.call_id
        item = self.items.setdefault(uid, CallbackItem(uid, []))
        item.calls.append(record)
        item.calls.sort(key=lambda call: call.started)

    def visible(self) -> list[CallbackItem]:
        """Open items by due time, then the newest ticked-off ones."""
        open_items = [i for i in self.items.values() if i.status == "open"]
        done = [i for i in self.items.values() if i.status == "done"]
        open_items.sort(key=lambda i: i.head.callback_due or i.head.started)
        done.sort(key=lambda i: i.head.callback_done_at or i.head.started, reverse=True)
        return open_items + done[:DONE_SHOWN]

    def open_items(self) -> list[CallbackItem]:
        """Items still to be done, the most urgent first."""
        return [item for item in self.visible() if item.status == "open"]

    def summary(self, item: CallbackItem) -> str:
        """``Call back Anna Kund (+46 70-123 45 67)``, or the user's own text."""
        if item.head.callback_summary is not None:
            return item.head.callback_summary
        person = who(item.head, self.region, self.texts["callback_unknown"])
        return self.texts["callback_summary"].format(who=person)

    def description(self, item: CallbackItem) -> str:
        """Each call of the item: when, group, gist, action items, recording."""
        if item.head.callback_description is not None:
            return item.head.callback_description
        entry_id = self._entry.entry_id
        return "\n\n".join(call_note(entry_id, c, self.texts) for c in item.calls)

    @callback
    def _async_consider(self, record: Call) -> None:
        if needs_callback(self._entry.options, record, self.region):
            self._entry.async_create_background_task(
                self._hass, self._async_open(record), f"{DOMAIN} callback"
            )

    async def _async_open(self, record: Call) -> None:
        """Open an item for the call, or add it to the open item of its number.

        Only a number one can call back joins: callers with a withheld number
        are different people, each with an item of their own.
        """
        if record.callback is not None:
            return  # a transcript and a rule both asked for it
        number = customer_number(record)
        joined = next(
            (
                item
                for item in self.items.values()
                if item.status == "open"
                and can_call_back(number)
                and same_number(customer_number(item.head), number, self.region)
            ),
            None,
        )
        record.callback = "open"
        if joined is None:
            record.callback_item = record.call_id
            record.callback_due = due_time(self._entry.options, record)
        else:
            record.callback_item = joined.uid
            record.callback_due = joined.head.callback_due
        self._add(record)
        if not await self._entry.runtime_data.store.async_update(
            record, CALLBACK_FIELDS
        ):
            self._drop([record.call_id])  # erased meanwhile
        LOGGER.debug("Call %s is on the callback list", record.call_id)
        self._async_changed()

    async def async_update(  # noqa: PLR0913 - one item's editable fields
        self,
        uid: int,
        *,
        done: bool,
        summary: str | None,
        description: str | None,
        due: datetime | None,
        user: str | None,
    ) -> None:
        """A user ticked an item off (or reopened it) or edited its text."""
        item = self.items[uid]
        was_done = item.status == "done"
        own_summary = summary if summary not in (None, self.summary(item)) else None
        own_text = (
            description if description not in (None, self.description(item)) else None
        )
        now = dt_util.utcnow()

        def change(record: Call) -> None:
            record.callback = "done" if done else "open"
            if done and not was_done:
                record.callback_done_at, record.callback_done_by = now, user
            elif not done:
                record.callback_done_at = record.callback_done_by = None
            record.callback_due = due
            if record.call_id == item.head.call_id:
                record.callback_summary = own_summary or record.callback_summary
                record.callback_description = own_text or record.callback_description

        await self._async_write(item.calls, change)

    async def async_delete(self, uids: Iterable[int]) -> None:
        """Items deleted from a card: gone from the list, the calls stay."""
        records = [c for uid in uids for c in self.items.pop(uid).calls]

        def change(record: Call) -> None:
            record.callback = "deleted"

        await self._async_write(records, change)

    async def _async_write(
        self, records: list[Call], change: Callable[[Call], None]
    ) -> None:
        """Change calls in memory and in the store.

        Only the callback fields are written, so a transcript that arrived
        meanwhile is not written back over.
        """
        store = self._entry.runtime_data.store
        gone = []
        for record in records:
            change(record)
            if not await store.async_update(record, CALLBACK_FIELDS):
                gone.append(record.call_id)
        self._drop(gone)
        self._async_changed()

    @callback
    def _async_erased(self) -> None:
        self._entry.async_create_background_task(
            self._hass, self._async_forget_erased(), f"{DOMAIN} callback erasure"
        )

    async def _async_forget_erased(self) -> None:
        """Calls were erased: their items lose them, empty items go."""
        ids = {c.call_id for item in self.items.values() for c in item.calls}
        kept = await self._entry.runtime_data.store.async_get_many(ids)
        self._drop(ids - kept.keys())
        self._async_changed()

    def _drop(self, call_ids: Iterable[int]) -> None:
        gone = set(call_ids)
        for uid, item in list(self.items.items()):
            item.calls = [c for c in item.calls if c.call_id not in gone]
            if not item.calls:
                del self.items[uid]

    @callback
    def _async_changed(self) -> None:
        """Forget ticked-off items beyond those shown; tell the entity."""
        shown = {item.uid for item in self.visible()}
        for uid in [uid for uid in self.items if uid not in shown]:
            del self.items[uid]
        async_dispatcher_send(self._hass, signal_callbacks(self._entry.entry_id))
