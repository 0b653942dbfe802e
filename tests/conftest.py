"""Shared fixtures: an M8Com entry on a real webhook, a media folder, events.

Deliveries, recordings, the store's files, logs and the callback list have
their helpers in ``tests/helpers/``; they are imported here so pytest finds
their fixtures and ``from .conftest import …`` keeps finding every name.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest.mock import PropertyMock, patch

from homeassistant.const import CONF_WEBHOOK_ID, MAJOR_VERSION, Platform
from homeassistant.core import Event, HomeAssistant, State
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import (
    HomeAssistantSnapshotExtension,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.m8com import PLATFORMS
from custom_components.m8com.const import (
    CONF_CLOUDHOOK,
    CONF_SECRET,
    DOMAIN,
    EVENT_CALL_RECORDING,
    EVENT_RECORDING_SAVED,
)

# Every helper module's names, so ``from .conftest import …`` keeps working
# and pytest finds their fixtures here (it only looks in conftest modules).
from .helpers.delivery import *  # noqa: F403 - re-exported, see above
from .helpers.delivery import SECRET, WEBHOOK_ID
from .helpers.logs import *  # noqa: F403 - re-exported, see above
from .helpers.recordings import *  # noqa: F403 - re-exported, see above
from .helpers.store import *  # noqa: F403 - re-exported, see above
from .helpers.todo import *  # noqa: F403 - re-exported, see above


def state_of(hass: HomeAssistant, entity_id: str) -> State:
    """The entity's state, which must exist."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state


class VersionedSnapshotExtension(HomeAssistantSnapshotExtension):  # type: ignore[misc]
    """HA's serializer, one snapshot folder per HA year (registry fields differ)."""

    @classmethod
    def dirname(cls, *, test_location: Any) -> str:
        """``tests/snapshots/ha2025`` on the oldest target, ``ha2026`` on the newest."""
        return str(
            Path(test_location.filepath).parent / "snapshots" / f"ha{MAJOR_VERSION}"
        )


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots with HA's serializer (stable ids, readable states)."""
    return snapshot.use_extension(VersionedSnapshotExtension)


@pytest.fixture
def mock_recorder_before_hass(request: pytest.FixtureRequest) -> None:
    """A test that uses the recorder gets its database before ``hass`` exists.

    HA's plugin has ``hass`` ask this fixture first for exactly that; doing it
    here spares each recorder test module its own reordered autouse fixtures.
    """
    if "recorder_mock" in request.fixturenames:
        request.getfixturevalue("recorder_db_url")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let HA load custom_components/m8com in every test."""


@pytest.fixture(autouse=True)
def media_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Keep recordings and the call store out of the test package's folder.

    HA's config and media folders point into ``tmp_path``; returns the media folder.
    """
    hass.config.config_dir = str(tmp_path / "config")
    path = tmp_path / "media"
    hass.config.media_dirs = {"local": str(path)}
    return path


@pytest.fixture(autouse=True)
def no_backoff() -> Any:
    """Retries happen, but without real waiting."""
    with (
        patch("custom_components.m8com.downloader.RETRY_FIRST_DELAY", 0.001),
        patch("custom_components.m8com.downloader.RETRY_MAX_DELAY", 0.004),
        patch("custom_components.m8com.transcriber.RETRY_DELAYS", (0.0, 0.0)),
    ):
        yield


@pytest.fixture(autouse=True)
def mockable_downloads(request: pytest.FixtureRequest) -> Any:
    """Tests that mock M8Com's file server with ``aioclient_mock`` get HA's
    (mocked) session for downloads; all others use the real policy session."""
    if "aioclient_mock" not in request.fixturenames:
        yield
        return
    with patch(
        "custom_components.m8com.downloader.async_policy_session",
        lambda hass, **_: async_get_clientsession(hass),
    ):
        yield


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Create every entity enabled, opt-in ones too (as HA core's tests do)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


def listen(hass: HomeAssistant, event_type: str) -> list[Event]:
    """Every event of this type fired from now on, in order."""
    events: list[Event] = []
    hass.bus.async_listen(event_type, events.append)
    return events


@pytest.fixture
def call_events(hass: HomeAssistant) -> list[Event]:
    """Every ``m8com_call_recording`` event fired during the test."""
    return listen(hass, EVENT_CALL_RECORDING)


@pytest.fixture
def saved_events(hass: HomeAssistant) -> list[Event]:
    """Every ``m8com_recording_saved`` event fired during the test."""
    return listen(hass, EVENT_RECORDING_SAVED)


@pytest.fixture
def config_entry() -> MockConfigEntry:
    """An M8Com account as the config flow would create it."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="M8Com",
        entry_id="01JTESTENTRY0000000000000",
        unique_id=WEBHOOK_ID,
        data={CONF_WEBHOOK_ID: WEBHOOK_ID, CONF_SECRET: SECRET, CONF_CLOUDHOOK: False},
    )


@pytest.fixture
def platforms() -> list[Platform]:
    """The platforms to set up; a test may narrow them (snapshots)."""
    return PLATFORMS


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry, platforms: list[Platform]
) -> MockConfigEntry:
    """The account, set up with its webhook open."""
    config_entry.add_to_hass(hass)
    with patch("custom_components.m8com.PLATFORMS", platforms):
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
    return config_entry


@pytest.fixture
async def failed_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """The account after a set-up that failed late (recovery hit a disk error)."""
    config_entry.add_to_hass(hass)
    with patch(
        "custom_components.m8com.account.async_recover",
        side_effect=OSError(5, "Input/output error"),
    ):
        assert not await hass.config_entries.async_setup(config_entry.entry_id)
    return config_entry


async def wait_for(condition: Callable[[], object]) -> None:
    """Yield to the event loop until ``condition()`` holds (never a fixed time).

    Gives up (failing the test) after many turns of the loop, so a condition
    that never comes does not hang the run.
    """
    for _ in range(5000):
        if condition():
            return
        await asyncio.sleep(0.002)
    msg = "the condition never held"
    raise AssertionError(msg)
