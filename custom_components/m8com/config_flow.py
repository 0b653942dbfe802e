"""Set up an M8Com account with nothing to read: name, optional secret, done.

The result page is the only documentation most users will see, so it carries
the two values to paste into M8Com's admin (Endpoint and Secret) and warns when
the endpoint is not https, which M8Com refuses.
"""

from __future__ import annotations

import secrets
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_NAME, CONF_WEBHOOK_ID
from homeassistant.helpers.selector import TextSelector
import voluptuous as vol

from .const import CONF_CLOUDHOOK, CONF_SECRET, DEFAULT_NAME, DOMAIN, MIN_SECRET_LENGTH
from .endpoint import async_endpoint_url


def validate_secret(user_input: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    """Return the secret to use (blank generates one) or the form errors."""
    secret = str(user_input.get(CONF_SECRET) or "").strip()
    if not secret:
        return secrets.token_urlsafe(32), {}
    if len(secret) < MIN_SECRET_LENGTH:
        return None, {CONF_SECRET: "secret_too_short"}
    return secret, {}


def paste_placeholders(url: str, secret: str) -> tuple[str, dict[str, str]]:
    """The translation key and values of a "paste this into M8Com" message."""
    description = "default" if url.startswith("https://") else "not_https"
    return description, {"webhook_url": url, "secret": secret}


def user_schema(user_input: dict[str, Any] | None) -> Any:
    """Name and secret, keeping what the user typed when the form comes back.

    Compatibility: HA 2026 types flow schemas as ``probatio.Schema`` (and
    installs probatio as ``voluptuous`` at runtime), HA 2025 as
    ``voluptuous.Schema``; the object is the same at runtime, so it is returned
    as ``Any`` for mypy on both. Drop once the oldest HA supported is 2026.x.
    """
    typed = user_input or {}
    return vol.Schema(
        {
            vol.Required(
                CONF_NAME, default=str(typed.get(CONF_NAME) or DEFAULT_NAME)
            ): TextSelector(),
            vol.Optional(
                CONF_SECRET, description={"suggested_value": typed.get(CONF_SECRET)}
            ): TextSelector(),
        }
    )


class M8ComConfigFlow(ConfigFlow, domain=DOMAIN):
    """One flow per M8Com account; several accounts may coexist."""

    VERSION = 1

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a name and an optional secret, then show what to paste."""
        errors: dict[str, str] = {}
        if user_input is not None:
            secret, errors = validate_secret(user_input)
            if secret is not None:
                webhook_id = webhook.async_generate_id()
                url, cloudhook = await async_endpoint_url(self.hass, webhook_id)
                await self.async_set_unique_id(webhook_id)
                description, placeholders = paste_placeholders(url, secret)
                return self.async_create_entry(
                    title=str(user_input.get(CONF_NAME) or DEFAULT_NAME),
                    data={
                        CONF_WEBHOOK_ID: webhook_id,
                        CONF_SECRET: secret,
                        CONF_CLOUDHOOK: cloudhook,
                    },
                    description=description,
                    description_placeholders=placeholders,
                )
        return self.async_show_form(
            step_id="user",
            data_schema=user_schema(user_input),
            errors=errors,
        )
