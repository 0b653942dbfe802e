"""After a restart: downloads resumed within their links' time, the expired ones
reported, audio a crash left behind re-attached to its call."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)

from custom_components.m8com.call import LOST_REASON
from custom_components.m8com.const import DOMAIN

from .conftest import MP3_BYTES, mock_recording, pending, start, stored, stored_calls


@pytest.fixture
def day(media_dir: Path) -> Path:
    """The day folder of the pending calls' recordings, as a crash left it."""
    path = media_dir / "m8com" / "2025" / "03" / "14"
    path.mkdir(parents=True)
    return path


def placeholders(
    hass: HomeAssistant, kind: str, entry: MockConfigEntry
) -> dict[str, str]:
    """What the account's repair of this kind shows (it must be raised)."""
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"{kind}_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders is not None
    return dict(issue.translation_placeholders)


async def test_restart_resumes_fresh_and_reports_expired(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    aioclient_mock: AiohttpClientMocker,
    media_dir: Path,
) -> None:
    debris = media_dir / "m8com" / "2025" / "03" / "14" / "140312_1.mp3.part"
    debris.parent.mkdir(parents=True)
    debris.write_bytes(b"half")
    mock_recording(aioclient_mock, MP3_BYTES)
    await start(
        hass,
        config_entry,
        hass_storage,
        [pending(1, timedelta(minutes=5)), pending(2, timedelta(minutes=45))],
    )
    calls = stored_calls(config_entry)
    assert calls[1].status == "saved"
    assert len(calls[1].files) == 1
    assert (calls[2].status, calls[2].error, calls[2].urls) == ("lost", LOST_REASON, [])
    assert not debris.exists()
    lost = placeholders(hass, "lost_recordings", config_entry)
    assert lost["count"] == "1"
    assert "- 2: " in lost["calls"]
    assert "+46701234567 → +46812345678" in lost["calls"]


async def test_restart_during_a_redelivery_retry_keeps_the_fresh_window(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """Links redelivered 5 minutes ago are still valid after a restart."""
    stale = pending(4711, timedelta(hours=2))
    stale["links_received"] = (dt_util.utcnow() - timedelta(minutes=5)).isoformat()
    mock_recording(aioclient_mock, MP3_BYTES)
    await start(hass, config_entry, hass_storage, [stale])
    record = stored(config_entry, 4711)
    assert (record.status, record.error) == ("saved", None)


async def test_audio_stored_before_a_crash_is_reattached_to_its_call(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    day: Path,
) -> None:
    """The file was renamed into place, then HA died before the outcome was kept."""
    old = pending(4711, timedelta(hours=2))
    (day / "150312_4711.mp3").write_bytes(b"ID3")
    (day / "150312_4711_2.mp3").write_bytes(b"ID3")
    (day / "150312_999.mp3").write_bytes(b"ID3")  # no such call
    (day / "150312_5.mp3.part").write_bytes(b"ID")  # debris
    await start(hass, config_entry, hass_storage, [old])
    record = stored(config_entry, 4711)
    assert record.status == "saved"
    assert record.error is None
    assert record.files == [
        "m8com/2025/03/14/150312_4711.mp3",
        "m8com/2025/03/14/150312_4711_2.mp3",
    ]
    assert not (day / "150312_5.mp3.part").exists()
    orphans = placeholders(hass, "orphan_recordings", config_entry)
    assert orphans["count"] == "1"
    assert "150312_999.mp3" in orphans["files"]
    assert (
        ir.async_get(hass).async_get_issue(
            DOMAIN, f"lost_recordings_{config_entry.entry_id}"
        )
        is None
    )


async def test_a_transcript_of_no_call_is_listed_as_an_orphan(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    day: Path,
) -> None:
    """Written before a crash, its call erased since: listed, like audio."""
    old = pending(4711, timedelta(hours=2))
    (day / "150312_4711.txt").write_text("kept: its call exists")
    (day / "150312_999.txt").write_text("orphan")
    await start(hass, config_entry, hass_storage, [old])
    orphans = placeholders(hass, "orphan_recordings", config_entry)
    files = orphans["files"]
    assert "150312_999.txt" in files
    assert "4711" not in files
    assert stored(config_entry, 4711).files == []  # a transcript is no recording
