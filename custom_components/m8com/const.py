"""Constants shared by the M8Com integration's modules."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final, Literal, get_args

DOMAIN: Final = "m8com"
LOGGER = logging.getLogger(__package__)

DEFAULT_NAME: Final = "M8Com"
RECORDINGS_LIMIT_MAX: Final = 10_000
"""The most calls ``get_recordings`` returns at once (its ``limit``; services.yaml)."""
CONF_SECRET: Final = "secret"  # noqa: S105 - a config key, not a secret
CONF_CLOUDHOOK: Final = "cloudhook"
CONF_RETIRED_WEBHOOK_IDS: Final = "retired_webhook_ids"
MAX_RETIRED_WEBHOOK_IDS: Final = 3
"""Replaced URLs that keep answering 410 Gone, newest first."""
MIN_SECRET_LENGTH: Final = 16
DIRECT_PATH: Final = f"/api/{DOMAIN}/{{webhook_id}}"
"""The integration's own delivery URL path (an HTTP view): HA answers 404 there
until this integration has registered it, never the webhook component's 200."""

EVENT_CALL_RECORDING: Final = "m8com_call_recording"
CALLS_KEY: Final = "recordings_today"
"""The calls sensor's key (0.1.0's name, kept so its history stays)."""
EVENT_RECORDING_SAVED: Final = "m8com_recording_saved"

MAX_BODY_BYTES: Final = 1024 * 1024
"""M8Com sends one small JSON object; anything larger is not a call."""
REJECTION_REPORT_SECONDS: Final = 60
"""Wrong secrets: at most one warning and one state write per this period."""
BODY_READ_SECONDS: Final = 30
"""An authenticated body must arrive within this; a trickle is answered 408."""

URL_LIFETIME: Final = timedelta(minutes=30)
"""M8Com's fileUrls expire 30 minutes after the call."""

MAX_URLS_PER_CALL: Final = 10
"""Recording links fetched per call; the rest are cut before validation."""
MAX_SUMMARY_CHARS: Final = 4000
"""A summary longer than this is cut (with a warning): it is shown on entities."""
MAX_NAME_CHARS: Final = 500
"""Any other text field (names, numbers, ids) is cut to this."""

MAX_RECORDING_MB: Final = 500
MAX_PARALLEL_DOWNLOADS: Final = 3
RETRY_FIRST_DELAY: Final = 1.0
RETRY_MAX_DELAY: Final = 60.0
WRITE_BLOCK_BYTES: Final = 4 * 1024 * 1024
"""Chunks are batched to this size before one executor write, so a large
download costs a few hundred executor round-trips, not one per network chunk."""
DOWNLOAD_BASE_SECONDS: Final = 120.0
DOWNLOAD_MIN_BYTES_PER_SECOND: Final = 256 * 1024
"""One download attempt may take the base time plus the size limit at this rate
(a 100 MB limit: about 9 minutes), so a trickling server cannot hold one of the
few download slots for the link's whole 30 minutes."""
DOWNLOAD_READ_TIMEOUT: Final = 60.0
"""No byte from the file server for this long fails the attempt."""
MIN_FREE_DISK_MB: Final = 500
"""Below this much free space on the media disk, downloads are refused (with the
disk repair), so recordings never fill the disk Home Assistant runs from."""

MEDIA_SUBDIR: Final = "m8com"

CONTENT_TYPE_EXTENSIONS: Final = {
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/wave": "wav",
    "audio/ogg": "ogg",
    "audio/mp4": "m4a",
    "audio/x-m4a": "m4a",
}


def signal_new_call(entry_id: str) -> str:
    """One dispatcher signal per entry, so accounts never see each other's calls."""
    return f"{DOMAIN}_{entry_id}_call"


def signal_delivery(entry_id: str) -> str:
    """A delivery of this entry was answered (health entities)."""
    return f"{DOMAIN}_{entry_id}_delivery"


def signal_updated(entry_id: str) -> str:
    """A kept call of this entry changed later (its transcript arrived)."""
    return f"{DOMAIN}_{entry_id}_updated"


def signal_erased(entry_id: str) -> str:
    """Calls of this entry were erased: entities showing them must refresh."""
    return f"{DOMAIN}_{entry_id}_erased"


CONF_ANSWER_GROUPS: Final = "answer_groups"
CONF_USERS: Final = "users"
CONF_DIRECTIONS: Final = "directions"
CONF_INCLUDE_PERSONAL: Final = "include_personal"
CONF_DOWNLOAD_AUDIO: Final = "download_audio"
CONF_MAX_RECORDING_MB: Final = "max_recording_mb"
CONF_RETENTION_DAYS: Final = "retention_days"
CONF_EXPECT_CALLS_DAYS: Final = "expect_calls_within_days"
CONF_PHONE_BOOK: Final = "phone_book"
CONF_PHONE_BOOK_FILE: Final = "phone_book_file"
CONF_TRANSCRIBE_WITH: Final = "transcribe_with"
CONF_TRANSCRIBE_LANGUAGE: Final = "transcribe_language"
CONF_SUMMARISE_ANYWAY: Final = "summarise_when_m8com_did"
EVENT_CALL_TRANSCRIBED: Final = "m8com_call_transcribed"
CONF_NEW_WEBHOOK_URL: Final = "new_webhook_url"
CONF_MEDIA_SUBDIR: Final = "media_subdir"
CONF_SHOW_DETAILS: Final = "show_call_details"
"""Every user may read numbers, names and summaries on entities and logbook."""

Direction = Literal["inbound", "outbound", "unknown"]
"""A call's direction, normalised from M8Com's free text (one definition)."""
DIRECTIONS: Final[tuple[Direction, ...]] = get_args(Direction)
KNOWN_DIRECTIONS: Final = [d for d in DIRECTIONS if d != "unknown"]
"""What the direction filter offers; "unknown" calls pass when both are on."""

Status = Literal["pending", "saved", "failed", "lost", "filtered"]
"""A call's fate: audio pending, saved, failed, lost to expired links, or the
call fell outside the account's filters (kept only to recognise resends)."""

Transcription = Literal["pending", "done", "failed"]
"""Where a call's transcript stands (None: not asked for)."""

CONF_CALLBACK_WHEN_AI: Final = "callback_when_ai_says"
CONF_CALLBACK_SHORT_SECONDS: Final = "callback_short_call_seconds"
CONF_CALLBACK_NUMBERS: Final = "callback_numbers"
CONF_CALLBACK_DUE_HOURS: Final = "callback_due_working_hours"
CONF_ASSIST: Final = "assist_answers_about_calls"
WORKDAY_START_HOUR: Final = 8
WORKDAY_END_HOUR: Final = 17
"""Working hours (Monday-Friday, HA's time zone) a callback's due time counts."""
ASSIST_MAX_CALLS: Final = 3
"""Assist never reads out more calls than this."""

Callback = Literal["open", "done", "deleted"]
"""A call's place on the callback list (None: not on it)."""


def signal_callbacks(entry_id: str) -> str:
    """The callback list of this entry changed: the to-do entity refreshes."""
    return f"{DOMAIN}_{entry_id}_callbacks"
