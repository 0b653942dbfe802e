"""Repair issues: what a user must know or fix, raised and cleared by themselves.

- not https: M8Com refuses such endpoints and its admin does not say why
  deliveries never arrive;
- lost recordings: calls whose links expired before the audio was stored
  (e.g. HA was down for more than 30 minutes);
- disk errors: recordings that could not be written (disk full, permissions);
- set-up failed: deliveries are answered 503 until the account loads;
- retired URL: M8Com still posts to a URL that Reconfigure replaced;
- orphan recordings: audio files no call points to (found at start-up);
- transcriber missing: the entity chosen to transcribe calls is gone;
- store damaged: the call store could not be read and was set aside;
- ffmpeg missing: HA's ffmpeg, which decodes calls for speech-to-text, does
  not start;
- phone book unusable: the phone book file cannot be used (the last good
  copy names calls meanwhile).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, get_args

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import DOMAIN

if TYPE_CHECKING:
    from .call import Call

MAX_LISTED = 20


IssueKind = Literal[
    "not_https",
    "lost_recordings",
    "disk_error",
    "setup_failed",
    "retired_url",
    "orphan_recordings",
    "wrong_secret",
    "no_deliveries",
    "transcriber_missing",
    "store_damaged",
    "ffmpeg_missing",
    "phone_book_unusable",
]


def issue_id(kind: IssueKind, entry_id: str) -> str:
    """One issue per account and kind: ``<kind>_<entry_id>``."""
    return f"{kind}_{entry_id}"


def _raise(
    hass: HomeAssistant,
    key: IssueKind,
    entry: ConfigEntry,
    severity: ir.IssueSeverity,
    **placeholders: str,
) -> None:
    """One issue per account and kind (``<key>_<entry_id>``), naming the account."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(key, entry.entry_id),
        is_fixable=False,
        is_persistent=False,
        severity=severity,
        translation_key=key,
        translation_placeholders={"name": entry.title, **placeholders},
    )


def _clear(hass: HomeAssistant, key: IssueKind, entry: ConfigEntry) -> None:
    """The issue of this kind for the account is over (no-op if none)."""
    ir.async_delete_issue(hass, DOMAIN, issue_id(key, entry.entry_id))


@callback
def async_check_https(hass: HomeAssistant, entry: ConfigEntry, url: str) -> None:
    """Raise or clear the not-https issue for this account's URL."""
    if url.startswith("https://"):
        _clear(hass, "not_https", entry)
        return
    _raise(hass, "not_https", entry, ir.IssueSeverity.WARNING, webhook_url=url)


@callback
def async_report_lost(
    hass: HomeAssistant, entry: ConfigEntry, lost: list[Call]
) -> None:
    """List calls whose recording was lost to expiry (newest first), or clear."""
    if not lost:
        _clear(hass, "lost_recordings", entry)
        return
    lines = [
        f"{r.call_id}: {dt_util.as_local(r.started):%Y-%m-%d %H:%M}, "
        f"{r.caller_number or '?'} → {r.callee_number or '?'}"
        for r in lost
    ]
    _raise(
        hass,
        "lost_recordings",
        entry,
        ir.IssueSeverity.ERROR,
        count=str(len(lost)),
        calls=_bullets(lines),
    )


@callback
def async_report_store_damaged(hass: HomeAssistant, entry_id: str, aside: str) -> None:
    """The call store could not be read: where the damaged file went."""
    if (entry := hass.config_entries.async_get_entry(entry_id)) is not None:
        _raise(hass, "store_damaged", entry, ir.IssueSeverity.ERROR, file=aside)


@callback
def async_report_disk(
    hass: HomeAssistant, entry: ConfigEntry, error: str | None, *, files_written: bool
) -> None:
    """Raise an issue on a write error; clear it once a recording is stored again."""
    if error is None:
        if files_written:
            _clear(hass, "disk_error", entry)
        return
    _raise(hass, "disk_error", entry, ir.IssueSeverity.ERROR, error=error)


@callback
def async_report_setup_failed(
    hass: HomeAssistant, entry: ConfigEntry, error: BaseException | None
) -> None:
    """Say that deliveries are refused (503) because set-up failed; None clears."""
    if error is None:
        _clear(hass, "setup_failed", entry)
        return
    reason = str(error) or type(error).__name__
    _raise(hass, "setup_failed", entry, ir.IssueSeverity.ERROR, error=reason)


@callback
def async_report_retired_url(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """M8Com posts to a URL that was replaced; its deliveries get 410 Gone."""
    _raise(hass, "retired_url", entry, ir.IssueSeverity.ERROR)


@callback
def async_clear_retired_url(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Deliveries arrive on the current URL again."""
    _clear(hass, "retired_url", entry)


@callback
def async_report_wrong_secret(
    hass: HomeAssistant, entry: ConfigEntry, *, raised: bool
) -> None:
    """M8Com keeps sending another secret: it will disable the integration soon."""
    if not raised:
        _clear(hass, "wrong_secret", entry)
        return
    _raise(hass, "wrong_secret", entry, ir.IssueSeverity.ERROR)


@callback
def async_report_silence(
    hass: HomeAssistant, entry: ConfigEntry, days: int | None
) -> None:
    """No delivery for ``days`` days (None clears): M8Com may have given up."""
    if days is None:
        _clear(hass, "no_deliveries", entry)
        return
    _raise(hass, "no_deliveries", entry, ir.IssueSeverity.WARNING, days=str(days))


@callback
def async_report_orphans(
    hass: HomeAssistant, entry: ConfigEntry, files: list[str]
) -> None:
    """Audio files in the account's folder that no call points to; [] clears."""
    if not files:
        _clear(hass, "orphan_recordings", entry)
        return
    _raise(
        hass,
        "orphan_recordings",
        entry,
        ir.IssueSeverity.WARNING,
        count=str(len(files)),
        files=_bullets([f"`{name}`" for name in sorted(files)]),
    )


def _bullets(lines: list[str]) -> str:
    """A Markdown list of at most MAX_LISTED lines, then how many more."""
    shown = [f"- {line}" for line in lines[:MAX_LISTED]]
    if len(lines) > MAX_LISTED:
        shown.append(f"- … +{len(lines) - MAX_LISTED}")
    return "\n".join(shown)


@callback
def async_clear_issues(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Forget the account's issues when it is removed."""
    for kind in get_args(IssueKind):
        _clear(hass, kind, entry)


@callback
def async_report_transcriber_missing(
    hass: HomeAssistant, entry: ConfigEntry, entity_id: str | None
) -> None:
    """The chosen ``stt``/``ai_task`` entity is gone (None: it answered again)."""
    if entity_id is None:
        _clear(hass, "transcriber_missing", entry)
        return
    _raise(
        hass,
        "transcriber_missing",
        entry,
        ir.IssueSeverity.WARNING,
        entity_id=entity_id,
    )


@callback
def async_report_ffmpeg_missing(
    hass: HomeAssistant, entry: ConfigEntry, error: str | None
) -> None:
    """HA's ffmpeg does not start (None: a call was transcribed again)."""
    if error is None:
        _clear(hass, "ffmpeg_missing", entry)
        return
    _raise(hass, "ffmpeg_missing", entry, ir.IssueSeverity.WARNING, error=error)


@callback
def async_report_phone_book(
    hass: HomeAssistant, entry: ConfigEntry, problem: str | None
) -> None:
    """Raise an issue while the phone book file is unusable; clear it after."""
    if problem is None:
        _clear(hass, "phone_book_unusable", entry)
        return
    _raise(hass, "phone_book_unusable", entry, ir.IssueSeverity.WARNING, error=problem)
