"""An account in a real Home Assistant, set up and configured as the UI does.

Shared by every e2e test module (and scripts/screenshots.py), so each drives
HA's config and options flows the one same way, with every form section.
"""

from __future__ import annotations

import time
from typing import Any

from .harness import HomeAssistantProcess, WebSocket

SECRET = "e2e-secret-0123456789"


def payload(call_id: int, file_server: str) -> dict[str, Any]:
    now_ms = int(time.time() * 1000)
    return {
        "id": call_id,
        "fileUrls": [f"{file_server}/rec/{call_id}.wav?token=abc"],
        "callerNumber": "+46701234567",
        "calleeNumber": "+46812345678",
        "startTime": now_ms - 60_000,
        "endTime": now_ms,
        "waitTime": 3000,
        "talkTime": 57000,
        "agentId": "a-1",
        "agentName": "Anna",
        "answerGroupName": "Support",
        "answerGroupId": "ag-1",
        "referredTo": None,
        "referredBy": None,
        "direction": "inbound",
        "recorderId": "anna@example.se",
        "summary": "Asked about an invoice.",
        "userId": "u-1",
        "someFutureField": {"x": 1},
    }


async def create_entry(
    ha: HomeAssistantProcess, secret: str = SECRET, name: str = "M8Com"
) -> dict[str, Any]:
    """Add the integration as the UI does: user step, then Submit on filters."""
    flow = await ha.rest(
        "POST", "/api/config/config_entries/flow", {"handler": "m8com"}
    )
    assert flow["type"] == "form"
    path = f"/api/config/config_entries/flow/{flow['flow_id']}"
    step = await ha.rest("POST", path, {"name": name, "secret": secret})
    assert step["step_id"] == "filters"
    result: dict[str, Any] = await ha.rest("POST", path, {})
    assert result["type"] == "create_entry", result
    return result


async def options(ha: HomeAssistantProcess, entry_id: str, **fields: Any) -> None:
    """Submit the options form as the UI does: the folded sections nested, each
    present (empty unless given), top-level fields beside them."""
    flow = await ha.rest(
        "POST", "/api/config/config_entries/options/flow", {"handler": entry_id}
    )
    form: dict[str, Any] = {
        "names": {},
        "transcripts": {},
        "callbacks": {},
        "assist": {},
    }
    done = await ha.rest(
        "POST",
        f"/api/config/config_entries/options/flow/{flow['flow_id']}",
        form | fields,
    )
    assert done["type"] == "create_entry", done


async def no_event(ws: WebSocket) -> bool:
    """True when no subscribed event arrives within two seconds."""
    try:
        await ws.events(1, timeout=2)
    except TimeoutError:
        return True
    return False
