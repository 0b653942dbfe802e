"""M8Com call-recording payload, data model V2, as a pure pydantic model.

This module imports nothing from Home Assistant so that the contract with
M8Com can be read, tested and fuzzed on its own. The model is lenient where
the provider may legitimately vary (unknown fields, V1 payloads without
``summary``/``userId``, numbers sent as strings, nulls) and strict where a
wrong value would corrupt the record (a missing or non-integer ``id``, a
timestamp or duration that is not a finite number).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import math
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

SECONDS_THRESHOLD: Final = 10**11
"""Epoch values below this are seconds; above it, milliseconds (year 5138)."""

Direction = Literal["inbound", "outbound", "unknown"]


def _finite_number(value: Any) -> float:
    """Accept ints, floats and numeric strings, but never bools, NaN or inf."""
    if isinstance(value, bool):
        msg = "a boolean is not a number"
        raise ValueError(msg)  # noqa: TRY004 - pydantic expects ValueError
    if isinstance(value, str):
        value = float(value.strip())
    if not isinstance(value, int | float):
        msg = "not a number"
        raise ValueError(msg)  # noqa: TRY004 - pydantic expects ValueError
    number = float(value)
    if not math.isfinite(number):
        msg = "not a finite number"
        raise ValueError(msg)
    return number


def _call_id(value: Any) -> int:
    """An id must be a whole number; M8Com documents it as a number."""
    number = _finite_number(value)
    if not number.is_integer() or number < 0:
        msg = "id must be a non-negative whole number"
        raise ValueError(msg)
    return int(number)


def _timestamp(value: Any) -> datetime | None:
    """Epoch milliseconds (or seconds, below 10^11) to an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str) and not _looks_numeric(value):
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    number = _finite_number(value)
    seconds = number if abs(number) < SECONDS_THRESHOLD else number / 1000
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError) as err:
        msg = "timestamp out of range"
        raise ValueError(msg) from err


def _duration(value: Any) -> timedelta | None:
    """Milliseconds to a timedelta; a negative duration is a sender bug."""
    if value is None:
        return None
    number = _finite_number(value)
    if number < 0 or number > 10**12:
        msg = "duration out of range"
        raise ValueError(msg)
    return timedelta(milliseconds=number)


def _looks_numeric(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _url_list(value: Any) -> Any:
    """``fileUrls`` may arrive as null or, leniently, as one bare string."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return value


CallId = Annotated[int, BeforeValidator(_call_id)]
Timestamp = Annotated[datetime | None, BeforeValidator(_timestamp)]
Duration = Annotated[timedelta | None, BeforeValidator(_duration)]


class CallRecording(BaseModel):
    """One call log with recordings, as M8Com POSTs it.

    Only ``id`` is required: a call with other fields missing is still a
    call worth keeping, while one without an id cannot be deduplicated.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
        coerce_numbers_to_str=True,
        str_strip_whitespace=True,
    )

    id: CallId
    # Bearer links and phone numbers stay out of repr(), and so out of any
    # traceback or log line that happens to quote a payload.
    file_urls: Annotated[list[str], BeforeValidator(_url_list)] = Field(
        default_factory=list, repr=False
    )
    caller_number: str | None = Field(default=None, repr=False)
    callee_number: str | None = Field(default=None, repr=False)
    start_time: Timestamp = None
    end_time: Timestamp = None
    wait_time: Duration = None
    talk_time: Duration = None
    agent_id: str | None = None
    agent_name: str | None = None
    answer_group_name: str | None = None
    answer_group_id: str | None = None
    referred_to: str | None = Field(default=None, repr=False)
    referred_by: str | None = Field(default=None, repr=False)
    direction: str | None = None
    recorder_id: str | None = None
    summary: str | None = None
    user_id: str | None = None

    @property
    def direction_kind(self) -> Direction:
        """Normalise M8Com's free-text direction for event types and filters."""
        value = (self.direction or "").lower()
        if value.startswith("in"):
            return "inbound"
        if value.startswith("out"):
            return "outbound"
        return "unknown"
