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

Every issue is defined once in ``SEVERITY`` (its id, translation key and
severity derive from the kind); each ``async_report_*`` only turns its
caller's news into placeholders, or None to clear, for ``_report``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final, Literal

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

_ERROR = ir.IssueSeverity.ERROR
_WARNING = ir.IssueSeverity.WARNING

# Calls stop arriving or are lost: error. The account works on: warning.
SEVERITY: Final[Mapping[IssueKind, ir.IssueSeverity]] = {
    "not_https": _WARNING,
    "lost_recordings": _ERROR,
    "disk_error": _ERROR,
    "setup_failed": _ERROR,
    "retired_url": _ERROR,
    "orphan_recordings": _WARNING,
    "wrong_secret": _ERROR,
    "no_deliveries": _WARNING,
    "transcriber_missing": _WARNING,
    "store_damaged": _ERROR,
    "ffmpeg_missing": _WARNING,
    "phone_book_unusable": _WARNING,
}


def issue_id(kind: IssueKind, entry_id: str) -> str:
    """One issue per account and kind: ``<kind>_<entry_id>``."""
    return f"{kind}_{entry_id}"


def _report(
    hass: HomeAssistant,
    kind: IssueKind,
    entry: ConfigEntry,
    placeholders: Mapping[str, str] | None,
) -> None:
    """Raise the account's issue of this kind with ``placeholders``; None clears.

    The translation key is the kind; every issue names the account
    (``{name}``). None of them is fixable from the repairs dialog, and none
    survives a restart: whatever raised it checks again on start-up.
    """
    key = issue_id(kind, entry.entry_id)
    if placeholders is None:
        ir.async_delete_issue(hass, DOMAIN, key)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        key,
        is_fixable=False,
        is_persistent=False,
        severity=SEVERITY[kind],
        translation_key=kind,
        translation_placeholders={"name": entry.title, **placeholders},
    )


@callback
def async_check_https(hass: HomeAssistant, entry: ConfigEntry, url: str) -> None:
    """Raise or clear the not-https issue for this account's URL."""
    https = url.startswith("https://")
    _report(hass, "not_https", entry, None if https else {"webhook_url": url})


@callback
def async_report_lost(
    hass: HomeAssistant, entry: ConfigEntry, lost: list[Call]
) -> None:
    """List calls whose recording was lost to expiry (newest first), or clear."""
    lines = [
        f"{r.call_id}: {dt_util.as_local(r.started):%Y-%m-%d %H:%M}, "
        f"{r.caller_number or '?'} → {r.callee_number or '?'}"
        for r in lost
    ]
    _report(hass, "lost_recordings", entry, _listed("calls", lines))


@callback
def async_report_store_damaged(hass: HomeAssistant, entry_id: str, aside: str) -> None:
    """The call store could not be read: where the damaged file went."""
    if (entry := hass.config_entries.async_get_entry(entry_id)) is not None:
        _report(hass, "store_damaged", entry, {"file": aside})


@callback
def async_report_disk(
    hass: HomeAssistant, entry: ConfigEntry, error: str | None, *, files_written: bool
) -> None:
    """Raise an issue on a write error; clear it once a recording is stored again."""
    if error is not None or files_written:
        _report(hass, "disk_error", entry, _error(error))


@callback
def async_report_setup_failed(
    hass: HomeAssistant, entry: ConfigEntry, error: BaseException | None
) -> None:
    """Say that deliveries are refused (503) because set-up failed; None clears."""
    reason = None if error is None else (str(error) or type(error).__name__)
    _report(hass, "setup_failed", entry, _error(reason))


@callback
def async_report_retired_url(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """M8Com posts to a URL that was replaced; its deliveries get 410 Gone."""
    _report(hass, "retired_url", entry, {})


@callback
def async_clear_retired_url(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Deliveries arrive on the current URL again."""
    _report(hass, "retired_url", entry, None)


@callback
def async_report_wrong_secret(
    hass: HomeAssistant, entry: ConfigEntry, *, raised: bool
) -> None:
    """M8Com keeps sending another secret: it will disable the integration soon."""
    _report(hass, "wrong_secret", entry, {} if raised else None)


@callback
def async_report_silence(
    hass: HomeAssistant, entry: ConfigEntry, days: int | None
) -> None:
    """No delivery for ``days`` days (None clears): M8Com may have given up."""
    _report(hass, "no_deliveries", entry, None if days is None else {"days": str(days)})


@callback
def async_report_orphans(
    hass: HomeAssistant, entry: ConfigEntry, files: list[str]
) -> None:
    """Audio files in the account's folder that no call points to; [] clears."""
    names = [f"`{name}`" for name in sorted(files)]
    _report(hass, "orphan_recordings", entry, _listed("files", names))


@callback
def async_report_transcriber_missing(
    hass: HomeAssistant, entry: ConfigEntry, entity_id: str | None
) -> None:
    """The chosen ``stt``/``ai_task`` entity is gone (None: it answered again)."""
    gone = None if entity_id is None else {"entity_id": entity_id}
    _report(hass, "transcriber_missing", entry, gone)


@callback
def async_report_ffmpeg_missing(
    hass: HomeAssistant, entry: ConfigEntry, error: str | None
) -> None:
    """HA's ffmpeg does not start (None: a call was transcribed again)."""
    _report(hass, "ffmpeg_missing", entry, _error(error))


@callback
def async_report_phone_book(
    hass: HomeAssistant, entry: ConfigEntry, problem: str | None
) -> None:
    """Raise an issue while the phone book file is unusable; clear it after."""
    _report(hass, "phone_book_unusable", entry, _error(problem))


@callback
def async_clear_issues(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Forget the account's issues when it is removed."""
    for kind in SEVERITY:
        _report(hass, kind, entry, None)


def _error(error: str | None) -> dict[str, str] | None:
    """The ``{error}`` placeholder most issues show, or None to clear."""
    return None if error is None else {"error": error}


def _listed(placeholder: str, lines: list[str]) -> dict[str, str] | None:
    """``{count}`` and the lines as Markdown bullets; nothing listed clears."""
    if not lines:
        return None
    return {"count": str(len(lines)), placeholder: _bullets(lines)}


def _bullets(lines: list[str]) -> str:
    """A Markdown list of at most MAX_LISTED lines, then how many more."""
    shown = [f"- {line}" for line in lines[:MAX_LISTED]]
    if len(lines) > MAX_LISTED:
        shown.append(f"- … +{len(lines) - MAX_LISTED}")
    return "\n".join(shown)
