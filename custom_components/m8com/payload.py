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
from typing import Annotated, Any, Final

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
)
from pydantic.alias_generators import to_camel

from .const import MAX_NAME_CHARS, MAX_SUMMARY_CHARS, MAX_URLS_PER_CALL, Direction

SECONDS_THRESHOLD: Final = 10**11
"""Epoch values below this are seconds; above it, milliseconds (year 5138)."""

MAX_CALL_ID: Final = 2**53 - 1
"""The largest id every JSON implementation keeps exactly (and orjson writes)."""
_ID_ERROR: Final = "id must be a whole number from 0 to 2^53 - 1"


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
    """A whole number from 0 to 2^53 - 1, never rounded through ``float``.

    M8Com documents the id as a number; JSON numbers beyond 2^53 cannot be told
    apart by most senders, and a float beyond it has already lost digits
    (9007199254740993.0 *is* ...992), so both are refused instead of kept
    under another call's id. Digit strings are accepted, parsed as integers.
    """
    number: int
    if isinstance(value, bool):
        raise ValueError(_ID_ERROR)  # noqa: TRY004 - pydantic expects ValueError
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer() and abs(value) < 2.0**53:
        number = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        digits = value.strip()
        if len(digits) > len(str(MAX_CALL_ID)):
            raise ValueError(_ID_ERROR)
        number = int(digits)
    else:
        raise ValueError(_ID_ERROR)
    if not 0 <= number <= MAX_CALL_ID:
        raise ValueError(_ID_ERROR)
    return number


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


class CallPayload(BaseModel):
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
    _more_urls: int = PrivateAttr(default=0)

    @property
    def more_urls(self) -> int:
        """Links beyond MAX_URLS_PER_CALL, cut before validation (never fetched)."""
        return self._more_urls

    @property
    def direction_kind(self) -> Direction:
        """Normalise M8Com's free-text direction for event types and filters."""
        value = (self.direction or "").lower()
        if value.startswith("in"):
            return "inbound"
        if value.startswith("out"):
            return "outbound"
        return "unknown"


class InvalidCallIdError(ValueError):
    """The one defect that makes a delivery unusable: no valid ``id``."""


def lenient_validate(
    data: dict[str, Any],
) -> tuple[CallPayload, list[str], list[str]]:
    """Validate a call, dropping any optional field that fails; name the dropped.

    M8Com resends an identical payload after every non-200 answer and then
    disables the integration, so one odd optional field must not cost the
    whole call (and every later one). A field that fails is treated as absent
    (one bad element of ``fileUrls`` drops that element only); only a missing
    or invalid ``id`` raises, as ``InvalidCallIdError``. Returns the call, the
    fields dropped and the text fields cut to their cap: the payload's own
    keys, never values.

    The work is linear in the body: ``fileUrls`` is cut to MAX_URLS_PER_CALL
    before anything is validated (the rest are counted, never fetched), a
    pass removes every failing element at once, and text fields are cut to
    their caps, so a hostile body cannot make validation quadratic or a
    megabyte summary reach the entities.
    """
    data, more_urls = _cut_urls(dict(data))
    cut = _cut_texts(data)
    dropped: list[str] = []
    for _ in range(_MAX_PASSES):
        try:
            call = CallPayload.model_validate(data)
        except ValidationError as err:
            locs = [error["loc"] for error in err.errors()]
        else:
            call._more_urls = more_urls  # noqa: SLF001 - set once, by its module
            return call, dropped, cut
        if not locs or any(not loc or loc[0] in _ID_KEYS for loc in locs):
            raise InvalidCallIdError(_ID_ERROR)
        _drop(data, locs, dropped)
    # Cannot happen (each pass removes what failed), but never lose the call.
    return CallPayload.model_validate({"id": data.get("id")}), dropped, cut


def _drop(
    data: dict[str, Any], locs: list[tuple[int | str, ...]], dropped: list[str]
) -> None:
    """Remove every failing field, or failing list element, in one pass."""
    bad: dict[str, set[int]] = {}
    for loc in locs:
        key = str(loc[0])
        if key not in dropped:
            dropped.append(key)
        value = data.get(key)
        if len(loc) > 1 and isinstance(value, list) and isinstance(loc[1], int):
            bad.setdefault(key, set()).add(loc[1])
        else:
            data.pop(key, None)
    for key, indexes in bad.items():
        if isinstance(value := data.get(key), list):
            data[key] = [v for i, v in enumerate(value) if i not in indexes]


def _cut_urls(data: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """``fileUrls`` cut to MAX_URLS_PER_CALL elements; how many were cut."""
    more = 0
    for key in _URL_KEYS:
        if isinstance(value := data.get(key), list) and len(value) > MAX_URLS_PER_CALL:
            more += len(value) - MAX_URLS_PER_CALL
            data[key] = value[:MAX_URLS_PER_CALL]
    return data, more


def _cut_texts(data: dict[str, Any]) -> list[str]:
    """Cut over-long text fields to their cap in place; the keys cut."""
    cut = []
    for key, value in data.items():
        if not isinstance(value, str):
            continue
        limit = MAX_SUMMARY_CHARS if key == "summary" else MAX_NAME_CHARS
        if key not in _URL_KEYS and len(value) > limit:
            data[key] = value[:limit]
            cut.append(key)
    return cut


_MAX_PASSES: Final = 4
_ID_KEYS: Final = frozenset({"id"})
_URL_KEYS: Final = ("fileUrls", "file_urls")
