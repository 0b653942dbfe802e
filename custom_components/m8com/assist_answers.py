"""What Assist says about calls: short sentences, a few calls, phone-book names.

The intents (``intents.py``) choose the calls; this module turns them into the
speech (translated, from the translations' ``assist_*`` messages) and the data
an LLM reads beside it. Both are capped at ``ASSIST_MAX_CALLS`` calls: an
answer about a busy day must stay short, and less personal data reaches a
cloud model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from textwrap import shorten
from typing import TYPE_CHECKING, Any, Final

from homeassistant.util import dt as dt_util

from .callbacks import who
from .const import ASSIST_MAX_CALLS, CONF_PHONE_BOOK
from .phone_book import parse
from .phone_numbers import normalise, region_of
from .store_query import Query

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.core import HomeAssistant

    from .call import Call
    from .data import M8ComConfigEntry

GIST_CHARS: Final = 160
"""How much of a transcript stands in for a missing summary."""
SEARCH_LIMIT: Final = 500
"""The most calls one question counts (per account)."""

type Found = tuple[M8ComConfigEntry, Call]


def named(call: Call, name: str | None) -> bool:
    """The call involves the phone-book name (any part of it), if one is asked."""
    if not name:
        return True
    wanted = name.casefold().strip()
    return any(
        n and wanted in n.casefold() for n in (call.caller_name, call.callee_name)
    )


class Answers:
    """Speech and data for the accounts that let Assist answer."""

    def __init__(
        self,
        hass: HomeAssistant,
        entries: list[M8ComConfigEntry],
        texts: Mapping[str, str],
    ) -> None:
        """Answer in ``texts``' language from these accounts' calls."""
        self._entries = entries
        self._texts = texts
        self.region = region_of(hass.config.country)

    async def async_calls(  # noqa: PLR0913 - the filters a question may have
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        name: str | None = None,
        number: str | None = None,
        direction: str | None = None,
        text: str | None = None,
    ) -> list[Found]:
        """Kept calls through the store's indexes, newest first.

        A name is looked up as the typed phone book's numbers for it (the
        number index, newest first) and with the text search (names are
        indexed with the call, so a phone-book file's names are found too),
        ordered by time, not rank: the newest calls are never cut off by a
        better-ranked older one. Only calls the phone book named are kept.
        """
        query = Query(
            since=since,
            until=until,
            number=normalise(number, self.region) if number else None,
            direction=direction,
            text=" ".join(filter(None, (text, name))) or None,
            limit=SEARCH_LIMIT,
            by_rank=not name,
        )
        found: dict[tuple[str, int], Found] = {}
        for entry in self._entries:
            queries = [query]
            if name and not number:
                queries += [
                    replace(query, number=book_number, text=text)
                    for book_number in self._numbers_named(entry, name)
                ]
            for each in queries:
                for call in await entry.runtime_data.store.async_find(each):
                    if named(call, name):
                        found[entry.entry_id, call.call_id] = (entry, call)
        return sorted(found.values(), key=lambda item: item[1].started, reverse=True)

    def _numbers_named(self, entry: M8ComConfigEntry, name: str) -> list[str]:
        """The typed phone book's numbers whose name contains ``name``."""
        book = parse(str(entry.options.get(CONF_PHONE_BOOK) or ""), self.region)
        wanted = name.casefold().strip()
        return [number for number, who in book.items() if wanted in who.casefold()]

    def who(self, call: Call) -> str:
        """The customer, named from the phone book where it can."""
        return who(call, self.region, self._texts["callback_unknown"])

    @staticmethod
    def when(moment: datetime) -> str:
        """``14:03`` today, ``2026-11-27 14:03`` before."""
        local = dt_util.as_local(moment)
        if local.date() == dt_util.now().date():
            return local.strftime("%H:%M")
        return local.strftime("%Y-%m-%d %H:%M")

    def data(self, call: Call) -> dict[str, Any]:
        """One call as an LLM reads it."""
        return {
            "call_id": call.call_id,
            "who": self.who(call),
            "started": dt_util.as_local(call.started).isoformat(),
            "direction": call.direction,
            "answer_group": call.answer_group_name,
            "summary": call.ai_summary or call.summary,
            "action_items": list(call.action_items),
            "callback": call.callback,
        }

    def _joined(self, parts: Iterable[str], total: int) -> str:
        text = ", ".join(parts)
        if (more := total - ASSIST_MAX_CALLS) > 0:
            text += " " + self._texts["assist_more"].format(count=more)
        return text

    def listing(
        self, found: list[Found], key: str, none_key: str, **placeholders: str
    ) -> tuple[str, dict[str, Any]]:
        """``3 calls: Anna Kund 09:12, …``: a few of them, and how many in all."""
        shown = [call for _, call in found[:ASSIST_MAX_CALLS]]
        data = {"total": len(found), "calls": [self.data(call) for call in shown]}
        if not found:
            return self._texts[none_key].format(**placeholders), data
        parts = (f"{self.who(call)} {self.when(call.started)}" for call in shown)
        if len(found) == 1:
            key = f"{key}_one"  # "1 call: …", not "1 calls: …"
        speech = self._texts[key].format(
            count=len(found), calls=self._joined(parts, len(found)), **placeholders
        )
        return speech, data

    def details(self, found: Found | None, asked: str | None) -> tuple[str, Any]:
        """What one call was about, its action items and its call back."""
        if found is None:
            if asked:
                return self._texts["assist_not_found"].format(who=asked), {}
            return self._texts["assist_no_calls"], {}
        _, call = found
        gist = call.ai_summary or call.summary
        if not gist and call.transcript:
            gist = shorten(call.transcript, GIST_CHARS, placeholder=" …")
        speech = self._texts["assist_details"].format(
            who=self.who(call),
            when=self.when(call.started),
            gist=gist or self._texts["assist_no_gist"],
        )
        if call.action_items:
            items = "; ".join(call.action_items)
            speech += " " + self._texts["assist_actions"].format(items=items)
        if call.callback == "open":
            due = self.when(call.callback_due) if call.callback_due else "-"
            speech += " " + self._texts["assist_callback_open"].format(due=due)
        elif call.callback == "done" and call.callback_done_at:
            speech += " " + self._texts["assist_callback_done"].format(
                when=self.when(call.callback_done_at),
                by=call.callback_done_by or "-",
            )
        return speech, {"call": self.data(call)}

    def callbacks(self) -> tuple[str, dict[str, Any]]:
        """Whom to call back, the most urgent first."""
        heads = [
            item.head
            for entry in self._entries
            for item in entry.runtime_data.callbacks.open_items()
        ]
        heads.sort(key=lambda call: call.callback_due or call.started)
        shown = heads[:ASSIST_MAX_CALLS]
        data = {"total": len(heads), "calls": [self.data(c) for c in shown]}
        if not heads:
            return self._texts["assist_no_callbacks"], data
        parts = (
            self.who(call)
            + (f" ({self.when(call.callback_due)})" if call.callback_due else "")
            for call in shown
        )
        speech = self._texts["assist_callbacks"].format(
            count=len(heads), calls=self._joined(parts, len(heads))
        )
        return speech, data
