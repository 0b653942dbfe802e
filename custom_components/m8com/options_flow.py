"""Options: the filters, then two folded sections — names and transcripts.

The sections stay folded so the filters form reads as before; what they hold
is stored flat (``options.clean``), like every other option.

HA's frontend fills a form from each field's suggested value (else its
default), sections included, and drops empty values on submit only at the top
level: a section sends what it was filled with, ``""`` or ``null`` for an
emptied field. So an unset option is never suggested (an entity selector
refuses ``""``), and every selector in a section takes "emptied" as "not set".
An error about a field in a section is keyed by the section (the frontend
shows top-level keys only, right above that field) and opens it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult, OptionsFlow
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    LanguageSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
)
import voluptuous as vol

from .compat import schema
from .const import (
    CONF_ASSIST,
    CONF_CALLBACK_DUE_HOURS,
    CONF_CALLBACK_NUMBERS,
    CONF_CALLBACK_SHORT_SECONDS,
    CONF_CALLBACK_WHEN_AI,
    CONF_PHONE_BOOK,
    CONF_PHONE_BOOK_FILE,
    CONF_SHOW_DETAILS,
    CONF_SUMMARISE_ANYWAY,
    CONF_TRANSCRIBE_LANGUAGE,
    CONF_TRANSCRIBE_WITH,
)
from .options import clean, filters_schema, option
from .phone_book import book_path, refused
from .store_query import Query
from .transcribe_ai import AI_TASK, ai_task_available

NAMES = "names"
TRANSCRIPTS = "transcripts"
CALLBACKS = "callbacks"
ASSIST = "assist"


class _ClearableEntitySelector(EntitySelector):
    """An entity selector inside a section: emptied (``""``/``null``) is "not set"."""

    def __call__(self, data: Any) -> Any:
        """``""`` for an emptied field, else HA's own validation."""
        return "" if data in ("", None) else super().__call__(data)


class _ClearableLanguageSelector(LanguageSelector):
    """A language selector inside a section: emptied (``""``/``null``) is "not set"."""

    def __call__(self, data: Any) -> Any:
        """``""`` for an emptied field, else HA's own validation."""
        return "" if data in ("", None) else super().__call__(data)


class _ClearableTextSelector(TextSelector):
    """A text selector inside a section: ``null`` (a cleared field) is ``""``."""

    def __call__(self, data: Any) -> Any:
        """``""`` for a cleared field, else HA's own validation."""
        return "" if data is None else super().__call__(data)


def transcriber_selector() -> EntitySelector:
    """``stt`` entities, and AI task entities that take audio where HA has them."""
    # Typed Any: the filter's TypedDict was renamed in HA 2026.
    filters: list[Any] = [{"domain": "stt"}]
    if ai_task_available():
        filters.append(
            {
                "domain": AI_TASK,
                "supported_features": [
                    "ai_task.AITaskEntityFeature.SUPPORT_ATTACHMENTS"
                ],
            }
        )
    return _ClearableEntitySelector(EntitySelectorConfig(filter=filters))


def _suggested(current: Mapping[str, Any], key: str) -> Any:
    """An optional field that may be emptied again (no default to fall back to).

    Suggested only when set: an empty suggestion would be sent back as ``""``.
    """
    value = option(current, key)
    if value in ("", None):
        return vol.Optional(key)
    return vol.Optional(key, description={"suggested_value": value})


def sections_schema(
    current: Mapping[str, Any], errors: Mapping[str, str] | None = None
) -> dict[Any, Any]:
    """The two sections of the options form, folded unless one has an error."""
    names = {
        vol.Optional(CONF_PHONE_BOOK, default=option(current, CONF_PHONE_BOOK)): (
            _ClearableTextSelector(TextSelectorConfig(multiline=True))
        ),
        _suggested(current, CONF_PHONE_BOOK_FILE): _ClearableTextSelector(),
        vol.Optional(
            CONF_SHOW_DETAILS, default=option(current, CONF_SHOW_DETAILS)
        ): BooleanSelector(),
    }
    transcripts = {
        _suggested(current, CONF_TRANSCRIBE_WITH): transcriber_selector(),
        _suggested(current, CONF_TRANSCRIBE_LANGUAGE): _ClearableLanguageSelector(),
        vol.Optional(
            CONF_SUMMARISE_ANYWAY, default=option(current, CONF_SUMMARISE_ANYWAY)
        ): BooleanSelector(),
    }
    errors = errors or {}
    return {
        vol.Required(name): section(schema(fields), {"collapsed": name not in errors})
        for name, fields in (
            (NAMES, names),
            (TRANSCRIPTS, transcripts),
            (CALLBACKS, callbacks_fields(current)),
            (ASSIST, {_default(current, CONF_ASSIST): BooleanSelector()}),
        )
    }


def _default(current: Mapping[str, Any], key: str) -> Any:
    return vol.Optional(key, default=option(current, key))


def _box(maximum: int, unit: str) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=0, max=maximum, mode=NumberSelectorMode.BOX, unit_of_measurement=unit
        )
    )


def callbacks_fields(current: Mapping[str, Any]) -> dict[Any, Any]:
    """The rules that put a call on the callback list, and its due time."""
    return {
        _default(current, CONF_CALLBACK_WHEN_AI): BooleanSelector(),
        _default(current, CONF_CALLBACK_SHORT_SECONDS): _box(3600, "s"),
        _default(current, CONF_CALLBACK_NUMBERS): _ClearableTextSelector(
            TextSelectorConfig(multiline=True)
        ),
        _default(current, CONF_CALLBACK_DUE_HOURS): _box(200, "h"),
    }


def validate_phone_book_file(config_dir: str, relative: str) -> dict[str, str]:
    """Form errors for the phone book file (executor: it looks at the disk)."""
    if not relative.strip():
        return {}
    path = book_path(config_dir, relative)
    if path is None:
        return {NAMES: "phone_book_file_outside"}
    if not path.is_file():
        return {NAMES: "phone_book_file_missing"}
    if refused(config_dir, path) is not None:
        return {NAMES: "phone_book_file_refused"}
    return {}


class M8ComOptionsFlow(OptionsFlow):
    """One form: the setup's filters, then names and transcripts.

    ``self.config_entry`` is provided by HA (read-only since HA 2026).
    """

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offer the answer groups and users seen so far; show the URL."""
        errors: dict[str, str] = {}
        entry = self.config_entry
        current: Mapping[str, Any] = entry.options
        if user_input is not None:
            current = clean(user_input)
            errors = await self.hass.async_add_executor_job(
                validate_phone_book_file,
                self.hass.config.config_dir,
                str(current[CONF_PHONE_BOOK_FILE] or ""),
            )
            if not errors:
                return self.async_create_entry(data=current)
        runtime = getattr(entry, "runtime_data", None)
        # The groups and users of the last 1 000 calls: bounded, whatever the
        # history. An account whose set-up failed has a closed store: the
        # dialog must still open, so the user can fix what made it fail.
        calls = (
            await runtime.store.async_find(Query(limit=1000))
            if runtime is not None and entry.state is ConfigEntryState.LOADED
            else []
        )
        url = runtime.webhook_url if runtime else ""
        fields = {
            **filters_schema(current, calls).schema,
            **sections_schema(current, errors),
        }
        return self.async_show_form(
            step_id="init",
            data_schema=schema(fields),
            errors=errors,
            description_placeholders={
                "webhook_url": url,
                # Phone-book numbers without a country code are read with it:
                # onboarding defaults to US, which Swedish 07… numbers miss.
                "country": self.hass.config.country or "—",
            },
        )
