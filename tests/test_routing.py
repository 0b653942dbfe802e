"""Webhook ids stay open whatever the account's state, and say why with a status.

HA's webhook component answers 200 to an id with no handler, which M8Com
takes as "kept"; these tests prove no state of an account falls into that.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any
from unittest.mock import patch

from homeassistant.components.webhook import DOMAIN as WEBHOOK_DOMAIN
from homeassistant.config_entries import ConfigEntryDisabler, ConfigEntryState
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com.const import DOMAIN
from custom_components.m8com.health import async_health
from custom_components.m8com.routing import RETRY_AFTER_SECONDS, retire
from custom_components.m8com.store import CallStore

from .conftest import (
    AUTH,
    DIRECT_PATH,
    WEBHOOK_ID,
    WEBHOOK_PATH,
    Client,
    listen,
    load_payload,
    state_of,
    stored_calls,
)

CALL = {**load_payload("v2"), "fileUrls": []}


@pytest.fixture
async def http(
    hass: HomeAssistant, hass_client_no_auth: Callable[[], Coroutine[Any, Any, Client]]
) -> Client:
    """A client for an HA whose m8com entry is not set up by a fixture."""
    for domain in ("http", "webhook", "media_source"):
        assert await async_setup_component(hass, domain, {})
    # The test server freezes the routes; HA's own server keeps taking views
    # after start (``HomeAssistantHTTP.start``), as m8com's set-up needs.
    hass.http.app._router.freeze = lambda: None  # type: ignore[method-assign]
    return await hass_client_no_auth()


@contextmanager
def held_open() -> Iterator[tuple[asyncio.Event, asyncio.Event]]:
    """Hold set-up inside the store's open: ``(started, release)``.

    The account is then neither loaded nor failed, the state whose answer
    (503) these tests check.
    """
    started, release = asyncio.Event(), asyncio.Event()
    real_open = CallStore.async_open

    async def slow_open(store: CallStore) -> None:
        started.set()
        await release.wait()
        await real_open(store)

    with patch.object(CallStore, "async_open", slow_open):
        yield started, release


async def move_to_new_id(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Give the account the webhook id ``new-id`` (as *Reconfigure* with a new
    URL does): its old id is retired, kept answering 410."""
    hass.config_entries.async_update_entry(entry, data=retire(entry.data, "new-id"))
    await hass.config_entries.async_reload(entry.entry_id)


def registered(hass: HomeAssistant) -> set[str]:
    """The webhook ids HA's webhook component has handlers for."""
    return set(hass.data.get(WEBHOOK_DOMAIN, {}))


async def test_failed_setup_answers_503_and_raises_a_repair(
    hass: HomeAssistant, config_entry: MockConfigEntry, http: Client
) -> None:
    config_entry.add_to_hass(hass)
    with patch(
        "custom_components.m8com.store.CallStore.async_open",
        side_effect=OSError(5, "Input/output error"),
    ):
        assert not await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    response = await http.post(WEBHOOK_PATH, json=CALL, headers=AUTH)
    assert response.status == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"setup_failed_{config_entry.entry_id}"
    )
    assert issue is not None
    assert "Input/output error" in (issue.translation_placeholders or {})["error"]
    # Fixed: the reload loads the account, the issue goes, calls are kept.
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    assert (await http.post(WEBHOOK_PATH, json=CALL, headers=AUTH)).status == 200
    assert 4711 in stored_calls(config_entry)
    assert (
        ir.async_get(hass).async_get_issue(
            DOMAIN, f"setup_failed_{config_entry.entry_id}"
        )
        is None
    )


async def test_setup_in_progress_answers_503(
    hass: HomeAssistant, config_entry: MockConfigEntry, http: Client
) -> None:
    config_entry.add_to_hass(hass)
    with held_open() as (started, release):
        setup = hass.async_create_task(
            hass.config_entries.async_setup(config_entry.entry_id)
        )
        await started.wait()
        assert WEBHOOK_ID in registered(hass)
        early = await http.post(WEBHOOK_PATH, json=CALL, headers=AUTH)
        release.set()
        assert await setup
    assert early.status == HTTPStatus.SERVICE_UNAVAILABLE
    assert 4711 not in stored_calls(config_entry)
    assert (await http.post(WEBHOOK_PATH, json=CALL, headers=AUTH)).status == 200


async def test_disabled_account_answers_503(
    hass: HomeAssistant, config_entry: MockConfigEntry, http: Client
) -> None:
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.config_entries.async_set_disabled_by(
        config_entry.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    response = await http.post(WEBHOOK_PATH, json=CALL, headers=AUTH)
    assert response.status == HTTPStatus.SERVICE_UNAVAILABLE


async def test_component_setup_opens_every_account_before_any_loads(
    hass: HomeAssistant, config_entry: MockConfigEntry, http: Client
) -> None:
    other = MockConfigEntry(
        domain=DOMAIN,
        title="Other",
        data={**config_entry.data, CONF_WEBHOOK_ID: "other-id"},
        disabled_by=ConfigEntryDisabler.USER,
    )
    config_entry.add_to_hass(hass)
    other.add_to_hass(hass)
    with patch(
        "custom_components.m8com.async_setup_entry", return_value=False
    ) as setup_entry:
        assert await async_setup_component(hass, DOMAIN, {})
        await hass.async_block_till_done()
    assert {WEBHOOK_ID, "other-id"} <= registered(hass)
    assert setup_entry.call_count == 1  # the disabled account is not set up...
    response = await http.post("/api/webhook/other-id", json=CALL, headers=AUTH)
    assert response.status == HTTPStatus.SERVICE_UNAVAILABLE  # ...but not silent


async def test_reload_never_opens_a_gap(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, http: Client
) -> None:
    statuses: list[int] = []
    reloaded = asyncio.Event()

    async def sender() -> None:
        """Post during the reloads, then until one is taken (at most 100 more)."""
        after = 0
        while after < 100:  # a bound, so a test that fails ends
            response = await http.post(
                WEBHOOK_PATH, json={**CALL, "id": len(statuses) + 1}, headers=AUTH
            )
            statuses.append(response.status)
            if reloaded.is_set():
                if response.status == HTTPStatus.OK:
                    return
                after += 1
            await asyncio.sleep(0)

    sending = hass.async_create_task(sender())
    for _ in range(3):
        await hass.config_entries.async_reload(loaded_entry.entry_id)
    reloaded.set()
    await sending
    await hass.async_block_till_done()
    accepted = {i + 1 for i, status in enumerate(statuses) if status == HTTPStatus.OK}
    assert set(statuses) <= {HTTPStatus.OK, HTTPStatus.SERVICE_UNAVAILABLE}
    assert accepted, "no delivery was answered 200: nothing was tested"
    assert accepted <= set(stored_calls(loaded_entry))


async def test_retired_url_answers_410_with_a_repair_until_the_new_one_is_used(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    http: Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await move_to_new_id(hass, loaded_entry)
    old = await http.post(WEBHOOK_PATH, json=CALL, headers=AUTH)
    assert old.status == HTTPStatus.GONE
    assert "reached the replaced webhook URL" in caplog.text
    assert "new-id" not in caplog.text
    assert loaded_entry.data["secret"] not in caplog.text
    issue_id = f"retired_url_{loaded_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    new = await http.post("/api/webhook/new-id", json=CALL, headers=AUTH)
    assert new.status == HTTPStatus.OK
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


def test_at_most_three_urls_are_kept_retired() -> None:
    data: dict[str, Any] = {CONF_WEBHOOK_ID: "a"}
    for new in ("b", "c", "d", "e"):
        data = retire(data, new)
    assert data[CONF_WEBHOOK_ID] == "e"
    assert data["retired_webhook_ids"] == ["d", "c", "b"]
    assert retire(data, "c")["retired_webhook_ids"] == ["e", "d", "b"]


async def test_deleting_the_account_closes_every_url(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    await move_to_new_id(hass, loaded_entry)
    assert {WEBHOOK_ID, "new-id"} <= registered(hass)
    await hass.config_entries.async_remove(loaded_entry.entry_id)
    assert not {WEBHOOK_ID, "new-id"} & registered(hass)


async def test_direct_path_is_404_before_set_up_never_a_silent_200(
    hass: HomeAssistant, config_entry: MockConfigEntry, http: Client
) -> None:
    """The URL M8Com is given: 404, then 503 while loading, then kept.

    HA's webhook component is up first (as with Nabu Casa or a webhook
    trigger) and answers 200 for our id before m8com starts: that call would
    be lost. Our own path does not exist yet and answers 404, which M8Com
    retries.
    """
    config_entry.add_to_hass(hass)
    assert (await http.post(WEBHOOK_PATH, json=CALL, headers=AUTH)).status == 200
    assert (await http.post(DIRECT_PATH, json=CALL, headers=AUTH)).status == 404
    with held_open() as (started, release):
        setup = hass.async_create_task(async_setup_component(hass, DOMAIN, {}))
        await started.wait()
        loading = await http.post(DIRECT_PATH, json=CALL, headers=AUTH)
        release.set()
        assert await setup
        await hass.async_block_till_done()
    assert loading.status == HTTPStatus.SERVICE_UNAVAILABLE
    assert loading.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert (await http.post(DIRECT_PATH, json=CALL, headers=AUTH)).status == 200
    assert 4711 in stored_calls(config_entry)
    # Only registered ids and only POST: everything else is an error status.
    assert (await http.post("/api/m8com/nobody", json=CALL, headers=AUTH)).status == 404
    assert (await http.get(DIRECT_PATH)).status == HTTPStatus.METHOD_NOT_ALLOWED
    # The shared handler: the secret is checked on this path too.
    wrong = {"Authorization": "Bearer wrong-secret-0123456789"}
    assert (await http.post(DIRECT_PATH, json=CALL, headers=wrong)).status == 401


async def test_retired_direct_url_answers_410(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, http: Client
) -> None:
    await move_to_new_id(hass, loaded_entry)
    old = await http.post(DIRECT_PATH, json=CALL, headers=AUTH)
    assert old.status == HTTPStatus.GONE
    assert (await http.post("/api/m8com/new-id", json=CALL, headers=AUTH)).status == 200


WRONG = {"Authorization": "Bearer wrong-secret-0000000000"}


async def test_a_stranger_learns_nothing_from_a_retired_or_starting_account(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    http: Client,
) -> None:
    """Without the secret: 401, never the 410 or 503 that would tell a retired
    id or an account's state apart, and no retired-URL repair."""
    await move_to_new_id(hass, loaded_entry)
    retired = await http.post(WEBHOOK_PATH, json=CALL, headers=WRONG)
    assert retired.status == HTTPStatus.UNAUTHORIZED
    issue_id = f"retired_url_{loaded_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    await hass.config_entries.async_set_disabled_by(
        loaded_entry.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    disabled = await http.post("/api/webhook/new-id", json=CALL, headers=WRONG)
    assert disabled.status == HTTPStatus.UNAUTHORIZED
    right = await http.post("/api/webhook/new-id", json=CALL, headers=AUTH)
    assert right.status == HTTPStatus.SERVICE_UNAVAILABLE


async def test_wrong_secrets_cost_one_warning_and_one_state_write_a_minute(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    http: Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sensor = "sensor.m8com_rejected_deliveries"
    state_changes = listen(hass, "state_changed")
    for _ in range(50):
        answer = await http.post(WEBHOOK_PATH, json=CALL, headers=WRONG)
        assert answer.status == HTTPStatus.UNAUTHORIZED
    await hass.async_block_till_done()
    assert caplog.text.count("missing or wrong secret") == 1
    writes = [e for e in state_changes if e.data["entity_id"] == sensor]
    assert len(writes) == 1
    health = async_health(hass, loaded_entry.entry_id)
    assert health.rejected[HTTPStatus.UNAUTHORIZED] == 50  # every one counted
    with patch(
        "custom_components.m8com.webhook_auth.time.monotonic", return_value=1e12
    ):
        await http.post(WEBHOOK_PATH, json=CALL, headers=WRONG)
        await hass.async_block_till_done()
    assert "49 more since the last warning" in caplog.text
    assert state_of(hass, sensor).state == "51"
