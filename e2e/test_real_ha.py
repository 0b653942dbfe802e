"""End to end in a real Home Assistant: config flow, curl deliveries, events,
entities, the stored file, a restart with restored sensors, and a clean log.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any
import wave

import aiohttp
from yarl import URL

from .conftest import WAV
from .harness import REPO, HomeAssistantProcess, WebSocket, curl_post, until

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


async def test_call_end_to_end(ha: HomeAssistantProcess, file_server: str) -> None:
    result = await create_entry(ha)
    assert result["type"] == "create_entry"
    webhook_url = result["description_placeholders"]["webhook_url"]
    assert webhook_url.startswith("https://m8com-e2e.example/api/m8com/")
    assert result["description_placeholders"]["secret"] == SECRET
    endpoint = ha.url + URL(webhook_url).path
    body = json.dumps(payload(4711, file_server))

    async with WebSocket(ha) as ws:
        await ws.subscribe("m8com_call_recording")
        await ws.subscribe("m8com_recording_saved")
        assert await curl_post(endpoint, SECRET, body) == 200
        assert await curl_post(endpoint, SECRET, body) == 200  # M8Com retry
        assert await curl_post(endpoint, "wrong-secret-000000", body) == 401
        assert await curl_post(endpoint, SECRET, "not json") == 400
        assert (
            await curl_post(endpoint, SECRET, b"{" + b" " * (2 * 2**20) + b"}") == 413
        )
        events = await ws.events(2)
        types = sorted(e["event_type"] for e in events)
        assert types == ["m8com_call_recording", "m8com_recording_saved"]
        call = next(e for e in events if e["event_type"] == "m8com_call_recording")
        saved = next(e for e in events if e["event_type"] == "m8com_recording_saved")
        assert call["data"]["call_id"] == 4711
        assert call["data"]["talk_time"] == 57.0
        assert "token=abc" not in json.dumps(call)
        (stored,) = saved["data"]["files"]
        assert (ha.media / stored).read_bytes() == WAV
        assert await no_event(ws)  # none for the retry

    calls = await ha.state("sensor.m8com_calls_today")
    assert calls["state"] == "1"
    assert calls["attributes"]["caller"] == "+46701234567"
    assert calls["attributes"]["agent"] == "Anna"

    await ha.stop()
    await ha.start()
    await ha.login()
    calls = await ha.state("sensor.m8com_calls_today")
    assert calls["state"] == "1"
    assert calls["attributes"]["caller"] == "+46701234567"
    assert calls["attributes"]["talk_time"] == "57 s"
    # Still deduplicated after the restart.
    assert await curl_post(endpoint, SECRET, body) == 200
    assert list(ha.media.rglob("*.wav")) == [ha.media / stored]
    assert ha.log_problems() == []


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


async def test_library_end_to_end(ha: HomeAssistantProcess, file_server: str) -> None:
    entry = await create_entry(ha)
    entry_id = entry["result"]["entry_id"]
    endpoint = ha.url + URL(entry["description_placeholders"]["webhook_url"]).path
    old = {**payload(7, file_server), "callerNumber": "+46709999999"}
    old["startTime"] -= 3 * 86_400_000
    async with WebSocket(ha) as ws:
        await ws.subscribe("m8com_recording_saved")
        first = payload(5, file_server)
        other = {**payload(6, file_server), "callerNumber": "+46708888888"}
        other["startTime"] = first["startTime"] + 1000
        for body in (first, other, old):
            assert await curl_post(endpoint, SECRET, json.dumps(body)) == 200
        await ws.events(3)

        # Browse root -> account -> newest day -> recordings, then play one.
        root = await ws.command(
            {
                "type": "media_source/browse_media",
                "media_content_id": "media-source://m8com",
            }
        )
        account = await ws.command(
            {
                "type": "media_source/browse_media",
                "media_content_id": root["children"][0]["media_content_id"],
            }
        )
        assert len(account["children"]) == 2  # today and three days ago
        day = await ws.command(
            {
                "type": "media_source/browse_media",
                "media_content_id": account["children"][0]["media_content_id"],
            }
        )
        titles = [child["title"] for child in day["children"]]
        assert len(titles) == 2
        assert all("→ Support · 57 s · inbound" in t for t in titles), titles
        resolved = await ws.command(
            {
                "type": "media_source/resolve_media",
                "media_content_id": day["children"][0]["media_content_id"],
            }
        )
        assert (
            resolved["mime_type"] == "audio/x-wav"
            or resolved["mime_type"] == "audio/wav"
        )
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{ha.url}{URL(resolved['url']).path_qs}") as resp:
            assert resp.status == 200
            assert await resp.read() == WAV
        unsigned = URL(resolved["url"]).path
        async with session.get(f"{ha.url}{unsigned}") as resp:
            assert resp.status == 401

    found = await ha.rest(
        "POST", "/api/services/m8com/get_recordings?return_response", {"limit": 10}
    )
    recordings = found["service_response"]["recordings"]
    assert [r["call_id"] for r in recordings] == [6, 5, 7]
    deleted = await ha.rest(
        "POST",
        "/api/services/m8com/delete_recordings?return_response",
        {"number": "0708888888"},
    )
    assert deleted["service_response"] == {"deleted": 1}
    assert len(list(ha.media.rglob("*.wav"))) == 2

    # Retention: keep one day; applied when the entry starts (and daily).
    flow = await ha.rest(
        "POST", "/api/config/config_entries/options/flow", {"handler": entry_id}
    )
    await ha.rest(
        "POST",
        f"/api/config/config_entries/options/flow/{flow['flow_id']}",
        {
            "retention_days": 1,
            "names": {},
            "transcripts": {},
            "callbacks": {},
            "assist": {},
        },
    )
    # The reload answers once the entry is loaded, and retention runs before.
    await ha.rest("POST", f"/api/config/config_entries/entry/{entry_id}/reload")
    left = await ha.rest(
        "POST", "/api/services/m8com/get_recordings?return_response", {}
    )
    assert [r["call_id"] for r in left["service_response"]["recordings"]] == [5]
    assert len(list(ha.media.rglob("*.wav"))) == 1
    purged = await ha.rest(
        "POST",
        "/api/services/m8com/purge_recordings?return_response",
        {"older_than_days": 0},
    )
    assert purged["service_response"] == {"deleted": 1}
    assert list(ha.media.rglob("*.wav")) == []
    assert ha.log_problems() == []


async def test_reliability_end_to_end(
    ha: HomeAssistantProcess, file_server: str
) -> None:
    entry = await create_entry(ha)
    endpoint = ha.url + URL(entry["description_placeholders"]["webhook_url"]).path
    big = {**payload(900, file_server), "fileUrls": [f"{file_server}/slow/900.mp3?t=x"]}
    flaky = {
        **payload(901, file_server),
        "fileUrls": [f"{file_server}/flaky/901.wav?t=y"],
    }
    async with WebSocket(ha) as ws:
        await ws.subscribe("m8com_call_recording")
        assert await curl_post(endpoint, SECRET, json.dumps(big)) == 200
        assert await curl_post(endpoint, SECRET, json.dumps(flaky)) == 200
        assert len(await ws.events(2)) == 2
        # Hostile and broken input: defined answers, nothing recorded.
        for body, secret, status in (
            ("{", SECRET, 400),
            ("[]", SECRET, 400),
            ('{"id": "DROP TABLE"}', SECRET, 400),
            ('{"id": 1e400}', SECRET, 400),
            ("\x00\xff", SECRET, 400),
            (json.dumps(big), "", 401),
            (json.dumps(big), SECRET + "x", 401),
        ):
            assert await curl_post(endpoint, secret, body) == status, body
        # Restart in the middle of the large download.

        async def downloading() -> bool:
            return bool(list(ha.media.rglob("*.part")))

        await until(downloading)  # the large download has started
    await ha.stop()
    assert not list(ha.media.rglob("*.part")), "a stopped download left debris"
    await ha.start()
    await ha.login()
    async with WebSocket(ha) as ws:
        await ws.subscribe("m8com_call_recording")

        async def resumed() -> bool:
            return len(list(ha.media.rglob("*.mp3"))) == 1

        await until(resumed)
        assert await no_event(ws)  # resumed, not announced again
    (stored,) = ha.media.rglob("*.mp3")
    assert stored.stat().st_size == 20 * 2**20
    assert len(list(ha.media.rglob("*.wav"))) == 1
    assert not list(ha.media.rglob("*.part"))
    found = await ha.rest(
        "POST", "/api/services/m8com/get_recordings?return_response", {}
    )
    statuses = {
        r["call_id"]: r["status"] for r in found["service_response"]["recordings"]
    }
    assert statuses == {900: "saved", 901: "saved"}
    log = ha.log_text()
    assert "t=x" not in log
    assert "t=y" not in log
    assert SECRET not in log
    assert ha.log_problems() == []


async def test_simulator_end_to_end(ha: HomeAssistantProcess) -> None:
    entry = await create_entry(ha)
    endpoint = ha.url + URL(entry["description_placeholders"]["webhook_url"]).path
    async with WebSocket(ha) as ws:
        await ws.subscribe("m8com_call_recording")
        await ws.subscribe("m8com_recording_saved")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(REPO / "scripts" / "simulate.py"),
            "--url", endpoint, "--secret", SECRET, "--count", "3", "--rate", "20",
            "--duplicates", "2", "--wrong-secret", "--extra-fields", "--hold", "5",
            "--first-id", "7000",
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        events = await ws.events(6, timeout=60)
        out, _ = await proc.communicate()
    assert proc.returncode == 0, out.decode()
    text = out.decode()
    assert text.count(": 200") == 6  # 3 calls, each delivered twice
    assert text.count("with a wrong secret: 401") == 3
    kinds = sorted(e["event_type"] for e in events)
    assert kinds == ["m8com_call_recording"] * 3 + ["m8com_recording_saved"] * 3
    files = sorted(ha.media.rglob("*.wav"))
    assert len(files) == 3
    with wave.open(str(files[0])) as wav:  # really playable audio
        assert wav.getframerate() == 8000
        assert wav.getnframes() > 8000
