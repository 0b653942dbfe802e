"""The callback list as HA's to-do platform shows and changes it."""

from __future__ import annotations

from typing import Any, cast
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import parse_yaml
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.m8com.const import DOMAIN, signal_updated
from e2e.readme import readme_dashboard

from .conftest import TODO, PostFn, load_payload, state_of, tick_off, update_item

ANNA = "+46 70-123 45 67 = Anna Kund"


def short_call(call_id: int, seconds: int = 4, **extra: Any) -> dict[str, Any]:
    """An inbound call with little talk time and no recording to fetch."""
    start = int(dt_util.utcnow().timestamp() * 1000) - 60_000
    return {
        **load_payload("v2"),
        "id": call_id,
        "fileUrls": [],
        "startTime": start,
        "endTime": start + seconds * 1000,
        "talkTime": seconds * 1000,
        **extra,
    }


async def items(hass: HomeAssistant, status: str | None = None) -> list[Any]:
    """``todo.get_items``, as a card or automation reads the list."""
    data = {"status": [status]} if status else {}
    result = await hass.services.async_call(
        "todo",
        "get_items",
        data,
        target={"entity_id": TODO},
        blocking=True,
        return_response=True,
    )
    response: Any = result
    found: list[Any] = response[TODO]["items"]
    return found


async def recordings(hass: HomeAssistant) -> list[dict[str, Any]]:
    """``m8com.get_recordings``."""
    result = await hass.services.async_call(
        DOMAIN, "get_recordings", {}, blocking=True, return_response=True
    )
    assert result is not None
    found: list[dict[str, Any]] = result["recordings"]  # type: ignore[assignment]
    return found


@pytest.fixture
async def named(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> MockConfigEntry:
    """The account with Anna in its phone book."""
    hass.config_entries.async_update_entry(loaded_entry, options={"phone_book": ANNA})
    await hass.async_block_till_done()
    return loaded_entry


async def test_a_short_inbound_call_opens_one_item(
    hass: HomeAssistant, post: PostFn, named: MockConfigEntry
) -> None:
    assert state_of(hass, TODO).state == "0"
    assert state_of(hass, TODO).attributes["friendly_name"] == "M8Com Callbacks"
    await post(short_call(1))
    await hass.async_block_till_done(wait_background_tasks=True)
    (item,) = await items(hass)
    assert item["summary"] == "Call back Anna Kund (+46 70-123 45 67)"
    assert item["status"] == "needs_action"
    assert "Support, 4 s" in item["description"]
    assert "Summary: Customer asked about invoice 123" in item["description"]
    assert item["due"]
    assert state_of(hass, TODO).state == "1"
    (recording,) = await recordings(hass)
    assert recording["callback"] == "open"
    assert recording["callback_due"] == item["due"]


async def test_long_outbound_and_filtered_calls_open_nothing(
    hass: HomeAssistant, post: PostFn, named: MockConfigEntry
) -> None:
    await post(short_call(1, seconds=200))
    await post(short_call(2, direction="outbound"))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert await items(hass) == []


async def test_a_second_call_from_the_number_joins_the_open_item(
    hass: HomeAssistant, post: PostFn, named: MockConfigEntry
) -> None:
    states: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        lambda e: (
            states.append(e.data["new_state"].state)
            if e.data["entity_id"] == TODO
            else None
        ),
    )
    await post(short_call(1))
    await post(short_call(2, callerNumber="0701234567", summary="Again."))
    await hass.async_block_till_done(wait_background_tasks=True)
    (item,) = await items(hass)
    assert item["uid"] == "1"
    assert "Summary: Again." in item["description"]
    assert states == ["1"], "joining the open item writes no new state"


async def test_the_ai_flag_opens_an_item_after_the_transcript(
    hass: HomeAssistant, post: PostFn, named: MockConfigEntry
) -> None:
    await post(short_call(1, seconds=300))
    await hass.async_block_till_done(wait_background_tasks=True)
    record = await named.runtime_data.store.async_get(1)
    assert record is not None
    record.callback_needed = True
    record.ai_summary = "Wants a quote."
    record.action_items = ["Send the quote"]
    async_dispatcher_send(hass, signal_updated(named.entry_id), record)
    await hass.async_block_till_done(wait_background_tasks=True)
    (item,) = await items(hass)
    assert (
        "Summary: Wants a quote.\nAction items:\n- Send the quote"
        in (item["description"])
    )


async def test_the_ai_rule_can_be_turned_off(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    hass.config_entries.async_update_entry(
        loaded_entry,
        options={"callback_when_ai_says": False, "callback_short_call_seconds": 0},
    )
    await post(short_call(1))
    await hass.async_block_till_done(wait_background_tasks=True)
    record = await loaded_entry.runtime_data.store.async_get(1)
    assert record is not None
    record.callback_needed = True
    async_dispatcher_send(hass, signal_updated(loaded_entry.entry_id), record)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert await items(hass) == []


async def test_ticking_off_stores_completion_and_who_on_the_call(
    hass: HomeAssistant, post: PostFn, named: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    await post(short_call(1))
    await post(short_call(2))
    await hass.async_block_till_done(wait_background_tasks=True)
    await tick_off(hass, "1", hass_admin_user)
    assert state_of(hass, TODO).state == "0"
    (item,) = await items(hass, "completed")
    assert item["uid"] == "1"
    for recording in await recordings(hass):
        assert recording["callback"] == "done"
        assert recording["callback_done_at"]
        assert recording["callback_done_by"] == hass_admin_user.name
    # A new short call from Anna now opens a new item.
    await post(short_call(3))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [i["uid"] for i in await items(hass, "needs_action")] == ["3"]
    # Reopening clears the completion.
    await update_item(hass, "1", status="needs_action")
    assert all(r["callback_done_at"] is None for r in await recordings(hass))


async def test_editing_and_deleting_an_item(
    hass: HomeAssistant, post: PostFn, named: MockConfigEntry
) -> None:
    await post(short_call(1))
    await hass.async_block_till_done(wait_background_tasks=True)
    await update_item(
        hass,
        "1",
        rename="Ring Anna about the quote",
        description="She is in a meeting until 15.",
        due_datetime="2030-01-02 10:00:00",
    )
    (item,) = await items(hass)
    assert item["summary"] == "Ring Anna about the quote"
    assert item["description"] == "She is in a meeting until 15."
    assert item["due"].startswith("2030-01-02T10:00:00")
    await update_item(hass, "1", due_date="2030-01-03")
    (item,) = await items(hass)
    assert item["due"].startswith("2030-01-03T17:00:00")
    await hass.services.async_call(
        "todo", "remove_item", {"item": "1"}, target={"entity_id": TODO}, blocking=True
    )
    assert await items(hass) == []
    (recording,) = await recordings(hass)
    assert recording["callback"] == "deleted"
    await post(short_call(2))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [i["uid"] for i in await items(hass)] == ["2"]


async def test_erasure_removes_the_item_and_a_restart_keeps_the_list(
    hass: HomeAssistant, post: PostFn, named: MockConfigEntry
) -> None:
    await post(short_call(1))
    await post(short_call(2, callerNumber="+46709999999"))
    await hass.async_block_till_done(wait_background_tasks=True)
    await tick_off(hass, "2")
    assert await hass.config_entries.async_reload(named.entry_id)
    await hass.async_block_till_done()
    assert [(i["uid"], i["status"]) for i in await items(hass)] == [
        ("1", "needs_action"),
        ("2", "completed"),
    ]
    await hass.services.async_call(
        DOMAIN, "delete_recordings", {"number": "+46701234567"}, blocking=True
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [i["uid"] for i in await items(hass)] == ["2"]
    assert state_of(hass, TODO).state == "0"


async def test_the_readme_dashboard_shows_this_list(
    hass: HomeAssistant, named: MockConfigEntry
) -> None:
    """The README's to-do list card names the entity this platform creates."""
    dashboard = cast("dict[str, Any]", parse_yaml(readme_dashboard()))
    cards = dashboard["views"][0]["cards"]
    (card,) = [card for card in cards if card["type"] == "todo-list"]
    assert state_of(hass, card["entity"]).domain == "todo"


async def test_only_the_newest_ticked_off_items_are_kept_on_show(
    hass: HomeAssistant, post: PostFn, named: MockConfigEntry
) -> None:
    for call_id, number in ((1, "+46701234567"), (2, "+46709999999"), (3, "+4687")):
        await post(short_call(call_id, callerNumber=number))
    await hass.async_block_till_done(wait_background_tasks=True)
    with patch("custom_components.m8com.callback_list.DONE_SHOWN", 1):
        for uid in ("1", "2"):
            await tick_off(hass, uid)
        expected = [("3", "needs_action"), ("2", "completed")]
        assert [(i["uid"], i["status"]) for i in await items(hass)] == expected
        assert set(named.runtime_data.callbacks.items) == {2, 3}
        assert await hass.config_entries.async_reload(named.entry_id)
        await hass.async_block_till_done()
        assert [(i["uid"], i["status"]) for i in await items(hass)] == expected
    assert {r["call_id"]: r["callback"] for r in await recordings(hass)} == {
        1: "done",
        2: "done",
        3: "open",
    }


async def test_retention_removes_the_items_of_the_calls_it_erases(
    hass: HomeAssistant, post: PostFn, named: MockConfigEntry
) -> None:
    old = {**load_payload("v2"), "id": 7, "fileUrls": [], "talkTime": 2000}
    await post(old)  # started in March 2025
    await post(short_call(8, callerNumber="+46709999999"))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [i["uid"] for i in await items(hass)] == ["7", "8"]
    hass.config_entries.async_update_entry(
        named, options={**named.options, "retention_days": 30}
    )
    assert await hass.config_entries.async_reload(named.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [i["uid"] for i in await items(hass)] == ["8"]


@pytest.mark.parametrize("withheld", ["anonymous", "unknown", "", "Private"])
async def test_anonymous_callers_do_not_share_one_callback_item(
    hass: HomeAssistant, post: PostFn, named: MockConfigEntry, withheld: str
) -> None:
    """Callers with a withheld number are different people nobody can dial.

    A rule (short call, listed number) opens no item for them; an AI-flagged
    call gets an item of its own, never joined by the next withheld caller.
    """
    hass.config_entries.async_update_entry(
        named, options={"phone_book": ANNA, "callback_numbers": withheld or "x"}
    )
    await hass.async_block_till_done()
    await post(short_call(1, callerNumber=withheld))
    await post(short_call(2, callerNumber=withheld))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert await items(hass) == []
    for call_id in (1, 2):
        record = await named.runtime_data.store.async_get(call_id)
        assert record is not None
        record.callback_needed = True
        record.ai_summary = f"Wants quote {call_id}."
        async_dispatcher_send(hass, signal_updated(named.entry_id), record)
        await hass.async_block_till_done(wait_background_tasks=True)
    found = await items(hass)
    assert sorted(item["uid"] for item in found) == ["1", "2"]
    assert {item["summary"] for item in found} == {"Call back an unknown number"}
