"""The journal: every change of a call on disk (fsynced, 0600) before it counts."""

from __future__ import annotations

import json
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)

from custom_components.m8com.index import Call, CallIndex

from .conftest import (
    RECEIVED,
    PostFn,
    journal,
    journal_calls,
    load_payload,
    store_index,
)


async def test_accepted_call_is_journaled_before_ack(
    hass: HomeAssistant, post: PostFn, loaded_entry: MockConfigEntry
) -> None:
    await post({**load_payload("v2"), "fileUrls": []})
    path = journal(hass, loaded_entry.entry_id)
    lines = path.read_text().splitlines()
    assert [json.loads(line)["call"]["call_id"] for line in lines] == [4711]
    assert [json.loads(line)["seq"] for line in lines] == [1]
    assert path.stat().st_mode & 0o777 == 0o600


async def test_load_merges_snapshot_and_skips_torn_journal_line(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    saved = {"call_id": 1, "received": RECEIVED.isoformat(), "status": "saved"}
    store_index(hass_storage, "e1", {"calls": [{**saved, "future_field": "ignored"}]})
    path = journal(hass, "e1")
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps({"call_id": 2, "received": RECEIVED.isoformat()})
        + "\n"
        + json.dumps({"call_id": 1, "received": RECEIVED.isoformat()})
        + "\n"
        + '{"call_id": 3, "rece'
    )
    index = CallIndex(hass, "e1")
    await index.async_load()
    assert sorted(index.calls) == [1, 2]
    assert index.calls[1].status == "saved"
    assert index.calls[2].status == "pending"
    assert not path.exists()


async def test_every_outcome_is_journaled_when_it_happens(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    index = CallIndex(hass, "e6")
    await index.async_load()
    record = Call(call_id=1, received=RECEIVED, urls=["https://x/1.mp3"])
    await index.async_accept(record)
    record.status, record.files, record.urls = "saved", ["m8com/a_1.mp3"], []
    await index.async_commit(record)
    assert journal_calls(hass, "e6") == [(1, 1, "pending"), (2, 1, "saved")]
    # A crash now (no snapshot yet): the restart sees the saved call.
    again = CallIndex(hass, "e6")
    await again.async_load()
    assert again.calls[1].status == "saved"
    assert again.calls[1].files == ["m8com/a_1.mp3"]
    await index.async_remove_storage()
    await index.async_close()
    await again.async_close()


async def test_replay_skips_lines_the_snapshot_holds(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """A crash between snapshot and compaction must not roll a call back."""
    saved = {"call_id": 1, "received": RECEIVED.isoformat(), "status": "saved"}
    store_index(hass_storage, "e7", {"seq": 2, "calls": [saved]})
    path = journal(hass, "e7")
    path.parent.mkdir(parents=True)
    old = {"call_id": 1, "received": RECEIVED.isoformat(), "status": "pending"}
    new = {"call_id": 2, "received": RECEIVED.isoformat(), "status": "pending"}
    path.write_text(
        json.dumps({"seq": 1, "call": old}) + "\n" + json.dumps({"seq": 3, "call": new})
    )
    index = CallIndex(hass, "e7")
    await index.async_load()
    assert index.calls[1].status == "saved"
    assert index.calls[2].status == "pending"
    await index.async_close()
    await index.async_accept(Call(call_id=3, received=RECEIVED))
    assert journal_calls(hass, "e7")[-1][0] == 4  # numbering continues
    await index.async_remove_storage()
    await index.async_close()
