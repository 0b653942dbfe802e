"""Text search: rare words rank, common words filter, only common: newest first."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
from typing import Any, Final
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com.const import DOMAIN
from custom_components.m8com.store_query import Query

from .conftest import PostFn, load_payload

MINUTE_MS = 60_000


def call(
    call_id: int, minutes_ago: int, summary: str, **changes: Any
) -> dict[str, Any]:
    """A call without audio, ``minutes_ago`` old, with a summary."""
    start = int(dt_util.utcnow().timestamp() * 1000) - minutes_ago * MINUTE_MS
    return {
        **load_payload("v2"),
        "id": call_id,
        "fileUrls": [],
        "startTime": start,
        "endTime": start + MINUTE_MS,
        "summary": summary,
        **changes,
    }


async def ids(hass: HomeAssistant, **data: Any) -> list[int]:
    found: Any = await hass.services.async_call(
        DOMAIN, "get_recordings", data, blocking=True, return_response=True
    )
    return [r["call_id"] for r in found["recordings"]]


LONG: Final = (
    "Invoice was wrong and the customer wants a refund of the whole amount, "
    "the delivery was late and the parcel was damaged"
)


@pytest.fixture
async def six(post: PostFn, loaded_entry: MockConfigEntry) -> None:
    """Six calls about an invoice (common), two of them about a refund (rare).

    Call ``n`` started ``60 - 10 n`` minutes ago (6 is the newest). Call 2
    says "refund" twice in a short summary, call 5 once in a long one: bm25
    puts 2 before 5, although 5 is newer.
    """
    for call_id, summary in (
        (1, "Invoice question"),
        (2, "Invoice refund refund"),
        (3, "Invoice question about the due date"),
        (4, "Invoice copy sent again"),
        (5, LONG),
        (6, "Invoice reminder"),
    ):
        caller = f"+4670111111{call_id}"
        answer = await post(
            call(call_id, 60 - 10 * call_id, summary, callerNumber=caller)
        )
        assert answer.status == HTTPStatus.OK


@pytest.fixture(autouse=True)
def rare_below_three() -> Any:
    """A word in more than 2 calls is common (the default, 1 000, in small)."""
    with patch("custom_components.m8com.store_search.RARE", 2):
        yield


@pytest.mark.usefixtures("six")
async def test_a_rare_word_ranks_and_a_common_one_only_filters(
    hass: HomeAssistant,
) -> None:
    assert await ids(hass, text="invoice refund") == [2, 5]
    assert await ids(hass, text="refund") == [2, 5]
    assert await ids(hass, text="refund due") == []  # every word must be there
    assert await ids(hass, text="question invoice due") == [3]


@pytest.mark.usefixtures("six")
@pytest.mark.parametrize("dense", [0, 100])
async def test_only_common_words_newest_first(hass: HomeAssistant, dense: int) -> None:
    """Both ways to find the newest (walk and check, or collect then walk)."""
    with patch("custom_components.m8com.store_search.DENSE", dense):
        assert await ids(hass, text="invoice") == [6, 5, 4, 3, 2, 1]
        assert await ids(hass, text="invoice", limit=2) == [6, 5]
        assert await ids(hass, text="anna invoice") == [6, 5, 4, 3, 2, 1]
        assert await ids(hass, text="invoice nowhere") == []


@pytest.mark.usefixtures("six")
async def test_search_combined_with_number_and_time(hass: HomeAssistant) -> None:
    assert await ids(hass, text="invoice refund", number="0701111115") == [5]
    assert await ids(hass, text="invoice", number="0701111113") == [3]
    since = dt_util.utcnow() - timedelta(minutes=25)
    assert await ids(hass, text="invoice", since=since.isoformat()) == [6, 5, 4]
    assert await ids(hass, text="refund", since=since.isoformat()) == [5]


async def test_newest_first_when_asked_even_with_a_rare_word(
    hass: HomeAssistant, six: None, loaded_entry: MockConfigEntry
) -> None:
    """Assist's "who" questions: a rare word, yet newest first."""
    store = loaded_entry.runtime_data.store
    found = await store.async_find(Query(text="invoice refund", by_rank=False))
    assert [c.call_id for c in found] == [5, 2]
    found = await store.async_find(Query(text="refund whole", by_rank=False))
    assert [c.call_id for c in found] == [5]


async def test_words_are_split_as_the_index_splits_them(
    hass: HomeAssistant, post: PostFn, six: None
) -> None:
    """Punctuation never empties a search; a decomposed letter is one letter.

    FTS5's unicode61 keeps letters, digits and diacritical marks in a word and
    splits at everything else, ``_`` included: a lone ``_`` is no word (it
    must not count as one that no call contains), and ``Å`` typed as ``A`` +
    combining ring (NFD, as some keyboards and files send it) stays in ``Åsa``.
    """
    answer = await post(call(7, 5, "Åsa Öberg ringde om fakturan"))
    assert answer.status == HTTPStatus.OK
    assert await ids(hass, text="_ refund") == [2, 5]
    assert await ids(hass, text="refund __ _") == [2, 5]
    assert await ids(hass, text="invoice_refund") == [2, 5]
    assert await ids(hass, text="A\u030asa") == [7]
    assert await ids(hass, text="O\u0308berg a\u030asa") == [7]
    assert await ids(hass, text="asa") == [7]
    assert await ids(hass, text="_") == []


@pytest.mark.usefixtures("six")
@pytest.mark.parametrize("dense", [0, 100])
async def test_answer_group_by_id_or_name_with_text(
    hass: HomeAssistant, dense: int
) -> None:
    """A group no call has answers at once; the comparison stays exact."""
    with patch("custom_components.m8com.store_search.DENSE", dense):
        assert await ids(hass, answer_group="Support") == [6, 5, 4, 3, 2, 1]
        assert await ids(hass, answer_group="ag-1", limit=2) == [6, 5]
        assert await ids(hass, answer_group="Support", text="refund") == [2, 5]
        assert await ids(hass, answer_group="support") == []  # exact, as before
        assert await ids(hass, answer_group="Nobody") == []
        assert await ids(hass, answer_group="Nobody", text="invoice") == []
        assert await ids(hass, answer_group="-") == []  # no word to narrow by
