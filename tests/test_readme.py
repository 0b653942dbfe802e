"""The README's YAML examples parse, and what they name exists after a call.

Entities, the attributes the dashboard reads, the keys of ``recent_calls``
rows, the event data the automation examples use, and the statistic ids (the
example's entry id stands for the account's own, in lower case).
"""

from __future__ import annotations

import re
from typing import Any

from homeassistant.components.recorder.core import Recorder
from homeassistant.components.recorder.statistics import async_list_statistic_ids
from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import parse_yaml
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from e2e.readme import names, readme_dashboard, yaml_blocks

from .conftest import PostFn, load_payload, mock_recording, state_of


def test_every_block_parses_without_comments() -> None:
    """Pasted into HA's editors: valid YAML, no comment an editor would drop."""
    blocks = yaml_blocks()
    assert len(blocks) >= 4
    for block in blocks:
        assert parse_yaml(block) is not None
        assert not re.search(r"(^|\s)#(?!\w)", block), block
    dashboard = parse_yaml(readme_dashboard())
    assert isinstance(dashboard, dict)
    assert isinstance(dashboard["views"], list)
    assert all(card["type"] for card in dashboard["views"][0]["cards"])


async def test_what_the_examples_name_exists_after_a_call(
    hass: HomeAssistant,
    recorder_mock: Recorder,
    aioclient_mock: Any,
    post: PostFn,
    call_events: list[Event],
    saved_events: list[Event],
    loaded_entry: MockConfigEntry,
) -> None:
    mock_recording(aioclient_mock)
    named = names(yaml_blocks())
    assert named.entities == {"sensor.m8com_calls_today", "todo.m8com_callbacks"}
    payload = {**load_payload("v2"), "startTime": int(dt_util.now().timestamp() * 1000)}
    await post(payload)
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)

    for entity_id in named.entities:
        assert state_of(hass, entity_id)
    attributes = state_of(hass, "sensor.m8com_calls_today").attributes
    assert named.attributes <= set(attributes), named.attributes - set(attributes)
    (row,) = attributes["recent_calls"]
    assert named.recent_call_keys <= set(row)
    fired = {"m8com_call_recording": call_events, "m8com_recording_saved": saved_events}
    assert set(named.event_keys) == set(fired)
    for event_type, keys in named.event_keys.items():
        (event,) = fired[event_type]
        assert keys <= set(event.data), keys - set(event.data)

    own = {
        re.sub(r"_[0-9a-z]+$", f"_{loaded_entry.entry_id.lower()}", statistic)
        for statistic in named.statistics
    }
    assert own == {f"m8com:talk_time_{loaded_entry.entry_id.lower()}"}
    existing = {row["statistic_id"] for row in await async_list_statistic_ids(hass)}
    assert own <= existing
