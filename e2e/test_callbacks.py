"""The callback list and Assist's answers in a real Home Assistant.

Calls arrive with curl; the list is read and ticked off through HA's own
``todo.*`` actions over REST; the Assist LLM API is asked through
``llm_probe`` (``e2e/custom_components``), a stand-in for a conversation
agent; the default agent answers the shipped custom sentences through
``/api/conversation/process``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import importlib.util
import json
from pathlib import Path
import shutil
import time
from typing import Any

import pytest
from yarl import URL

from .conftest import running
from .entries import SECRET, create_entry, options, payload
from .harness import REPO, HomeAssistantProcess, WebSocket, curl_post, until

TODO = "todo.m8com_callbacks"
BOOK = "+46 70-123 45 67 = Anna Kund\n+46 70-999 99 99 = Bo Berg"


@pytest.fixture
async def ha_assist(tmp_path: Path) -> AsyncIterator[HomeAssistantProcess]:
    """HA with a conversation agent's probe and the shipped custom sentences."""
    config = tmp_path / "config"
    config.mkdir()
    shutil.copytree(REPO / "custom_sentences", config / "custom_sentences")
    process = HomeAssistantProcess(
        config=config,
        integrations=("llm_probe",),
        extra_config="conversation:\nllm_probe:\n",
    )
    async with running(process):
        yield process


def call(call_id: int, number: str, seconds: int, **extra: Any) -> str:
    """A call without audio, ended now."""
    body = payload(call_id, "http://127.0.0.1:9")
    now_ms = int(time.time() * 1000)
    body |= {
        "fileUrls": [],
        "callerNumber": number,
        "startTime": now_ms - seconds * 1000,
        "endTime": now_ms,
        "talkTime": seconds * 1000,
        **extra,
    }
    return json.dumps(body)


async def service(ha: HomeAssistantProcess, name: str, data: dict[str, Any]) -> Any:
    """An action with its response, as the owner."""
    found = await ha.rest("POST", f"/api/services/{name}?return_response", data)
    return found["service_response"]


async def items(ha: HomeAssistantProcess) -> list[dict[str, Any]]:
    """``todo.get_items`` (open and completed)."""
    found = await service(
        ha,
        "todo/get_items",
        {"entity_id": TODO, "status": ["needs_action", "completed"]},
    )
    result: list[dict[str, Any]] = found[TODO]["items"]
    return result


async def recordings(ha: HomeAssistantProcess) -> dict[int, dict[str, Any]]:
    """``m8com.get_recordings`` by call id."""
    found = await service(ha, "m8com/get_recordings", {})
    return {r["call_id"]: r for r in found["recordings"]}


async def ask(ha: HomeAssistantProcess, tool: str = "", **args: Any) -> Any:
    """The Assist API's tool names, and one tool's answer."""
    data: dict[str, Any] = {"tool": tool, "args": args} if tool else {}
    return await service(ha, "llm_probe/call", data)


async def say(ha: HomeAssistantProcess, text: str, language: str) -> str:
    """What Assist's built-in agent answers."""
    found = await ha.rest(
        "POST", "/api/conversation/process", {"text": text, "language": language}
    )
    speech: str = found["response"]["speech"]["plain"]["speech"]
    return speech


async def test_callbacks_and_assist_in_real_ha(
    ha_assist: HomeAssistantProcess,
) -> None:
    ha = ha_assist
    account = await create_entry(ha)
    entry_id = account["result"]["entry_id"]
    endpoint = ha.url + URL(account["description_placeholders"]["webhook_url"]).path
    await options(ha, entry_id, names={"phone_book": BOOK})
    assert not [n for n in (await ask(ha))["tools"] if "M8Com" in n]

    # A short inbound call opens an item; a long one does not; Anna's second
    # short call joins her open item.
    short = call(1, "+46701234567", 4, summary="Asked about invoice 4711.")
    assert await curl_post(endpoint, SECRET, short) == 200
    long = call(2, "+46709999999", 300, summary="Offered a new contract.")
    assert await curl_post(endpoint, SECRET, long) == 200
    assert await curl_post(endpoint, SECRET, call(3, "0701234567", 2)) == 200

    async def joined() -> list[dict[str, Any]]:
        found = await items(ha)
        return found if found and "Call 20" in found[0]["description"][30:] else []

    (item,) = await until(joined)
    assert item["summary"] == "Call back Anna Kund (+46 70-123 45 67)"
    assert item["uid"] == "1"
    assert item["description"].count("Recording") == 0  # no audio was sent
    assert "Asked about invoice 4711." in item["description"]
    assert item["description"].count("Call 20") == 2
    assert (await ha.state(TODO))["state"] == "1"

    # With the option on, an LLM agent gets four tools that answer from the store.
    await options(
        ha,
        entry_id,
        names={"phone_book": BOOK},
        assist={"assist_answers_about_calls": True},
    )
    tools = [n for n in (await ask(ha))["tools"] if "M8Com" in n]
    assert len(tools) == 4, tools
    recent = (await ask(ha, "M8ComRecentCalls", period="today"))["result"]
    assert recent["speech"]["plain"]["speech"].startswith("3 calls: Anna Kund")
    details = (await ask(ha, "M8ComCallDetails", name="Bo"))["result"]
    assert "Offered a new contract." in details["speech"]["plain"]["speech"]
    found = (await ask(ha, "M8ComSearchCalls", query="invoice 4711"))["result"]
    assert found["speech_slots"]["calls"][0]["call_id"] == 1
    todo = (await ask(ha, "M8ComCallbacks"))["result"]
    assert todo["speech"]["plain"]["speech"].startswith("1 to call back: Anna Kund")
    # And the built-in agent answers the shipped sentences, in English and Swedish.
    assert (await say(ha, "whom must I call back", "en")).startswith(
        "1 to call back: Anna Kund"
    )
    assert (await say(ha, "vad ville Bo", "sv")).startswith("Samtal med Bo Berg")

    # Ticking it off stores completion (and who) on both calls of the item.
    await ha.rest(
        "POST",
        "/api/services/todo/update_item",
        {"entity_id": TODO, "item": "1", "status": "completed"},
    )
    calls = await recordings(ha)
    for call_id in (1, 3):
        assert calls[call_id]["callback"] == "done"
        assert calls[call_id]["callback_done_at"]
        assert calls[call_id]["callback_done_by"] == "E2E Owner"
    assert calls[2]["callback"] is None

    # The list survives a restart; erasing Anna's calls removes her item.
    await ha.stop()
    await ha.start()
    await ha.login()
    assert [(i["uid"], i["status"]) for i in await items(ha)] == [("1", "completed")]
    assert len([n for n in (await ask(ha))["tools"] if "M8Com" in n]) == 4
    await service(ha, "m8com/delete_recordings", {"number": "+46701234567"})

    async def emptied() -> bool:
        return not await items(ha)

    await until(emptied)
    assert ha.log_problems() == []


@pytest.mark.skipif(
    importlib.util.find_spec("homeassistant.components.ai_task") is None,
    reason="AI task entities exist from HA 2025.8; this is the oldest target",
)
async def test_an_ai_flagged_call_opens_an_item(
    tmp_path: Path, file_server: str
) -> None:
    process = HomeAssistantProcess(
        config=tmp_path / "config", integrations=("ai_callback",)
    )
    async with running(process) as ha:
        account = await create_entry(ha)
        engine = await ha.rest(
            "POST", "/api/config/config_entries/flow", {"handler": "ai_callback"}
        )
        assert engine["type"] == "create_entry", engine
        await options(
            ha,
            account["result"]["entry_id"],
            transcripts={"transcribe_with": "ai_task.ai_callback"},
        )
        endpoint = ha.url + URL(account["description_placeholders"]["webhook_url"]).path
        async with WebSocket(ha) as ws:
            await ws.subscribe("m8com_call_transcribed")
            # 57 s (not a short call), and no summary of M8Com's: the AI writes one.
            body = json.dumps(payload(4711, file_server) | {"summary": None})
            assert await curl_post(endpoint, SECRET, body) == 200
            (event,) = await ws.events(1, timeout=60)
        assert event["data"]["callback_needed"] is True
        (item,) = await until(lambda: items(ha))
        assert item["uid"] == "4711"
        assert "Summary: Wants a quote for 20 licences." in item["description"]
        assert "- Send the quote" in item["description"]
        assert "media-source://m8com/" in item["description"]
        assert ha.log_problems() == []
