"""Fuzzing the webhook: whatever arrives, the answer is 200, 400, 401 or 413.

Hypothesis generates the inputs up front (the webhook is async, hypothesis is
not); M8COM_FUZZ_EXAMPLES raises the count (benchmarks/fuzz runs 5 000).
"""

from __future__ import annotations

from http import HTTPStatus
import json
import logging
import os
from typing import Any

from homeassistant.core import Event, HomeAssistant
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com.const import MAX_BODY_BYTES

from .conftest import AUTH, Client, PostFn, leaked, stored_calls

EXAMPLES = int(os.environ.get("M8COM_FUZZ_EXAMPLES", "500"))
ALLOWED = {HTTPStatus.OK, HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED,
           HTTPStatus.REQUEST_ENTITY_TOO_LARGE}  # fmt: skip
KNOWN = [
    "id", "fileUrls", "callerNumber", "calleeNumber", "startTime", "endTime",
    "waitTime", "talkTime", "agentId", "agentName", "answerGroupName",
    "answerGroupId", "referredTo", "referredBy", "direction", "recorderId",
    "summary", "userId",
]  # fmt: skip

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
# Valid payloads carry valid Unicode: a lone surrogate escape ("\\ud800") is
# grammatical JSON but not text, and is answered 400 (see the any-input test).
unicode_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
opt_text = st.none() | unicode_text
millis = st.none() | st.integers(0, 4 * 10**12) | st.integers(0, 10**6).map(str)
valid_payloads: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {"id": st.integers(0, 2**53)},
    optional={
        "fileUrls": st.just([]),
        "callerNumber": opt_text,
        "calleeNumber": opt_text,
        "startTime": millis,
        "endTime": millis,
        "waitTime": st.none() | st.integers(0, 10**7),
        "talkTime": st.none() | st.floats(0, 10**8) | st.integers(0, 10**8),
        "agentName": opt_text,
        "answerGroupId": opt_text,
        "direction": st.sampled_from(["inbound", "outbound", "Inbound", "", None]),
        "summary": opt_text,
        "userId": opt_text,
        "unknownField": st.none() | st.integers() | unicode_text,
    },
)
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60)
headers = st.one_of(
    st.just(AUTH),
    st.dictionaries(
        st.sampled_from(["Authorization", "Content-Type", "X-Other"]), header_text
    ),
    header_text.map(lambda t: {"Authorization": f"Bearer {t}"}),
)
bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(KNOWN), json_values).map(
        lambda d: json.dumps(d).encode()
    ),
    valid_payloads.map(lambda d: json.dumps(d).encode()),
    st.integers(MAX_BODY_BYTES + 1, MAX_BODY_BYTES + 64).map(lambda n: b" " * n),
)


def generate(strategy: st.SearchStrategy[Any]) -> list[Any]:
    """Draw EXAMPLES inputs with hypothesis (its generator, our async runner)."""
    drawn: list[Any] = []

    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def draw(example: Any) -> None:
        drawn.append(example)

    draw()
    return drawn


@pytest.fixture
def no_audio(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """Fuzz the webhook, not the network: store call details only."""
    hass.config_entries.async_update_entry(
        loaded_entry, options={"download_audio": False}
    )


async def test_any_input_gets_a_defined_status(
    hass: HomeAssistant,
    client: Client,
    no_audio: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    statuses: set[int] = set()
    for body, head in generate(st.tuples(bodies, headers)):
        response = await client.post(
            "/api/webhook/0123456789abcdef0123456789abcdef", data=body, headers=head
        )
        assert response.status in ALLOWED, (body[:200], head)
        statuses.add(response.status)
    await hass.async_block_till_done()
    assert statuses >= {HTTPStatus.OK, HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED}
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
    assert leaked(caplog) == []


async def test_every_valid_payload_fires_exactly_one_event(
    hass: HomeAssistant, call_events: list[Event], post: PostFn, no_audio: None
) -> None:
    payloads = generate(valid_payloads)
    for n, payload in enumerate(payloads):
        response = await post({**payload, "id": n})
        assert response.status == HTTPStatus.OK, payload
        await post({**payload, "id": n})  # a retry changes nothing
    await hass.async_block_till_done()
    assert sorted(e.data["call_id"] for e in call_events) == list(range(len(payloads)))


# Strictly valid JSON values (no NaN or infinity, which JSON does not have).
strict_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | unicode_text,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(unicode_text.map(lambda t: t[:8]), inner, max_size=4)
    ),
    max_leaves=12,
)
any_call: st.SearchStrategy[dict[str, Any]] = st.dictionaries(
    st.sampled_from(KNOWN[1:]) | unicode_text.map(lambda t: t[:8]),
    strict_values,
    max_size=12,
).map(lambda d: {k: v for k, v in d.items() if k != "id"})


async def test_any_object_with_a_valid_id_is_kept_exactly_once(
    hass: HomeAssistant,
    call_events: list[Event],
    post: PostFn,
    no_audio: None,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Only the id decides acceptance: any other field may be anything at all."""
    payloads = generate(any_call)
    for n, payload in enumerate(payloads):
        body = json.dumps({**payload, "id": n})
        assert (await post(body)).status == HTTPStatus.OK, body[:300]
        assert (await post(body)).status == HTTPStatus.OK  # the resend
    await hass.async_block_till_done()
    assert sorted(stored_calls(loaded_entry)) == list(range(len(payloads)))
    assert sorted(e.data["call_id"] for e in call_events) == list(range(len(payloads)))
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
