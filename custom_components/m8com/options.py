"""Every option of an account and its default: which calls it wants, names, transcripts.

M8Com's admin chooses answer groups and users to send; these options let the
household or business narrow that further on the Home Assistant side, without
touching M8Com. Every default accepts everything, so pressing Submit is safe.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
)
import voluptuous as vol

from .compat import schema
from .const import (
    CONF_ANSWER_GROUPS,
    CONF_ASSIST,
    CONF_CALLBACK_DUE_HOURS,
    CONF_CALLBACK_NUMBERS,
    CONF_CALLBACK_SHORT_SECONDS,
    CONF_CALLBACK_WHEN_AI,
    CONF_DIRECTIONS,
    CONF_DOWNLOAD_AUDIO,
    CONF_EXPECT_CALLS_DAYS,
    CONF_INCLUDE_PERSONAL,
    CONF_MAX_RECORDING_MB,
    CONF_PHONE_BOOK,
    CONF_PHONE_BOOK_FILE,
    CONF_RETENTION_DAYS,
    CONF_SHOW_DETAILS,
    CONF_SUMMARISE_ANYWAY,
    CONF_TRANSCRIBE_LANGUAGE,
    CONF_TRANSCRIBE_WITH,
    CONF_USERS,
    KNOWN_DIRECTIONS,
    MAX_RECORDING_MB,
)

if TYPE_CHECKING:
    from .call import Call

DEFAULT_OPTIONS: dict[str, Any] = {
    CONF_ANSWER_GROUPS: [],
    CONF_USERS: [],
    CONF_DIRECTIONS: list(KNOWN_DIRECTIONS),
    CONF_INCLUDE_PERSONAL: True,
    CONF_DOWNLOAD_AUDIO: True,
    CONF_MAX_RECORDING_MB: MAX_RECORDING_MB,
    CONF_RETENTION_DAYS: 0,
    CONF_EXPECT_CALLS_DAYS: 0,
    CONF_PHONE_BOOK: "",
    CONF_PHONE_BOOK_FILE: "",
    CONF_TRANSCRIBE_WITH: "",
    CONF_TRANSCRIBE_LANGUAGE: "",
    CONF_SUMMARISE_ANYWAY: False,
    CONF_CALLBACK_WHEN_AI: True,
    CONF_CALLBACK_SHORT_SECONDS: 10,
    CONF_CALLBACK_NUMBERS: "",
    CONF_CALLBACK_DUE_HOURS: 4,
    CONF_ASSIST: False,
    CONF_SHOW_DETAILS: True,
}


def option(options: Mapping[str, Any], key: str) -> Any:
    """An option's value, or its accept-everything default."""
    return options.get(key, DEFAULT_OPTIONS[key])


def accepts(options: Mapping[str, Any], call: Call) -> bool:
    """Whether a call passes the account's filters (read live, per call)."""
    directions = option(options, CONF_DIRECTIONS)
    if call.direction not in directions and not (
        call.direction == "unknown" and set(KNOWN_DIRECTIONS) <= set(directions)
    ):
        return False
    personal = call.answer_group_id is None and call.answer_group_name is None
    if personal and not option(options, CONF_INCLUDE_PERSONAL):
        return False
    groups = set(option(options, CONF_ANSWER_GROUPS))
    if (
        groups
        and not personal
        and not groups
        & {
            call.answer_group_id,
            call.answer_group_name,
        }
    ):
        return False
    users = set(option(options, CONF_USERS))
    return not users or bool(users & {call.user_id, call.recorder_id, call.agent_id})


def seen_choices(calls: list[Call]) -> tuple[list[SelectOptionDict], ...]:
    """Answer groups and users seen in calls so far, for the multi-selects."""
    groups: dict[str, str] = {}
    users: dict[str, str] = {}
    for call in calls:
        if call.answer_group_id:
            groups[call.answer_group_id] = (
                call.answer_group_name or call.answer_group_id
            )
        if user := call.user_id or call.recorder_id:
            users[user] = call.agent_name or call.recorder_id or user
    return tuple(
        [
            SelectOptionDict(
                value=key, label=label if label == key else f"{label} ({key})"
            )
            for key, label in sorted(seen.items(), key=lambda item: item[1].casefold())
        ]
        for seen in (groups, users)
    )


def _multi(choices: list[SelectOptionDict]) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(options=choices, multiple=True, custom_value=True)
    )


def _number(minimum: int, maximum: int) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(min=minimum, max=maximum, mode=NumberSelectorMode.BOX)
    )


def filters_schema(current: Mapping[str, Any], calls: list[Call]) -> Any:
    """The filter form (setup step and options flow share it)."""
    groups, users = seen_choices(calls)
    fields: dict[Any, Any] = {
        vol.Optional(CONF_ANSWER_GROUPS, default=option(current, CONF_ANSWER_GROUPS)): (
            _multi(groups)
        ),
        vol.Optional(CONF_USERS, default=option(current, CONF_USERS)): _multi(users),
        vol.Optional(CONF_DIRECTIONS, default=option(current, CONF_DIRECTIONS)): (
            SelectSelector(
                SelectSelectorConfig(
                    options=KNOWN_DIRECTIONS,
                    multiple=True,
                    translation_key=CONF_DIRECTIONS,
                )
            )
        ),
        vol.Optional(
            CONF_INCLUDE_PERSONAL, default=option(current, CONF_INCLUDE_PERSONAL)
        ): BooleanSelector(),
        vol.Optional(
            CONF_DOWNLOAD_AUDIO, default=option(current, CONF_DOWNLOAD_AUDIO)
        ): (BooleanSelector()),
        vol.Optional(
            CONF_MAX_RECORDING_MB, default=option(current, CONF_MAX_RECORDING_MB)
        ): _number(1, 2000),
        vol.Optional(
            CONF_RETENTION_DAYS, default=option(current, CONF_RETENTION_DAYS)
        ): (_number(0, 3650)),
        vol.Optional(
            CONF_EXPECT_CALLS_DAYS, default=option(current, CONF_EXPECT_CALLS_DAYS)
        ): (_number(0, 365)),
    }
    return schema(fields)


def clean(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise a submitted form: sections flattened, numbers as ints.

    Lists lose blank entries.
    """
    flat: dict[str, Any] = {}
    for key, value in user_input.items():
        flat |= value if isinstance(value, Mapping) else {key: value}
    result = {**DEFAULT_OPTIONS, **flat}
    for key in (CONF_ANSWER_GROUPS, CONF_USERS):
        result[key] = [str(v).strip() for v in result[key] if str(v).strip()]
    for key in (
        CONF_MAX_RECORDING_MB,
        CONF_RETENTION_DAYS,
        CONF_EXPECT_CALLS_DAYS,
        CONF_CALLBACK_SHORT_SECONDS,
        CONF_CALLBACK_DUE_HOURS,
    ):
        result[key] = int(result[key])
    return result
