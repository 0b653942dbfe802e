"""Names for numbers: typed once in the options, shown wherever numbers are."""

from __future__ import annotations

from http import HTTPStatus

from homeassistant.core import Event, HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com.formatting import describe, recording_title
from custom_components.m8com.phone_book import lookup, parse

from .conftest import PostFn, load_payload, state_of

BOOK = """
# the shop's customers
+46 70-123 45 67 = Anna Andersson
08-123 456 78 = Office
sip:bob@example.com	Bob
not a line
"""


def test_parse_normalises_numbers_like_erasure() -> None:
    book = parse(BOOK, "SE")
    assert lookup(book, "0701234567", "SE") == "Anna Andersson"
    assert lookup(book, "0046701234567", "SE") == "Anna Andersson"
    assert lookup(book, "+46812345678", "SE") == "Office"
    assert lookup(book, "SIP:Bob@Example.com", "SE") == "Bob"
    assert lookup(book, "+47701234567", "SE") is None
    assert lookup(book, None, "SE") is None
    assert len(book) == 3


async def test_names_reach_event_sensor_logbook_and_titles(
    hass: HomeAssistant,
    call_events: list[Event],
    post: PostFn,
    loaded_entry: MockConfigEntry,
) -> None:
    hass.config_entries.async_update_entry(loaded_entry, options={"phone_book": BOOK})
    assert (await post({**load_payload("v2"), "fileUrls": []})).status == HTTPStatus.OK
    await hass.async_block_till_done()
    (event,) = call_events
    assert event.data["caller_name"] == "Anna Andersson"
    assert event.data["callee_name"] == "Office"
    sensor = state_of(hass, "sensor.m8com_calls_today")
    assert sensor.attributes["caller_name"] == "Anna Andersson"
    assert describe(event.data).startswith(
        "Inbound call from Anna Andersson (+46701234567) to Support"
    )
    record = loaded_entry.runtime_data.index.calls[4711]
    assert "Anna Andersson (+46701234567) → Support" in recording_title(record)


async def test_outbound_calls_name_the_customer_first(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    hass.config_entries.async_update_entry(loaded_entry, options={"phone_book": BOOK})
    payload = {
        **load_payload("v2"),
        "fileUrls": [],
        "direction": "outbound",
        "callerNumber": "+46812345678",
        "calleeNumber": "+46701234567",
    }
    await post(payload)
    await hass.async_block_till_done()
    record = loaded_entry.runtime_data.index.calls[4711]
    assert "Anna Andersson (+46701234567) ← Anna Andersson" in recording_title(record)
