"""What one call costs Home Assistant's recorder and logbook, counted in real HA.

The default recorder (SQLite) of a real HA process is read after HA stopped
(which commits everything): rows per call, logbook lines per call, and the
README's privacy recipe (no phone number of a call reaches the database).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
import contextlib
from datetime import datetime
import json
import sqlite3
import time
from typing import Any

from yarl import URL

from .entries import SECRET, create_entry
from .harness import HomeAssistantProcess, curl_post, until

CALLS = 5
CALLBACKS = "todo.m8com_callbacks"


def realistic(call_id: int) -> dict[str, Any]:
    """Every detail differs per call, as real calls do."""
    now_ms = int(time.time() * 1000)
    return {
        "id": call_id,
        "fileUrls": [],
        "callerNumber": f"+4670{call_id:07d}",
        "calleeNumber": f"+4681{call_id:07d}",
        "startTime": now_ms - 60_000 + call_id,
        "endTime": now_ms,
        "waitTime": 1000 * call_id,
        "talkTime": 7000 * call_id,
        "agentName": f"Agent {call_id}",
        "answerGroupName": f"Group {call_id}",
        "direction": "inbound" if call_id % 2 else "outbound",
        "summary": f"Summary of call {call_id}",
    }


@contextlib.contextmanager
def database(ha: HomeAssistantProcess) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(ha.config / "home-assistant_v2.db")
    try:
        yield connection
    finally:
        connection.close()


def counts(ha: HomeAssistantProcess) -> dict[str, int]:
    """Rows a call can add: its events, their data, states and attribute rows."""
    with database(ha) as db:

        def one(sql: str) -> int:
            return int(db.execute(sql).fetchone()[0])

        return {
            "events": one(
                "SELECT COUNT(*) FROM events JOIN event_types USING (event_type_id) "
                "WHERE event_types.event_type LIKE 'm8com%'"
            ),
            "event_data": one("SELECT COUNT(*) FROM event_data"),
            "states": one(
                "SELECT COUNT(*) FROM states JOIN states_meta USING (metadata_id) "
                "WHERE states_meta.entity_id LIKE '%m8com%'"
            ),
            "state_attributes": one("SELECT COUNT(*) FROM state_attributes"),
        }


def recorded(ha: HomeAssistantProcess, states: list[dict[str, Any]]) -> bool:
    """Whether the database holds each of these (m8com) states already."""
    with database(ha) as db:
        for state in states:
            row = db.execute(
                "SELECT MAX(last_updated_ts) FROM states JOIN states_meta "
                "USING (metadata_id) WHERE states_meta.entity_id = ?",
                (state["entity_id"],),
            ).fetchone()
            updated = datetime.fromisoformat(state["last_updated"]).timestamp()
            if row[0] is None or row[0] < updated - 0.001:
                return False
    return True


async def until_recorded(ha: HomeAssistantProcess) -> None:
    """Wait until the recorder has written every m8com entity's current state.

    The recorder commits each event as it goes (``commit_interval: 0``), so a
    state in the database means everything before it is there too.
    """

    async def all_recorded() -> bool:
        states: list[dict[str, Any]] = [
            s for s in await ha.rest("GET", "/api/states") if "m8com" in s["entity_id"]
        ]
        return bool(states) and await asyncio.to_thread(recorded, ha, states)

    await until(all_recorded)


async def post_calls(ha: HomeAssistantProcess, first: int) -> None:
    """Add the account, restart with the test's config, then post the calls."""
    ha.extra_config = "logbook:\n"
    ha.recorder_extra += "  commit_interval: 0\n"
    entry = await create_entry(ha)
    endpoint = ha.url + URL(entry["description_placeholders"]["webhook_url"]).path
    await ha.stop()  # commits everything, the set-up's own rows too
    await ha.start()
    await ha.login()
    await until_recorded(ha)  # the start-up's rows are not the calls'
    ha.before = await asyncio.to_thread(counts, ha)  # type: ignore[attr-defined]
    for call_id in range(first, first + CALLS):
        assert await curl_post(endpoint, SECRET, json.dumps(realistic(call_id))) == 200
    await until_recorded(ha)


async def test_one_call_costs_one_logbook_line_and_at_most_three_rows(
    ha: HomeAssistantProcess,
) -> None:
    await post_calls(ha, 1)
    start = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 60))
    logbook = await ha.rest("GET", f"/api/logbook/{start}Z")
    todo = [line for line in logbook if line.get("entity_id") == CALLBACKS]
    ours = [
        line
        for line in logbook
        if ("m8com" in json.dumps(line) or line.get("name") == "M8Com")
        and line not in todo
    ]
    await ha.stop()
    after = await asyncio.to_thread(counts, ha)
    before: dict[str, int] = ha.before  # type: ignore[attr-defined]
    added = {key: after[key] - before[key] for key in after}
    print(f"recorder rows added by {CALLS} calls: {added}; logbook: {ours} {todo}")  # noqa: T201
    assert len(ours) == CALLS, ours
    # Only call 1 (inbound, 7 s) needs a call back: one state of the to-do list.
    assert [line["state"] for line in todo] == ["1"], todo
    for line, call_id in zip(ours, range(1, CALLS + 1), strict=True):
        call = realistic(call_id)
        customer = call["callerNumber" if call_id % 2 else "calleeNumber"]
        assert customer in line["message"], line
    # Three rows a call; a call that needs a call back adds the list's state.
    assert sum(added.values()) <= 3 * CALLS + len(todo), added
    assert added["events"] == CALLS


async def test_privacy_recipe_keeps_every_number_out_of_the_database(
    ha: HomeAssistantProcess,
) -> None:
    """README, Privacy: ``recorder: exclude: event_types: [m8com_call_recording]``."""
    ha.recorder_extra = "  exclude:\n    event_types:\n      - m8com_call_recording\n"
    await post_calls(ha, 100)
    await ha.stop()
    raw = (ha.config / "home-assistant_v2.db").read_bytes()
    for path in ha.config.glob("home-assistant_v2.db-*"):  # a WAL not checkpointed
        raw += path.read_bytes()
    for call_id in range(100, 100 + CALLS):
        call = realistic(call_id)
        for value in (call["callerNumber"], call["calleeNumber"], call["summary"]):
            assert value.encode() not in raw, value
            assert value.lstrip("+").encode() not in raw, value
