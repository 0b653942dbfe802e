"""Repair issues: problems a user must fix outside this integration.

M8Com refuses endpoints that are not https, and nothing in M8Com's admin says
why deliveries never arrive, so a plain-http endpoint is raised as a repair
issue in HA and cleared by itself once an https URL or a cloudhook exists.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN


def _not_https_id(entry: ConfigEntry) -> str:
    return f"not_https_{entry.entry_id}"


@callback
def async_check_https(hass: HomeAssistant, entry: ConfigEntry, url: str) -> None:
    """Raise or clear the not-https issue for this account's URL."""
    if url.startswith("https://"):
        ir.async_delete_issue(hass, DOMAIN, _not_https_id(entry))
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        _not_https_id(entry),
        is_fixable=False,
        is_persistent=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="not_https",
        translation_placeholders={"name": entry.title, "webhook_url": url},
    )


@callback
def async_clear_issues(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Forget the account's issues when it is removed."""
    ir.async_delete_issue(hass, DOMAIN, _not_https_id(entry))
