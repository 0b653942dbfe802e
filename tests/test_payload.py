"""The payload model accepts what M8Com may send and rejects what is not a call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

from pydantic import ValidationError
import pytest

from custom_components.m8com.const import MAX_URLS_PER_CALL
from custom_components.m8com.payload import CallPayload, lenient_validate

from .conftest import load_payload


def test_v2_full_payload() -> None:
    call = CallPayload.model_validate(load_payload("v2"))
    assert call.id == 4711
    assert call.file_urls == [
        "https://recordings.m8com.test/rec/4711.mp3?token=SUPERSECRETTOKEN"
    ]
    assert call.start_time == datetime(2025, 3, 14, 14, 3, 12, tzinfo=UTC)
    assert call.end_time == datetime(2025, 3, 14, 14, 5, 50, tzinfo=UTC)
    assert call.talk_time == timedelta(seconds=158)
    assert call.wait_time == timedelta(seconds=12.5)
    assert call.answer_group_name == "Support"
    assert call.summary is not None
    assert call.user_id == "user-42"
    assert call.direction_kind == "inbound"


def test_v1_payload_without_summary_or_user_id_and_seconds_timestamps() -> None:
    call = CallPayload.model_validate(load_payload("v1"))
    assert call.summary is None
    assert call.user_id is None
    assert call.start_time == datetime(2025, 3, 14, 14, 3, 12, tzinfo=UTC)
    assert call.wait_time is None
    assert call.direction_kind == "outbound"


def test_unknown_fields_are_ignored() -> None:
    call = CallPayload.model_validate(load_payload("extra_fields"))
    assert call.id == 2002
    assert "sentiment" not in call.model_dump()
    assert call.direction_kind == "outbound"
    assert call.wait_time == timedelta(0)


def test_numeric_strings_and_single_url() -> None:
    call = CallPayload.model_validate(load_payload("numeric_strings"))
    assert call.id == 3003
    assert call.caller_number == "46701234567"
    assert call.file_urls == ["https://recordings.m8com.test/rec/3003.ogg"]
    assert call.talk_time == timedelta(milliseconds=8000.5)
    assert call.start_time == datetime(2025, 3, 14, 14, 3, 12, tzinfo=UTC)


def test_all_nulls_still_a_call() -> None:
    call = CallPayload.model_validate(load_payload("nulls"))
    assert call.id == 4004
    assert call.file_urls == []
    assert call.start_time is None
    assert call.talk_time is None
    assert call.direction_kind == "unknown"


def test_iso_timestamps_accepted() -> None:
    call = CallPayload.model_validate(
        {
            "id": 1,
            "startTime": "2025-03-14T14:03:12",
            "endTime": "2025-03-14T15:03:12+01:00",
        }
    )
    assert call.start_time == datetime(2025, 3, 14, 14, 3, 12, tzinfo=UTC)
    assert call.end_time == datetime(2025, 3, 14, 14, 3, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"id": None},
        {"id": "abc"},
        {"id": True},
        {"id": 1.5},
        {"id": -1},
        {"id": [1]},
        {"id": 1, "talkTime": "long"},
        {"id": 1, "talkTime": -5},
        {"id": 1, "waitTime": float("nan")},
        {"id": 1, "startTime": 1e300},
        {"id": 1, "startTime": {"a": 1}},
        {"id": 1, "fileUrls": [1, {"x": 2}]},
        {"id": 1, "callerNumber": ["+46"]},
    ],
)
def test_rejects_what_is_not_a_call(payload: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        CallPayload.model_validate(payload)


def test_repr_hides_links_and_numbers() -> None:
    call = CallPayload.model_validate(load_payload("v2"))
    text = repr(call)
    assert "4711" in text
    assert "SUPERSECRETTOKEN" not in text
    assert "+4670" not in text
    assert "+4681" not in text


def test_file_urls_are_cut_before_validation_and_counted() -> None:
    """200 000 bad elements cost one pass over ten: the rest are only counted."""
    urls: list[Any] = ["https://r.test/a.mp3", *[None] * 200_000]
    call, dropped, cut = lenient_validate({"id": 1, "fileUrls": urls})
    assert call.file_urls == ["https://r.test/a.mp3"]
    assert call.more_urls == 200_001 - MAX_URLS_PER_CALL
    assert (dropped, cut) == (["fileUrls"], [])


def test_every_failing_element_goes_in_one_pass() -> None:
    urls = [None, "https://r.test/a.mp3", [5], {"x": 1}, "https://r.test/b.mp3"]
    with patch.object(
        CallPayload, "model_validate", wraps=CallPayload.model_validate
    ) as validate:
        call, _, _ = lenient_validate({"id": 1, "fileUrls": urls})
    assert call.file_urls == ["https://r.test/a.mp3", "https://r.test/b.mp3"]
    assert validate.call_count == 2  # the failing pass, then the clean one
