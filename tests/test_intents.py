"""Assist answers about calls: HA's LLM API tools and the default agent's sentences."""

from __future__ import annotations

import importlib.util
from pathlib import Path
import shutil
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import intent, llm
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.m8com.intents import PERIODS, period_start
from e2e.custom_components.llm_probe import llm_context

from .conftest import PostFn, load_payload, tick_off

SENTENCES = Path(__file__).parents[1] / "custom_sentences"
NOW = "2026-11-25 20:00:00+00:00"
"""Noon in the tests' time zone (US/Pacific)."""
ASSIST_ON = {
    "phone_book": "+46 70-123 45 67 = Anna Kund\n+46 70-999 99 99 = Bo Berg",
    "assist_answers_about_calls": True,
}


@pytest.fixture(autouse=True)
async def assist(hass: HomeAssistant) -> None:
    """What an Assist set-up has, before HA's HTTP server starts."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    if importlib.util.find_spec("homeassistant.components.llm"):
        assert await async_setup_component(hass, "llm", {})  # HA 2026.x


async def tools(hass: HomeAssistant) -> llm.APIInstance:
    """The Assist API as an LLM conversation agent gets it."""
    return await llm.async_get_api(hass, "assist", llm_context(Context()))


def ours(api: llm.APIInstance) -> dict[str, llm.Tool]:
    """This integration's tools by intent type."""
    return {
        tool.name.rpartition("_")[2]: tool
        for tool in api.tools
        if tool.name.rpartition("_")[2].startswith("M8Com")
    }


async def ask(api: llm.APIInstance, intent_type: str, **args: Any) -> dict[str, Any]:
    """Call one tool; its result as a dict on both HA versions."""
    name = ours(api)[intent_type].name
    result: Any = await api.async_call_tool(llm.ToolInput(name, args))
    data: dict[str, Any] = getattr(result, "data", result)
    return data


def speech(data: dict[str, Any]) -> str:
    """What the voice assistant says."""
    text: str = data["speech"]["plain"]["speech"]
    return text


@pytest.fixture
async def calls(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> MockConfigEntry:
    """Anna called twice today (once short), Bo was called yesterday."""
    freezer.move_to(NOW)
    hass.config_entries.async_update_entry(loaded_entry, options=ASSIST_ON)
    await hass.async_block_till_done()
    now = int(dt_util.utcnow().timestamp() * 1000)
    for call_id, ago_min, number, direction, talk, summary in (
        (1, 120, "+46701234567", "inbound", 200, "Asked about invoice 4711."),
        (2, 30, "+46701234567", "inbound", 3, None),
        (3, 24 * 60, "+46709999999", "outbound", 90, "Offered a new contract."),
    ):
        start = now - ago_min * 60_000
        party = (
            {"callerNumber": number}
            if direction == "inbound"
            else {"calleeNumber": number, "callerNumber": "+46812345678"}
        )
        await post(
            {
                **load_payload("v2"),
                "id": call_id,
                "fileUrls": [],
                "startTime": start,
                "endTime": start + talk * 1000,
                "talkTime": talk * 1000,
                "direction": direction,
                "summary": summary,
                **party,
            }
        )
    await hass.async_block_till_done(wait_background_tasks=True)
    return loaded_entry


async def test_no_tools_and_no_intents_while_the_option_is_off(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    assert ours(await tools(hass)) == {}
    assert not [h for h in intent.async_get(hass) if "M8Com" in h.intent_type]


async def test_the_tools_answer_the_four_questions(
    hass: HomeAssistant, calls: MockConfigEntry
) -> None:
    api = await tools(hass)
    assert set(ours(api)) == {
        "M8ComRecentCalls",
        "M8ComCallDetails",
        "M8ComSearchCalls",
        "M8ComCallbacks",
    }
    assert all(tool.description for tool in ours(api).values())

    recent = await ask(api, "M8ComRecentCalls")
    assert speech(recent) == (
        "3 calls: Anna Kund (+46 70-123 45 67) 11:30, "
        "Anna Kund (+46 70-123 45 67) 10:00, "
        "Bo Berg (+46 70-999 99 99) 2026-11-24 12:00."
    )
    today = await ask(api, "M8ComRecentCalls", period="today", name="anna")
    assert today["speech_slots"]["total"] == 2
    outbound = await ask(api, "M8ComRecentCalls", direction="outbound")
    assert [c["who"] for c in outbound["speech_slots"]["calls"]] == [
        "Bo Berg (+46 70-999 99 99)"
    ]

    details = await ask(api, "M8ComCallDetails", name="Bo")
    assert speech(details) == (
        "Call with Bo Berg (+46 70-999 99 99) 2026-11-24 12:00: Offered a new contract."
    )
    latest = await ask(api, "M8ComCallDetails", number="070-123 45 67")
    assert "A call back is open, due" in speech(latest)
    missing = await ask(api, "M8ComCallDetails", name="Cecilia")
    assert speech(missing) == "No call with Cecilia."

    found = await ask(api, "M8ComSearchCalls", query="Invoice 4711")
    assert speech(found) == (
        "1 call mentions Invoice 4711: Anna Kund (+46 70-123 45 67) 10:00."
    )
    assert speech(await ask(api, "M8ComSearchCalls", query="pizza")) == (
        "No call mentions pizza."
    )

    callbacks = await ask(api, "M8ComCallbacks")
    assert speech(callbacks).startswith(
        "1 to call back: Anna Kund (+46 70-123 45 67) ("
    )
    assert callbacks["speech_slots"]["calls"][0]["callback"] == "open"


async def test_at_most_three_calls_are_read_out(
    hass: HomeAssistant, calls: MockConfigEntry, post: PostFn
) -> None:
    start = int(dt_util.utcnow().timestamp() * 1000)
    for call_id in (4, 5):
        await post(
            {**load_payload("v2"), "id": call_id, "fileUrls": [], "startTime": start}
        )
    await hass.async_block_till_done(wait_background_tasks=True)
    answer = await ask(await tools(hass), "M8ComRecentCalls")
    assert speech(answer).endswith(" and 2 more.")
    assert len(answer["speech_slots"]["calls"]) == 3
    assert answer["speech_slots"]["total"] == 5


async def test_turning_the_option_off_removes_the_tools(
    hass: HomeAssistant, calls: MockConfigEntry
) -> None:
    hass.config_entries.async_update_entry(calls, options={})
    await hass.async_block_till_done()
    assert ours(await tools(hass)) == {}
    hass.config_entries.async_update_entry(calls, options=ASSIST_ON)
    await hass.async_block_till_done()
    assert len(ours(await tools(hass))) == 4
    assert await hass.config_entries.async_unload(calls.entry_id)
    assert ours(await tools(hass)) == {}


def test_periods_are_spans_of_local_time() -> None:
    now = dt_util.as_local(dt_util.parse_datetime(NOW) or dt_util.now())
    spans = {p: period_start(p, now) for p in PERIODS}
    assert spans["today"][0].hour == 0
    assert spans["yesterday"][1] == spans["today"][0]
    assert spans["this_morning"][1].hour == 12
    assert period_start(None, now)[0] == spans["today"][0].replace(day=18, hour=12)


@pytest.mark.parametrize(
    ("language", "question", "answer"),
    [
        ("en", "who called today", "2 calls: Anna Kund"),
        ("en", "what did Bo want", "Call with Bo Berg"),
        ("en", "which calls were about invoice 4711", "1 call mentions invoice 4711"),
        ("en", "whom must I call back", "1 to call back: Anna Kund"),
        ("sv", "vem ringde idag", "2 samtal: Anna Kund"),
        ("sv", "vad ville Bo", "Samtal med Bo Berg"),
        ("sv", "vilka samtal handlade om invoice", "1 samtal nämner invoice"),
        ("sv", "vem ska jag ringa tillbaka", "1 att ringa tillbaka: Anna Kund"),
    ],
)
async def test_the_default_agent_answers_the_shipped_sentences(
    hass: HomeAssistant,
    calls: MockConfigEntry,
    language: str,
    question: str,
    answer: str,
) -> None:
    shutil.copytree(SENTENCES, hass.config.path("custom_sentences"))
    result = await conversation.async_converse(
        hass, question, None, Context(), language=language
    )
    assert result.response.speech["plain"]["speech"].startswith(answer)


async def test_answers_without_calls(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    hass.config_entries.async_update_entry(loaded_entry, options=ASSIST_ON)
    await hass.async_block_till_done()
    api = await tools(hass)
    assert speech(await ask(api, "M8ComRecentCalls")) == "No calls."
    assert speech(await ask(api, "M8ComCallDetails")) == "No calls."
    assert speech(await ask(api, "M8ComCallbacks")) == "Nobody to call back."


async def test_details_of_a_called_back_call_with_a_transcript(
    hass: HomeAssistant, calls: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    store = calls.runtime_data.store
    record = await store.async_get(2)
    assert record is not None
    record.transcript = "Hello, this is Anna. " * 20
    record.action_items = ["Send the quote", "Book a visit"]
    assert await store.async_update(record, ["transcript", "action_items"])
    await tick_off(hass, "2", hass_admin_user)
    answer = speech(await ask(await tools(hass), "M8ComCallDetails", name="Anna"))
    assert answer.startswith(
        "Call with Anna Kund (+46 70-123 45 67) 11:30: Hello, this is Anna. Hello"
    )
    assert " … To do: Send the quote; Book a visit. Called back 12:00 by " in answer
    assert answer.endswith(f"{hass_admin_user.name}.")


@pytest.mark.parametrize("language", ["en", "sv"])
async def test_a_non_admin_user_cannot_read_the_call_history_through_assist(
    hass: HomeAssistant,
    calls: MockConfigEntry,
    hass_read_only_user: MockUser,
    language: str,
) -> None:
    """The history names every caller: like ``get_recordings``, admins only."""
    response = await intent.async_handle(
        hass,
        "conversation",
        "M8ComRecentCalls",
        {},
        context=Context(user_id=hass_read_only_user.id),
        language=language,
    )
    data: Any = response.as_dict()
    assert "Anna Kund" not in str(data)
    assert "+46" not in str(data)
    assert (
        speech(data)
        == {
            "en": "Only an administrator may ask about calls.",
            "sv": "Bara en administratör får fråga om samtal.",
        }[language]
    )


async def test_a_user_that_no_longer_exists_is_refused(
    hass: HomeAssistant, calls: MockConfigEntry
) -> None:
    response = await intent.async_handle(
        hass,
        "conversation",
        "M8ComCallDetails",
        {},
        context=Context(user_id="gone"),
    )
    assert speech(response.as_dict()) == "Only an administrator may ask about calls."


@pytest.mark.parametrize("admin", [True, False])
async def test_an_admin_or_a_satellite_without_a_user_hears_the_calls(
    hass: HomeAssistant,
    calls: MockConfigEntry,
    hass_admin_user: MockUser,
    admin: bool,
) -> None:
    """A voice satellite has no user: the admin who turned the option on chose so."""
    user_id = hass_admin_user.id if admin else None
    response = await intent.async_handle(
        hass,
        "conversation",
        "M8ComRecentCalls",
        {},
        context=Context(user_id=user_id),
    )
    assert speech(response.as_dict()).startswith("3 calls: Anna Kund")


@pytest.mark.parametrize("book", ["typed", "text search only"])
async def test_what_did_anna_want_answers_her_newest_call(
    hass: HomeAssistant, calls: MockConfigEntry, post: PostFn, book: str
) -> None:
    """More calls name Anna than one question reads: still her newest call.

    Her newest call has a long summary, so the text search ranks it last;
    with the limit at 3 instead of 500 a ranked cut would drop it. Found by
    her phone-book number, and by the text search ordered by time when her
    number is not in the typed book (a phone-book file).
    """
    if book != "typed":
        options = {**calls.options, "phone_book": ""}
        hass.config_entries.async_update_entry(calls, options=options)
        await hass.async_block_till_done()
    start = int(dt_util.utcnow().timestamp() * 1000) - 60_000
    await post(
        {
            **load_payload("v2"),
            "id": 4,
            "fileUrls": [],
            "startTime": start,
            "summary": "Wants the new price list. " + "We talked a lot. " * 40,
        }
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    if book != "typed":
        for call_id in (1, 2, 4):  # named as a phone-book file would have
            record = await calls.runtime_data.store.async_get(call_id)
            assert record is not None
            record.caller_name = "Anna Kund"
            await calls.runtime_data.store.async_update(record, ("caller_name",))
    with patch("custom_components.m8com.assist_answers.SEARCH_LIMIT", 3):
        details = await ask(await tools(hass), "M8ComCallDetails", name="Anna")
    assert "Wants the new price list" in speech(details)
    assert details["speech_slots"]["call"]["call_id"] == 4
