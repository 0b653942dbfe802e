"""Names for numbers: typed once in the options, shown wherever numbers are."""

from __future__ import annotations

from http import HTTPStatus
import os
from pathlib import Path
from unittest.mock import patch

from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com.formatting import describe, recording_title
from custom_components.m8com.options_flow import validate_phone_book_file
from custom_components.m8com.phone_book import book_path, lookup, parse, parse_file
from custom_components.m8com.repairs import issue_id

from .conftest import FIXTURES, PostFn, load_payload, state_of, stored, stored_calls

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


GOOD = {
    ".csv": "Anna Fil,+46701234567\n",
    ".vcf": "BEGIN:VCARD\nFN:Anna Fil\nTEL:+46701234567\nEND:VCARD\n",
}
UNUSABLE = {
    "unterminated quote": ("contacts.csv", b'"Anna,+46701234567\n' + b"x" * 200_000),
    "malformed vCard": ("contacts.vcf", b"BEGIN:VCARD\nFN:\x80\x81\nTEL;;;\nEND\n:::"),
    "binary": ("contacts.csv", bytes(range(256)) * 64),
    "50 MB": ("contacts.csv", None),
    "UTF-16 without its BOM": ("contacts.csv", "Anna,+46701234567".encode("utf-16-le")),
}


async def test_an_unusable_file_keeps_the_last_good_book_and_every_call(
    hass: HomeAssistant,
    call_events: list[Event],
    post: PostFn,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each bad file: every call still 200 and named from the last good copy,
    one warning per state of the file, and a repair issue until it reads again."""
    config = Path(hass.config.config_dir)
    config.mkdir(parents=True, exist_ok=True)
    issue = ("m8com", issue_id("phone_book_unusable", loaded_entry.entry_id))
    registry = ir.async_get(hass)
    call_id = 0
    for kind, (name, content) in UNUSABLE.items():
        book = config / name
        book.write_text(GOOD[book.suffix])
        hass.config_entries.async_update_entry(
            loaded_entry, options={"phone_book_file": name}
        )
        call_id += 1
        assert (
            await post({**load_payload("v2"), "id": call_id, "fileUrls": []})
        ).status == 200
        if content is None:
            with book.open("wb") as handle:
                handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB, no disk used
        else:
            book.write_bytes(content)
        os.utime(book, ns=(call_id, call_id))
        caplog.clear()
        for _ in range(2):
            call_id += 1
            answer = await post({**load_payload("v2"), "id": call_id, "fileUrls": []})
            assert answer.status == HTTPStatus.OK, kind
        await hass.async_block_till_done()
        assert [e.data["caller_name"] for e in call_events[-2:]] == ["Anna Fil"] * 2, (
            kind
        )
        assert caplog.text.count("The phone book file is not used") == 1, kind
        assert registry.async_get_issue(*issue) is not None, kind
        book.write_text(GOOD[book.suffix])
        os.utime(book, ns=(call_id + 99, call_id + 99))
        call_id += 1
        await post({**load_payload("v2"), "id": call_id, "fileUrls": []})
        assert registry.async_get_issue(*issue) is None, kind
        book.unlink()
    assert len(stored_calls(loaded_entry)) == call_id


@pytest.mark.parametrize(
    "relative",
    ["secrets.yaml", ".storage/auth", ".cloud/x.csv", "known_devices.yaml", "a.db"],
)
async def test_files_that_hold_secrets_are_never_a_phone_book(
    hass: HomeAssistant,
    call_events: list[Event],
    post: PostFn,
    loaded_entry: MockConfigEntry,
    relative: str,
) -> None:
    config = Path(hass.config.config_dir)
    (config / relative).parent.mkdir(parents=True, exist_ok=True)
    (config / relative).write_text("Anna Hemlig,+46701234567\n")
    assert validate_phone_book_file(str(config), relative) == {
        "names": "phone_book_file_refused"
    }
    hass.config_entries.async_update_entry(
        loaded_entry, options={"phone_book_file": relative}
    )
    assert (await post({**load_payload("v2"), "fileUrls": []})).status == 200
    await hass.async_block_till_done()
    assert call_events[-1].data["caller_name"] is None
    issue = issue_id("phone_book_unusable", loaded_entry.entry_id)
    assert ir.async_get(hass).async_get_issue("m8com", issue) is not None


async def test_a_failing_filter_or_name_never_costs_a_call(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    with (
        patch("custom_components.m8com.pipeline.accepts", side_effect=KeyError("x")),
        patch("custom_components.m8com.phone_book.region_of", side_effect=ValueError),
    ):
        answer = await post({**load_payload("v2"), "fileUrls": []})
    assert answer.status == HTTPStatus.OK
    assert stored(loaded_entry, 4711).caller_name is None
