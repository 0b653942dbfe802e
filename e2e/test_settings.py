"""End to end in a real Home Assistant: options, reconfigure and a second
account, each through HA's own flow API and felt by the next delivery.
"""

from __future__ import annotations

import json

from yarl import URL

from .entries import SECRET, create_entry, no_event
from .harness import HomeAssistantProcess, WebSocket, curl_post


async def test_settings_end_to_end(ha: HomeAssistantProcess) -> None:
    office = await create_entry(ha)
    entry_id = office["result"]["entry_id"]
    endpoint = ha.url + URL(office["description_placeholders"]["webhook_url"]).path

    # Options through HA's options-flow API: keep outbound calls only.
    flow = await ha.rest(
        "POST", "/api/config/config_entries/options/flow", {"handler": entry_id}
    )
    assert flow["description_placeholders"]["webhook_url"].endswith(URL(endpoint).path)
    done = await ha.rest(
        "POST",
        f"/api/config/config_entries/options/flow/{flow['flow_id']}",
        {
            "directions": ["outbound"],
            "names": {},
            "transcripts": {},
            "callbacks": {},
            "assist": {},
        },
    )
    assert done["type"] == "create_entry"

    inbound = {"id": 1, "direction": "inbound", "callerNumber": "+46700000001"}
    outbound = {"id": 2, "direction": "outbound", "callerNumber": "+46700000002"}
    async with WebSocket(ha) as ws:
        await ws.subscribe("m8com_call_recording")
        assert await curl_post(endpoint, SECRET, json.dumps(inbound)) == 200
        assert await no_event(ws)
        assert await curl_post(endpoint, SECRET, json.dumps(outbound)) == 200
        (event,) = await ws.events(1)
        assert event["data"]["call_id"] == 2

        # Rotate the secret through the reconfigure flow.
        flow = await ha.rest(
            "POST",
            "/api/config/config_entries/flow",
            {"handler": "m8com", "entry_id": entry_id},
        )
        assert flow["step_id"] == "reconfigure"
        result = await ha.rest(
            "POST",
            f"/api/config/config_entries/flow/{flow['flow_id']}",
            {"secret": "", "new_webhook_url": False},
        )
        assert result["reason"] == "reconfigure_successful"
        new_secret = result["description_placeholders"]["secret"]
        call = json.dumps({**outbound, "id": 3})
        assert await curl_post(endpoint, SECRET, call) == 401
        assert await curl_post(endpoint, new_secret, call) == 200

        # A second account, side by side.
        shop = await create_entry(ha, secret="shop-secret-0123456789", name="Shop")
        shop_endpoint = (
            ha.url + URL(shop["description_placeholders"]["webhook_url"]).path
        )
        assert shop_endpoint != endpoint
        assert await curl_post(shop_endpoint, new_secret, call) == 401
        assert await curl_post(shop_endpoint, "shop-secret-0123456789", call) == 200
        events = await ws.events(2)
        assert sorted(e["data"]["entry_id"] for e in events) == sorted(
            [entry_id, shop["result"]["entry_id"]]
        )
    shop = await ha.state("sensor.shop_calls_today")
    assert shop["attributes"]["caller"] == "+46700000002"
    assert ha.log_problems() == []
