"""End to end in a real Home Assistant: the stored calls through the media
browser (a signed URL plays, an unsigned one is refused), the get, delete and
purge services, and retention applied when the entry starts.
"""

from __future__ import annotations

import json

import aiohttp
from yarl import URL

from .conftest import WAV
from .entries import SECRET, create_entry, payload
from .harness import HomeAssistantProcess, WebSocket, curl_post


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
