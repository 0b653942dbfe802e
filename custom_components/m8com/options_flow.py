"""Options: the filters, then two folded sections — names and transcripts.

The sections stay folded so the filters form reads as before; what they hold
is stored flat (``options.clean``), like every other option.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    LanguageSelector,
    TextSelector,
    TextSelectorConfig,
)
import voluptuous as vol

from .compat import schema
from .const import (
    CONF_PHONE_BOOK,
    CONF_PHONE_BOOK_FILE,
    CONF_SUMMARISE_ANYWAY,
    CONF_TRANSCRIBE_LANGUAGE,
    CONF_TRANSCRIBE_WITH,
)
from .options import clean, filters_schema, option
from .phone_book import book_path
from .store_query import Query
from .transcribe_ai import AI_TASK, ai_task_available

NAMES = "names"
TRANSCRIPTS = "transcripts"
SECTIONS: dict[str, tuple[str, ...]] = {
    NAMES: (CONF_PHONE_BOOK, CONF_PHONE_BOOK_FILE),
    TRANSCRIPTS: (
        CONF_TRANSCRIBE_WITH,
        CONF_TRANSCRIBE_LANGUAGE,
        CONF_SUMMARISE_ANYWAY,
    ),
}


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
    return EntitySelector(EntitySelectorConfig(filter=filters))


def _suggested(current: Mapping[str, Any], key: str) -> Any:
    """An optional field that may be emptied again (no default to fall back to)."""
    return vol.Optional(key, description={"suggested_value": option(current, key)})


def sections_schema(current: Mapping[str, Any]) -> dict[Any, Any]:
    """The two folded sections of the options form."""
    names = {
        vol.Optional(CONF_PHONE_BOOK, default=option(current, CONF_PHONE_BOOK)): (
            TextSelector(TextSelectorConfig(multiline=True))
        ),
        _suggested(current, CONF_PHONE_BOOK_FILE): TextSelector(),
    }
    transcripts = {
        _suggested(current, CONF_TRANSCRIBE_WITH): transcriber_selector(),
        _suggested(current, CONF_TRANSCRIBE_LANGUAGE): LanguageSelector(),
        vol.Optional(
            CONF_SUMMARISE_ANYWAY, default=option(current, CONF_SUMMARISE_ANYWAY)
        ): BooleanSelector(),
    }
    return {
        vol.Required(NAMES): section(schema(names), {"collapsed": True}),
        vol.Required(TRANSCRIPTS): section(schema(transcripts), {"collapsed": True}),
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
        # The groups and users of the last 1 000 calls: bounded, whatever the history.
        calls = await runtime.store.async_find(Query(limit=1000)) if runtime else []
        url = runtime.webhook_url if runtime else ""
        fields = {**filters_schema(current, calls).schema, **sections_schema(current)}
        return self.async_show_form(
            step_id="init",
            data_schema=schema(fields),
            errors=errors,
            description_placeholders={"webhook_url": url},
        )
