"""get/delete/purge actions, retention and the logbook line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
import sqlite3
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import (
    HomeAssistantError,
    ServiceValidationError,
    Unauthorized,
)
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
import voluptuous as vol

from custom_components.m8com.const import DOMAIN

from .conftest import MP3_BYTES, PostFn, load_payload, stored, stored_calls

DAY_MS = 86_400_000


@pytest.fixture
async def calls(
    hass: HomeAssistant,
    post: PostFn,
    aioclient_mock: AiohttpClientMocker,
    loaded_entry: MockConfigEntry,
) -> MockConfigEntry:
    """Three calls, 1, 5 and 40 days old, each with one recording."""
    now_ms = int(dt_util.utcnow().timestamp() * 1000)
    for call_id, age, caller, direction in (
        (1, 1, "+46 70-111 11 11", "inbound"),
        (2, 5, "+46702222222", "outbound"),
        (3, 40, "0701111111", "inbound"),
    ):
        url = f"https://r.test/{call_id}.mp3"
        aioclient_mock.get(
            url, content=MP3_BYTES, headers={"Content-Type": "audio/mpeg"}
        )
        await post(
            {
                **load_payload("v2"),
                "id": call_id,
                "fileUrls": [url],
                "callerNumber": caller,
                "direction": direction,
                "startTime": now_ms - age * DAY_MS,
            }
        )
    await hass.async_block_till_done(wait_background_tasks=True)
    return loaded_entry


async def call_service(hass: HomeAssistant, name: str, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN, name, data, blocking=True, return_response=True
    )


async def test_get_recordings_newest_first_with_filters(
    hass: HomeAssistant, calls: MockConfigEntry
) -> None:
    result = await call_service(hass, "get_recordings")
    recordings = result["recordings"]
    assert [r["call_id"] for r in recordings] == [1, 2, 3]
    first = recordings[0]
    assert first["entry_id"] == calls.entry_id
    assert first["status"] == "saved"
    assert first["media_content_ids"] == [f"media-source://m8com/{calls.entry_id}/1/0"]
    assert set(first) >= {
        "call_id", "entry_id", "start_time", "end_time", "caller_number",
        "callee_number", "direction", "answer_group_name", "agent_name",
        "talk_time", "summary", "status", "files", "media_content_ids",
    }  # fmt: skip
    found = await call_service(hass, "get_recordings", number="+46701111111")
    assert [r["call_id"] for r in found["recordings"]] == [1, 3]
    found = await call_service(hass, "get_recordings", direction="outbound")
    assert [r["call_id"] for r in found["recordings"]] == [2]
    since = (dt_util.now() - timedelta(days=10)).replace(tzinfo=None).isoformat()
    found = await call_service(hass, "get_recordings", since=since, limit=1)
    assert [r["call_id"] for r in found["recordings"]] == [1]
    until = (dt_util.utcnow() - timedelta(days=3)).isoformat()
    found = await call_service(
        hass, "get_recordings", until=until, answer_group="Support",
        config_entry_id=calls.entry_id,
    )  # fmt: skip
    assert [r["call_id"] for r in found["recordings"]] == [2, 3]


async def test_delete_by_number_removes_files_and_index(
    hass: HomeAssistant, calls: MockConfigEntry, media_dir: Path
) -> None:
    files = {f for r in stored_calls(calls).values() for f in r.files}
    assert all((media_dir / f).exists() for f in files)
    result = await call_service(hass, "delete_recordings", number="070-111 11 11")
    assert result == {"deleted": 2}
    assert sorted(stored_calls(calls)) == [2]
    remaining = sorted(
        p.relative_to(media_dir).as_posix() for p in media_dir.rglob("*.mp3")
    )
    assert remaining == stored(calls, 2).files
    result = await call_service(hass, "delete_recordings", call_ids=[2, 99])
    assert result == {"deleted": 1}
    assert not list(media_dir.rglob("*"))  # empty day folders are gone too


async def test_an_erasure_whose_checkpoint_fails_still_removes_the_files(
    hass: HomeAssistant, calls: MockConfigEntry, media_dir: Path
) -> None:
    """The rows are committed gone before the checkpoint: their files go too.

    The action says it failed, but a retry would find no row to name the
    files by, so they are removed at once (red team, issue 23).
    """
    files = stored(calls, 1).files
    assert all((media_dir / f).exists() for f in files)
    with (
        patch(
            "custom_components.m8com.store_db.Database.checkpoint_exact",
            side_effect=sqlite3.OperationalError("disk I/O error"),
        ),
        pytest.raises(HomeAssistantError),
    ):
        await call_service(hass, "delete_recordings", call_ids=[1])
    assert sorted(stored_calls(calls)) == [2, 3]
    assert not any((media_dir / f).exists() for f in files)
    assert (media_dir / stored(calls, 2).files[0]).exists()


async def test_purge_older_than(hass: HomeAssistant, calls: MockConfigEntry) -> None:
    assert await call_service(hass, "purge_recordings", older_than_days=30) == {
        "deleted": 1
    }
    assert sorted(stored_calls(calls)) == [1, 2]
    assert await call_service(hass, "purge_recordings", older_than_days=30) == {
        "deleted": 0
    }


@pytest.mark.parametrize(
    ("name", "data", "key"),
    [
        ("delete_recordings", {}, "delete_needs_target"),
        ("get_recordings", {"config_entry_id": "missing"}, "entry_not_found"),
        (
            "get_recordings",
            {"since": "2025-03-02T00:00:00", "until": "2025-03-01T00:00:00"},
            "since_after_until",
        ),
    ],
)
async def test_bad_arguments(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, name: str, data: Any, key: str
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await call_service(hass, name, **data)
    assert err.value.translation_key == key


async def test_unloaded_entry_is_a_validation_error(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    await hass.config_entries.async_unload(loaded_entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await call_service(
            hass, "get_recordings", config_entry_id=loaded_entry.entry_id
        )
    assert err.value.translation_key == "entry_not_loaded"


async def test_schema_rejects_bad_values(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    with pytest.raises(vol.Invalid):
        await call_service(hass, "get_recordings", direction="sideways")


@pytest.mark.parametrize("limit", [0, 10_001, 10**20])
async def test_get_recordings_with_a_limit_out_of_range_is_a_validation_error(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, limit: int
) -> None:
    """Not an SQLite overflow ("Unknown error"): the schema bounds ``limit``."""
    with pytest.raises(vol.Invalid):
        await call_service(hass, "get_recordings", limit=limit)
    found = await call_service(hass, "get_recordings", limit=10_000)
    assert found == {"recordings": []}


async def test_retention_applies_at_startup_and_daily(
    hass: HomeAssistant, calls: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    hass.config_entries.async_update_entry(calls, options={"retention_days": 30})
    await hass.config_entries.async_reload(calls.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert sorted(stored_calls(calls)) == [1, 2]
    hass.config_entries.async_update_entry(calls, options={"retention_days": 3})
    freezer.tick(timedelta(days=1, seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert sorted(stored_calls(calls)) == [1]


async def test_erased_during_download_leaves_no_file(
    hass: HomeAssistant,
    post: PostFn,
    aioclient_mock: AiohttpClientMocker,
    loaded_entry: MockConfigEntry,
    media_dir: Path,
) -> None:
    async def erase_then_answer(method: str, url: Any, data: Any) -> Any:
        await loaded_entry.runtime_data.store.async_erase({4711})
        return AiohttpClientMockResponse(
            method, url, response=MP3_BYTES, headers={"Content-Type": "audio/mpeg"}
        )

    aioclient_mock.get(
        "https://recordings.m8com.test/rec/4711.mp3", side_effect=erase_then_answer
    )
    await post(load_payload("v2"))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not list(media_dir.rglob("*.mp3"))


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("get_recordings", {}),
        ("delete_recordings", {"call_ids": [4711]}),
        ("purge_recordings", {"older_than_days": 0}),
    ],
)
async def test_actions_are_for_administrators_only(
    hass: HomeAssistant,
    post: PostFn,
    loaded_entry: MockConfigEntry,
    hass_read_only_user: MockUser,
    hass_admin_user: MockUser,
    action: str,
    data: dict[str, Any],
) -> None:
    """Erasure is irreversible and the history names every caller."""
    await post({**load_payload("v2"), "fileUrls": []})
    response = action == "get_recordings"

    async def run_as(user: MockUser, *, return_response: bool) -> Any:
        return await hass.services.async_call(
            DOMAIN,
            action,
            data,
            blocking=True,
            return_response=return_response,
            context=Context(user_id=user.id),
        )

    with pytest.raises(Unauthorized):
        await run_as(hass_read_only_user, return_response=response)
    assert 4711 in stored_calls(loaded_entry)
    result = await run_as(hass_admin_user, return_response=True)
    assert result is not None
    assert ("recordings" in result) if response else result == {"deleted": 1}
