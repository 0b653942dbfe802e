"""Who may deliver: the secret decides before a byte of the body is read.

Runs over HTTP and through HA's cloud client (``deliver``), as test_webhook.
"""

from __future__ import annotations

from http import HTTPStatus
from unittest.mock import patch

from homeassistant.core import Event, HomeAssistant
import pytest

from .conftest import SECRET, PostFn, load_payload, no_audio


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": SECRET},
        {"Authorization": f"Bearer {SECRET}x"},
        {"Authorization": f"Basic {SECRET}"},
        {"Authorization": f"Bearer{SECRET}"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer wrong-secret-0123456789"},
        {"Authorization": "Bearer åäö"},
    ],
)
async def test_wrong_or_missing_secret_is_401(
    hass: HomeAssistant,
    deliver: PostFn,
    call_events: list[Event],
    headers: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    response = await deliver(load_payload("v2"), headers=headers)
    assert response.status == HTTPStatus.UNAUTHORIZED
    await hass.async_block_till_done()
    assert call_events == []
    assert "missing or wrong secret" in caplog.text
    assert SECRET not in caplog.text


async def test_auth_is_decided_before_the_body_is_read(post: PostFn) -> None:
    with patch("custom_components.m8com.webhook_body._read_bounded") as read:
        response = await post(b"x" * 10, headers={"Authorization": "Bearer nope"})
    assert response.status == HTTPStatus.UNAUTHORIZED
    read.assert_not_called()


@pytest.mark.parametrize(
    "authorization",
    [f"bearer {SECRET}", f"BEARER   {SECRET}", f"Bearer \t{SECRET}"],
)
async def test_bearer_scheme_is_case_insensitive_with_any_whitespace(
    hass: HomeAssistant, deliver: PostFn, call_events: list[Event], authorization: str
) -> None:
    payload = no_audio(load_payload("v2"))
    response = await deliver(payload, headers={"Authorization": authorization})
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert len(call_events) == 1


async def test_wrong_secret_log_names_the_sender(
    deliver: PostFn, caplog: pytest.LogCaptureFixture
) -> None:
    await deliver(load_payload("v2"), headers={"Authorization": "Bearer nope"})
    assert "rejected a delivery from 127.0.0.1" in caplog.text or (
        "rejected a delivery from Home Assistant cloud" in caplog.text
    )
