"""Delivery health in a real HA: a wrong secret is counted and raises a repair."""

from __future__ import annotations

import json

from yarl import URL

from .entries import SECRET, create_entry
from .harness import HomeAssistantProcess, WebSocket, curl_post, until

REJECTED = "sensor.m8com_rejected_deliveries"


async def repairs(ha: HomeAssistantProcess) -> set[str]:
    async with WebSocket(ha) as ws:
        result = await ws.command({"type": "repairs/list_issues"})
    return {i["issue_id"] for i in result["issues"] if i["domain"] == "m8com"}


async def test_wrong_secrets_are_counted_and_repaired_by_the_next_good_call(
    ha: HomeAssistantProcess,
) -> None:
    entry = await create_entry(ha)
    entry_id = entry["result"]["entry_id"]
    endpoint = ha.url + URL(entry["description_placeholders"]["webhook_url"]).path
    body = json.dumps({"id": 1, "fileUrls": []})
    for _ in range(5):
        assert await curl_post(endpoint, "an-old-secret-0123456789", body) == 401
    # Wrong secrets write the sensor's state at most once a minute (each is
    # still counted): the first is shown at once, the rest with the next write.
    rejected = await ha.state(REJECTED)
    assert rejected["state"] == "1"
    assert rejected["attributes"]["last_reason"] == "missing or wrong secret"
    assert f"wrong_secret_{entry_id}" in await repairs(ha)
    assert await curl_post(endpoint, SECRET, body) == 200
    assert f"wrong_secret_{entry_id}" not in await repairs(ha)

    async def all_five_shown() -> bool:  # with the good call's write
        return bool((await ha.state(REJECTED))["state"] == "5")

    await until(all_five_shown)
    assert ha.log_problems() == []
