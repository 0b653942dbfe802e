"""The Configure dialog saves as HA's frontend submits it, whatever is chosen.

The form is read and sent over HA's HTTP API and filled the way the frontend
fills it (``computeInitialHaFormData``; ``_submitStep`` drops ``""`` at the
top level only), so a section's empty fields arrive as the frontend sends them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

FLOW = "/api/config/config_entries/options/flow"
NOT_SET = {"phone_book_file": "", "transcribe_with": "", "transcribe_language": ""}


def initial_form_data(fields: list[dict[str, Any]]) -> dict[str, Any]:
    """``computeInitialHaFormData``: suggested value, else default, sections within.

    A required field without either would get a type's empty value; the
    options form has none, so meeting one fails the test.
    """
    data: dict[str, Any] = {}
    for field in fields:
        suggested = (field.get("description") or {}).get("suggested_value")
        if suggested is not None:
            data[field["name"]] = suggested
        elif "default" in field:
            data[field["name"]] = field["default"]
        elif field.get("type") == "expandable":
            inner = initial_form_data(field["schema"])
            if field.get("required") or inner:
                data[field["name"]] = inner
        else:
            assert not field.get("required"), field
    return data


def submitted(data: dict[str, Any]) -> dict[str, Any]:
    """``_submitStep``: ``""`` (and undefined) dropped at the top level only."""
    return {key: value for key, value in data.items() if value != ""}


def suggestions(fields: list[dict[str, Any]]) -> Iterator[tuple[str, Any]]:
    """Every field's suggested value, sections included."""
    for field in fields:
        if "suggested_value" in (field.get("description") or {}):
            yield field["name"], field["description"]["suggested_value"]
        yield from suggestions(field.get("schema") or [])


@pytest.fixture
async def form(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_client: Callable[[], Awaitable[Any]],
) -> Callable[..., Awaitable[tuple[dict[str, Any], Any]]]:
    """Open the options dialog; submit what the frontend would send."""
    assert await async_setup_component(hass, "config", {})
    client = await hass_client()

    async def _open_and_submit(
        change: Callable[[dict[str, Any]], None] = lambda _: None,
    ) -> tuple[dict[str, Any], Any]:
        opened = await (
            await client.post(FLOW, json={"handler": loaded_entry.entry_id})
        ).json()
        data = initial_form_data(opened["data_schema"])
        change(data)
        answer = await client.post(f"{FLOW}/{opened['flow_id']}", json=submitted(data))
        return opened, await answer.json()

    return _open_and_submit


async def test_saves_unchanged_with_nothing_chosen(
    loaded_entry: MockConfigEntry, form: Any
) -> None:
    opened, done = await form()
    assert "" not in [value for _, value in suggestions(opened["data_schema"])]
    sections = {f["name"]: f for f in opened["data_schema"] if "schema" in f}
    assert list(sections) == ["names", "transcripts", "callbacks", "assist"]
    assert [s["expanded"] for s in sections.values()] == [False] * 4
    assert done["type"] == "create_entry", done
    assert {key: loaded_entry.options[key] for key in NOT_SET} == NOT_SET
    # And again, from what was stored.
    assert (await form())[1]["type"] == "create_entry"


async def test_saves_a_phone_book_and_reopens_with_it(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, form: Any
) -> None:
    book = "+46 70 123 45 67 = Anna\n08-123 456 = Kontoret"
    hass.config.country = "SE"

    def type_book(data: dict[str, Any]) -> None:
        data["names"]["phone_book"] = book

    assert (await form(type_book))[1]["type"] == "create_entry"
    assert loaded_entry.options["phone_book"] == book
    opened, done = await form()
    assert initial_form_data(opened["data_schema"])["names"]["phone_book"] == book
    # The field's hint says which country numbers without +… are read with.
    assert opened["description_placeholders"]["country"] == "SE"
    assert done["type"] == "create_entry", done
    assert loaded_entry.options["phone_book"] == book
    assert loaded_entry.options["transcribe_with"] == ""


@pytest.mark.parametrize("emptied", ["", None])
async def test_an_emptied_engine_and_language_are_not_set(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, form: Any, emptied: Any
) -> None:
    hass.config_entries.async_update_entry(
        loaded_entry,
        options={"transcribe_with": "stt.whisper", "transcribe_language": "sv"},
    )

    def clear(data: dict[str, Any]) -> None:
        assert data["transcripts"]["transcribe_with"] == "stt.whisper"
        data["transcripts"] |= {
            "transcribe_with": emptied,
            "transcribe_language": emptied,
        }
        data["names"]["phone_book_file"] = None

    assert (await form(clear))[1]["type"] == "create_entry"
    assert {key: loaded_entry.options[key] for key in NOT_SET} == NOT_SET


async def test_an_error_is_shown_at_its_section_and_opens_it(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, form: Any
) -> None:
    """The frontend shows top-level keys only: the section's, next to it."""
    Path(hass.config.config_dir).mkdir(parents=True, exist_ok=True)

    def missing_file(data: dict[str, Any]) -> None:
        data["names"]["phone_book_file"] = "missing.vcf"

    _, shown = await form(missing_file)
    assert shown["type"] == "form"
    assert shown["errors"] == {"names": "phone_book_file_missing"}
    expanded = {f["name"]: f["expanded"] for f in shown["data_schema"] if "schema" in f}
    assert expanded == {
        "names": True,
        "transcripts": False,
        "callbacks": False,
        "assist": False,
    }
    assert "phone_book_file" not in loaded_entry.options


async def test_callback_rules_and_assist_are_saved_and_cleared(
    loaded_entry: MockConfigEntry, form: Any
) -> None:
    def rules(data: dict[str, Any]) -> None:
        assert data["callbacks"]["callback_short_call_seconds"] == 10
        data["callbacks"] |= {
            "callback_numbers": "+46 70-123 45 67\n08-123 456",
            "callback_due_working_hours": 8,
        }
        data["assist"]["assist_answers_about_calls"] = True

    assert (await form(rules))[1]["type"] == "create_entry"
    assert loaded_entry.options["callback_numbers"] == "+46 70-123 45 67\n08-123 456"
    assert loaded_entry.options["callback_due_working_hours"] == 8
    assert loaded_entry.options["assist_answers_about_calls"] is True

    def clear(data: dict[str, Any]) -> None:
        data["callbacks"]["callback_numbers"] = None

    assert (await form(clear))[1]["type"] == "create_entry"
    assert loaded_entry.options["callback_numbers"] == ""


async def test_opens_on_an_account_whose_set_up_failed(
    hass: HomeAssistant,
    failed_entry: MockConfigEntry,
    hass_client: Callable[[], Awaitable[Any]],
) -> None:
    """The dialog is where a broken phone book or engine is fixed: it must open."""
    assert await async_setup_component(hass, "config", {})
    client = await hass_client()
    opened = await (
        await client.post(FLOW, json={"handler": failed_entry.entry_id})
    ).json()
    assert opened["type"] == "form", opened
    done = await (
        await client.post(
            f"{FLOW}/{opened['flow_id']}",
            json=submitted(initial_form_data(opened["data_schema"])),
        )
    ).json()
    assert done["type"] == "create_entry", done
