"""Set up an M8Com account with nothing to read: name, optional secret, done.

The result page is the only documentation most users will see, so it carries
the two values to paste into M8Com's admin (Endpoint and Secret) and warns when
the endpoint is not https, which M8Com refuses. Filters have accept-everything
defaults, so pressing Submit twice is a complete setup.
"""

from __future__ import annotations

import secrets
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry, ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_NAME, CONF_WEBHOOK_ID
from homeassistant.core import callback
from homeassistant.helpers.selector import BooleanSelector, TextSelector
from homeassistant.util import slugify
import voluptuous as vol

from .compat import schema
from .const import (
    CONF_CLOUDHOOK,
    CONF_MEDIA_SUBDIR,
    CONF_NEW_WEBHOOK_URL,
    CONF_SECRET,
    DEFAULT_NAME,
    DOMAIN,
    MEDIA_SUBDIR,
    MIN_SECRET_LENGTH,
)
from .endpoint import async_delete_cloudhook, async_endpoint_url
from .options import clean, filters_schema
from .options_flow import M8ComOptionsFlow
from .routing import async_routes, retained, retire, webhook_ids


def validate_secret(user_input: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    """Return the secret to use (blank generates one) or the form errors."""
    secret = str(user_input.get(CONF_SECRET) or "").strip()
    if not secret:
        return secrets.token_urlsafe(32), {}
    if not all(_PRINTABLE_ASCII[0] <= ord(c) <= _PRINTABLE_ASCII[1] for c in secret):
        # What M8Com sends in the header can never match, e.g., an "ö".
        return None, {CONF_SECRET: "secret_not_ascii"}
    if len(secret) < MIN_SECRET_LENGTH:
        return None, {CONF_SECRET: "secret_too_short"}
    return secret, {}


_PRINTABLE_ASCII = (0x21, 0x7E)
"""``!`` to ``~``: printable ASCII without the space, as an HTTP token allows."""


def paste_placeholders(url: str, secret: str) -> tuple[str, dict[str, str]]:
    """The translation key and values of a "paste this into M8Com" message."""
    description = "default" if url.startswith("https://") else "not_https"
    return description, {"webhook_url": url, "secret": secret}


def _secret_field(typed: dict[str, Any]) -> Any:
    return vol.Optional(
        CONF_SECRET, description={"suggested_value": typed.get(CONF_SECRET)}
    )


def user_schema(user_input: dict[str, Any] | None) -> Any:
    """Name and secret, keeping what the user typed when the form comes back."""
    typed = user_input or {}
    name = str(typed.get(CONF_NAME) or DEFAULT_NAME)
    return schema(
        {
            vol.Required(CONF_NAME, default=name): TextSelector(),
            _secret_field(typed): TextSelector(),
        }
    )


def reconfigure_schema(user_input: dict[str, Any] | None) -> Any:
    """A new secret (blank generates one) and whether to replace the URL."""
    typed = user_input or {}
    return schema(
        {
            _secret_field(typed): TextSelector(),
            vol.Optional(CONF_NEW_WEBHOOK_URL, default=False): BooleanSelector(),
        }
    )


class M8ComConfigFlow(ConfigFlow, domain=DOMAIN):
    """One flow per M8Com account; several accounts may coexist."""

    VERSION = 1
    MINOR_VERSION = 2

    def __init__(self) -> None:
        """Hold the first step's answers until the filters are chosen."""
        self._name = DEFAULT_NAME
        self._secret = ""

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> M8ComOptionsFlow:  # noqa: ARG004
        """Filters, size cap and retention, changeable at any time."""
        return M8ComOptionsFlow()

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a name and an optional secret."""
        errors: dict[str, str] = {}
        if user_input is not None:
            secret, errors = validate_secret(user_input)
            if secret is not None:
                self._name = str(user_input.get(CONF_NAME) or DEFAULT_NAME)
                self._secret = secret
                return await self.async_step_filters()
        return self.async_show_form(
            step_id="user", data_schema=user_schema(user_input), errors=errors
        )

    async def async_step_filters(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Which calls to keep; the defaults keep all. Then show what to paste."""
        if user_input is None:
            return self.async_show_form(
                step_id="filters", data_schema=filters_schema({}, [])
            )
        webhook_id = webhook.async_generate_id()
        url, cloudhook = await async_endpoint_url(self.hass, webhook_id)
        await self.async_set_unique_id(webhook_id)
        description, placeholders = paste_placeholders(url, self._secret)
        return self.async_create_entry(
            title=self._name,
            data={
                CONF_WEBHOOK_ID: webhook_id,
                CONF_SECRET: self._secret,
                CONF_CLOUDHOOK: cloudhook,
                CONF_MEDIA_SUBDIR: self._media_subdir(),
            },
            options=clean(user_input),
            description=description,
            description_placeholders=placeholders,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Rotate a leaked secret and, if asked, the webhook URL too."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            secret, errors = validate_secret(user_input)
            if secret is not None:
                data = {**entry.data, CONF_SECRET: secret}
                if user_input.get(CONF_NEW_WEBHOOK_URL):
                    data = retire(data, webhook.async_generate_id())
                    # A retired id keeps its cloudhook, so M8Com still posting
                    # there gets the 410 and the repair; only ids no longer
                    # kept (beyond the last few) lose theirs.
                    for dropped in webhook_ids(entry) - retained(data):
                        await async_delete_cloudhook(self.hass, dropped)
                url, data[CONF_CLOUDHOOK] = await async_endpoint_url(
                    self.hass, data[CONF_WEBHOOK_ID]
                )
                self.hass.config_entries.async_update_entry(
                    entry, data=data, unique_id=data[CONF_WEBHOOK_ID]
                )
                # The new URL answers (503 until reloaded) and the old one
                # answers 410 from now on: no delivery falls into a gap.
                async_routes(self.hass).async_sync(entry)
                await self.hass.config_entries.async_reload(entry.entry_id)
                _, placeholders = paste_placeholders(url, secret)
                return self.async_abort(
                    reason="reconfigure_successful",
                    description_placeholders=placeholders,
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=reconfigure_schema(user_input),
            errors=errors,
        )

    def _media_subdir(self) -> str:
        """``m8com`` for the first account, ``m8com-<name>`` for further ones."""
        taken = {
            entry.data.get(CONF_MEDIA_SUBDIR, MEDIA_SUBDIR)
            for entry in self._async_current_entries(include_ignore=False)
        }
        if MEDIA_SUBDIR not in taken:
            return MEDIA_SUBDIR
        base = f"{MEDIA_SUBDIR}-{slugify(self._name, separator='-') or 'account'}"
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        return candidate
