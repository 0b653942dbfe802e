"""Names for numbers: typed once in the options, shown wherever numbers are."""

from __future__ import annotations

from http import HTTPStatus
import os
from pathlib import Path

from homeassistant.core import Event, HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com.formatting import describe, recording_title
from custom_components.m8com.phone_book import book_path, lookup, parse, parse_file

from .conftest import FIXTURES, PostFn, load_payload, state_of, stored

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
    record = stored(loaded_entry, 4711)
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
    record = stored(loaded_entry, 4711)
    assert "Anna Andersson (+46701234567) ← Anna Andersson" in recording_title(record)


def test_vcard_names_every_number_of_a_card() -> None:
    text = (FIXTURES / "contacts.vcf").read_text()
    book = parse_file(text, ".vcf", "SE")
    assert lookup(book, "0701234567", "SE") == "Anna Andersson"
    assert lookup(book, "+46812345678", "SE") == "Anna Andersson"
    assert lookup(book, "0702223344", "SE") == "Bo Berg"  # N, folded line, tel: URI
    assert len(book) == 3  # a card without a name adds nothing


def test_csv_in_any_column_order_semicolons_too() -> None:
    text = (FIXTURES / "contacts.csv").read_text()
    book = parse_file(text, ".csv", "SE")
    assert lookup(book, "+46703334455", "SE") == "Cecilia"
    semicolons = "Namn;Telefon\nErik Ström;0705556677\n"
    assert lookup(parse_file(semicolons, ".csv", "SE"), "0705556677", "SE") == (
        "Erik Ström"
    )


def test_the_file_must_be_inside_the_config_folder(tmp_path: Path) -> None:
    config = str(tmp_path)
    assert book_path(config, "contacts.vcf") == tmp_path / "contacts.vcf"
    assert book_path(config, "books/../contacts.vcf") == tmp_path / "contacts.vcf"
    assert book_path(config, "../secrets.yaml") is None
    assert book_path(config, "/etc/passwd") is None
    assert book_path(config, ".") is None


async def test_the_file_is_read_again_when_it_changes_typed_entries_win(
    hass: HomeAssistant,
    call_events: list[Event],
    post: PostFn,
    loaded_entry: MockConfigEntry,
) -> None:
    config = Path(hass.config.config_dir)
    config.mkdir(parents=True, exist_ok=True)
    book = config / "contacts.csv"
    book.write_text("Anna Fil,+46701234567\nKontoret,+46812345678\n")
    hass.config_entries.async_update_entry(
        loaded_entry,
        options={
            "phone_book_file": "contacts.csv",
            "phone_book": "+46812345678 = Support",
        },
    )
    await post({**load_payload("v2"), "id": 1, "fileUrls": []})
    book.write_text("Anna Ny,+46701234567\n")
    os.utime(book, ns=(1, 1))  # a new mtime even within the same clock tick
    await post({**load_payload("v2"), "id": 2, "fileUrls": []})
    book.unlink()
    await post({**load_payload("v2"), "id": 3, "fileUrls": []})
    await hass.async_block_till_done()
    names = [(e.data["caller_name"], e.data["callee_name"]) for e in call_events]
    assert names == [
        ("Anna Fil", "Support"),
        ("Anna Ny", "Support"),
        (None, "Support"),  # gone: a warning, and the typed book still works
    ]
