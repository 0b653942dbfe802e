"""Assist answers about calls: four intents, registered only while an account allows it.

Calls are personal data, so nothing is registered until an account turns on
*Let Assist answer about calls*; only those accounts' calls are searched. HA's
default agent runs them for the shipped custom sentences; on HA 2025.x every
registered intent is also a tool of the Assist LLM API, on HA 2026.x
``llm.py`` offers them. Answers are short, in the asker's language, name
people from the phone book and never list more than ``ASSIST_MAX_CALLS``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv, intent
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .assist_answers import Answers
from .callbacks import async_texts
from .const import CONF_ASSIST, DOMAIN
from .options import option

if TYPE_CHECKING:
    from .data import M8ComConfigEntry

ASSIST_ACCOUNTS: Final = f"{DOMAIN}_assist_accounts"
"""``hass.data``: ids of loaded accounts that let Assist answer."""
PERIODS: Final = ("last_hour", "this_morning", "today", "yesterday", "this_week")
PARTY: Final[dict[Any, Any]] = {
    vol.Optional("name", description="A person's name from the phone book"): (
        cv.string
    ),
    vol.Optional("number", description="A phone number"): cv.string,
}


async def async_may_read(hass: HomeAssistant, user_id: str | None) -> bool:
    """Whether the asker may hear about calls: an admin, or no user at all.

    The history names every caller, so, like ``get_recordings``, it is for
    admins. A voice satellite or the default agent without a signed-in user
    has no user: the admin who turned the option on chose to let it answer.
    A user that is not an admin (or no longer exists) is refused.
    """
    if user_id is None:
        return True
    user = await hass.auth.async_get_user(user_id)
    return user is not None and user.is_admin


def period_start(period: str | None, now: datetime) -> tuple[datetime, datetime]:
    """The span a period names, in HA's time zone (no period: the last week)."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    spans = {
        "last_hour": (now - timedelta(hours=1), now),
        "this_morning": (midnight, midnight.replace(hour=12)),
        "today": (midnight, now),
        "yesterday": (midnight - timedelta(days=1), midnight),
        "this_week": (midnight - timedelta(days=now.weekday()), now),
    }
    return spans.get(period or "", (now - timedelta(days=7), now))


class _CallsIntent(intent.IntentHandler):
    """Shared: the allowed accounts, the asker's language, a short answer."""

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Answer from the allowed accounts' calls."""
        hass = intent_obj.hass
        slots = {key: value["value"] for key, value in intent_obj.slots.items()}
        texts = await async_texts(hass, intent_obj.language)
        response = intent_obj.create_response()
        if not await async_may_read(hass, intent_obj.context.user_id):
            response.async_set_speech(texts["assist_not_allowed"])
            return response
        answers = Answers(hass, allowed_accounts(hass), texts)
        speech, data = await self.async_answer(answers, slots)
        response.response_type = intent.IntentResponseType.QUERY_ANSWER
        response.async_set_speech(speech)
        response.async_set_speech_slots(data)
        return response

    async def async_answer(
        self, answers: Answers, slots: dict[str, Any]
    ) -> tuple[str, Any]:
        """The speech and the data behind it."""
        raise NotImplementedError


class RecentCalls(_CallsIntent):
    """Who called (or was called), optionally by whom and when."""

    intent_type = "M8ComRecentCalls"
    description = (
        "Lists the most recent recorded phone calls of the business, newest "
        "first, with who called and when. Optional filters: a phone-book name "
        "or a phone number, a direction and a time period."
    )

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """Who, which direction, when: all optional."""
        return {
            **PARTY,
            vol.Optional("direction"): vol.In(["inbound", "outbound"]),
            vol.Optional("period", description="Default: the last 7 days"): vol.In(
                list(PERIODS)
            ),
        }

    async def async_answer(
        self, answers: Answers, slots: dict[str, Any]
    ) -> tuple[str, Any]:
        """The newest matching calls, a few of them read out."""
        since, until = period_start(slots.get("period"), dt_util.now())
        calls = await answers.async_calls(
            since=since,
            until=until,
            name=slots.get("name"),
            number=slots.get("number"),
            direction=slots.get("direction"),
        )
        return answers.listing(calls, "assist_calls", "assist_no_calls")


class CallDetails(_CallsIntent):
    """What the last call with someone was about."""

    intent_type = "M8ComCallDetails"
    description = (
        "Tells what the latest recorded call with a person (phone-book name) or "
        "number was about: summary or start of the transcript, action items and "
        "whether a call back is open. Without a name or number: the latest call."
    )

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """A name or a number, optional."""
        return dict(PARTY)

    async def async_answer(
        self, answers: Answers, slots: dict[str, Any]
    ) -> tuple[str, Any]:
        """The newest call matching the name or number."""
        name, number = slots.get("name"), slots.get("number")
        found = await answers.async_calls(name=name, number=number)
        return answers.details(found[0] if found else None, name or number)


class SearchCalls(_CallsIntent):
    """Calls whose summary, transcript or action items mention something."""

    intent_type = "M8ComSearchCalls"
    description = (
        "Finds recorded calls whose summary, transcript or action items mention "
        "all the given words (e.g. 'invoice 4711'), newest first."
    )

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """The words to look for."""
        return {
            vol.Required("query", description="Words the call must mention"): (
                cv.string
            )
        }

    async def async_answer(
        self, answers: Answers, slots: dict[str, Any]
    ) -> tuple[str, Any]:
        """The newest calls that mention every word (the store's text search)."""
        query = str(slots["query"])
        found = await answers.async_calls(text=query)
        return answers.listing(
            found, "assist_search", "assist_search_none", query=query
        )


class Callbacks(_CallsIntent):
    """Whom to call back: the open items of the callback lists."""

    intent_type = "M8ComCallbacks"
    description = (
        "Lists the people who are waiting for a call back (the open items of "
        "the callback to-do list), the most urgent first."
    )

    async def async_answer(
        self, answers: Answers, slots: dict[str, Any]
    ) -> tuple[str, Any]:
        """The open items, the most urgent first."""
        return answers.callbacks()


HANDLERS: Final = (RecentCalls(), CallDetails(), SearchCalls(), Callbacks())


def allowed_accounts(hass: HomeAssistant) -> list[M8ComConfigEntry]:
    """Loaded accounts that let Assist answer about their calls."""
    ids: set[str] = hass.data.get(ASSIST_ACCOUNTS, set())
    entries = (hass.config_entries.async_get_entry(entry_id) for entry_id in ids)
    return [entry for entry in entries if entry is not None]


@callback
def async_sync_intents(
    hass: HomeAssistant, entry: M8ComConfigEntry, *, loaded: bool = True
) -> None:
    """Register the intents while an account allows them; remove them after."""
    ids: set[str] = hass.data.setdefault(ASSIST_ACCOUNTS, set())
    was_on = bool(ids)
    if loaded and option(entry.options, CONF_ASSIST):
        ids.add(entry.entry_id)
    else:
        ids.discard(entry.entry_id)
    if ids and not was_on:
        for handler in HANDLERS:
            intent.async_register(hass, handler)
    elif was_on and not ids:
        for handler in HANDLERS:
            intent.async_remove(hass, handler.intent_type)
