"""Repair issues: what a user must know or fix, raised and cleared by themselves.

- not https: M8Com refuses such endpoints and its admin does not say why
  deliveries never arrive;
- lost recordings: calls whose links expired before the audio was stored
  (e.g. HA was down for more than 30 minutes);
- disk errors: recordings that could not be written (disk full, permissions).
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .recordings import RecordingIndex

EXPIRED = "recording link expired before it could be downloaded"
MAX_LISTED = 20


def _not_https_id(entry: ConfigEntry) -> str:
    return f"not_https_{entry.entry_id}"


def _raise(
    hass: HomeAssistant,
    key: str,
    entry: ConfigEntry,
    severity: ir.IssueSeverity,
    **placeholders: str,
) -> None:
    """One issue per account and kind (``<key>_<entry_id>``), naming the account."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"{key}_{entry.entry_id}",
        is_fixable=False,
        is_persistent=False,
        severity=severity,
        translation_key=key,
        translation_placeholders={"name": entry.title, **placeholders},
    )


@callback
def async_check_https(hass: HomeAssistant, entry: ConfigEntry, url: str) -> None:
    """Raise or clear the not-https issue for this account's URL."""
    if url.startswith("https://"):
        ir.async_delete_issue(hass, DOMAIN, _not_https_id(entry))
        return
    _raise(hass, "not_https", entry, ir.IssueSeverity.WARNING, webhook_url=url)


@callback
def async_report_lost(
    hass: HomeAssistant, entry: ConfigEntry, index: RecordingIndex
) -> None:
    """List calls whose recording was lost to expiry, or clear the issue."""
    issue_id = f"lost_recordings_{entry.entry_id}"
    lost = sorted(
        (r for r in index.calls.values() if r.error == EXPIRED),
        key=lambda r: r.started,
        reverse=True,
    )
    if not lost:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    lines = [
        f"- {r.call_id}: {dt_util.as_local(r.started):%Y-%m-%d %H:%M}, "
        f"{r.caller_number or '?'} → {r.callee_number or '?'}"
        for r in lost[:MAX_LISTED]
    ]
    if len(lost) > MAX_LISTED:
        lines.append(f"- … +{len(lost) - MAX_LISTED}")
    _raise(
        hass,
        "lost_recordings",
        entry,
        ir.IssueSeverity.ERROR,
        count=str(len(lost)),
        calls="\n".join(lines),
    )


@callback
def async_report_disk(
    hass: HomeAssistant, entry: ConfigEntry, error: str | None, *, files_written: bool
) -> None:
    """Raise an issue on a write error; clear it once a recording is stored again."""
    issue_id = f"disk_error_{entry.entry_id}"
    if error is None:
        if files_written:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    _raise(hass, "disk_error", entry, ir.IssueSeverity.ERROR, error=error)


@callback
def async_clear_issues(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Forget the account's issues when it is removed."""
    for issue_id in (
        _not_https_id(entry),
        f"lost_recordings_{entry.entry_id}",
        f"disk_error_{entry.entry_id}",
    ):
        ir.async_delete_issue(hass, DOMAIN, issue_id)
