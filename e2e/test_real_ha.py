"""End to end in a real Home Assistant: curl deliveries, events, entities, the
stored file, a restart with restored sensors, retries and resumed downloads,
the simulator, and a clean log.
"""

from __future__ import annotations

import asyncio
import json
import sys
import wave

from yarl import URL

from .conftest import WAV
from .entries import SECRET, create_entry, no_event, payload
from .harness import REPO, HomeAssistantProcess, WebSocket, curl_post, until


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
