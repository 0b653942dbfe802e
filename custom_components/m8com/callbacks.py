"""Which calls need a call back, by when, and how the to-do item reads.

Pure functions of a call and the account's options (section *Callbacks*), so
the rules are tested without a to-do list. A call needs a call back when the
AI task engine says so, when it was an inbound call shorter than N seconds
(missed or cut off), or when the customer's number is on the list. The due
time counts working hours (Monday to Friday, 08-17 in HA's time zone) from
the call's end, as a colleague would promise "within four hours".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeGuard

from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util
import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from .const import (
    CONF_CALLBACK_DUE_HOURS,
    CONF_CALLBACK_NUMBERS,
    CONF_CALLBACK_SHORT_SECONDS,
    CONF_CALLBACK_WHEN_AI,
    DOMAIN,
    WORKDAY_END_HOUR,
    WORKDAY_START_HOUR,
)
from .formatting import format_duration, media_ids
from .options import option
from .phone_numbers import same_number

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .call import Call

SATURDAY = 5


def customer_number(call: Call) -> str | None:
    """The party outside: the callee of an outbound call, else the caller."""
    return call.callee_number if call.direction == "outbound" else call.caller_number


def customer_name(call: Call) -> str | None:
    """The phone book's name for the customer, if it has one."""
    return call.callee_name if call.direction == "outbound" else call.caller_name


def can_call_back(number: str | None) -> TypeGuard[str]:
    """Whether the identifier is someone to call: not withheld, not empty.

    M8Com writes ``anonymous`` (or ``unknown``, ``private``…) for a withheld
    number: every such caller is a different person, and nobody can dial
    them. A number has digits; a SIP address has an ``@``.
    """
    text = (number or "").strip()
    return any(ch.isdigit() for ch in text) or "@" in text


def listed_numbers(options: Mapping[str, Any]) -> list[str]:
    """The option's numbers: one per line or separated by commas."""
    text = str(option(options, CONF_CALLBACK_NUMBERS) or "")
    return [n.strip() for n in text.replace(",", "\n").splitlines() if n.strip()]


def is_short(options: Mapping[str, Any], call: Call) -> bool:
    """An inbound call with less talk time than the option (0 turns it off)."""
    limit = float(option(options, CONF_CALLBACK_SHORT_SECONDS))
    return (
        limit > 0
        and call.direction == "inbound"
        and call.talk_time is not None
        and call.talk_time < limit
    )


def needs_callback(options: Mapping[str, Any], call: Call, region: str) -> bool:
    """Whether a kept call should open (or join) an item on the callback list."""
    if call.status == "filtered" or call.callback is not None:
        return False
    if call.callback_needed and option(options, CONF_CALLBACK_WHEN_AI):
        return True
    number = customer_number(call)
    if not can_call_back(number):
        return False  # the rules are about calling back: a withheld number can't be
    listed = listed_numbers(options)
    return is_short(options, call) or any(
        same_number(number, n, region) for n in listed
    )


def add_working_hours(start: datetime, hours: float) -> datetime:
    """``start`` plus ``hours`` of Monday-Friday 08-17 time, in HA's time zone."""
    moment = dt_util.as_local(start)
    left = timedelta(hours=hours)
    while True:
        day_start = moment.replace(
            hour=WORKDAY_START_HOUR, minute=0, second=0, microsecond=0
        )
        day_end = day_start.replace(hour=WORKDAY_END_HOUR)
        if moment.weekday() >= SATURDAY or moment >= day_end:
            moment = day_start + timedelta(days=1)
            continue
        moment = max(moment, day_start)
        if moment + left <= day_end:
            return moment + left
        left -= day_end - moment
        moment = day_start + timedelta(days=1)


def due_time(options: Mapping[str, Any], call: Call) -> datetime | None:
    """When the call back is due: the call's end plus the option (0: no due time)."""
    hours = float(option(options, CONF_CALLBACK_DUE_HOURS))
    if hours <= 0:
        return None
    end = call.end_time or call.started
    return add_working_hours(end, hours)


def display_number(number: str | None, region: str) -> str | None:
    """``+46 70-123 45 67``: how people write a number (unparsable: as sent)."""
    if not number:
        return None
    try:
        parsed = phonenumbers.parse(number, region)
    except NumberParseException:
        return number
    if not phonenumbers.is_possible_number(parsed):
        return number
    national = phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL)
    region_of_number = phonenumbers.region_code_for_number(parsed)
    prefix = (
        phonenumbers.ndd_prefix_for_region(region_of_number, strip_non_digits=True)
        if region_of_number
        else None
    )
    if prefix and national.startswith(prefix):
        # The local grouping people know (``070-123 45 67``), dialable abroad.
        return f"+{parsed.country_code} {national.removeprefix(prefix)}"
    return phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL)


def who(call: Call, region: str, unknown: str) -> str:
    """``Anna Kund (+46 70-123 45 67)``, the number alone, or ``unknown``."""
    number = customer_number(call)
    name = customer_name(call)
    number = display_number(number, region) if can_call_back(number) else None
    if name and number:
        return f"{name} ({number})"
    return name or number or unknown


def local_when(moment: datetime) -> str:
    """``2026-11-29 14:03`` in HA's time zone: unambiguous in every language."""
    return dt_util.as_local(moment).strftime("%Y-%m-%d %H:%M")


def call_note(entry_id: str, call: Call, texts: Mapping[str, str]) -> str:
    """One call's part of an item's description: when, group, gist, actions, audio."""
    lines = [
        texts["callback_call"].format(
            when=local_when(call.started),
            group=call.answer_group_name or call.agent_name or "-",
            duration=format_duration(call.talk_time),
        )
    ]
    if gist := call.ai_summary or call.summary:
        lines.append(texts["callback_gist"].format(text=gist))
    if call.action_items:
        lines.append(texts["callback_actions"])
        lines.extend(f"- {item}" for item in call.action_items)
    lines.extend(
        texts["callback_recording"].format(link=link)
        for link in media_ids(entry_id, call)
    )
    return "\n".join(lines)


async def async_texts(hass: HomeAssistant, language: str | None) -> dict[str, str]:
    """The item and speech texts in a language (English where it has none).

    They live in the translations' ``exceptions`` messages, the one category
    with free text and placeholders that HA lets an integration translate.
    """
    prefix = f"component.{DOMAIN}.exceptions."
    found = await async_get_translations(
        hass, language or hass.config.language, "exceptions", [DOMAIN]
    )
    return {
        key.removeprefix(prefix).removesuffix(".message"): text
        for key, text in found.items()
        if key.startswith(prefix)
    }
