#!/usr/bin/env python3
"""Screenshots of the real UI for the README, taken with headless Chromium.

Starts Home Assistant with this integration (the e2e harness), onboards it, signs
Chromium in with the owner's tokens, adds the integration through the real
config-flow dialog, sends two calls with the simulator's payloads, then captures:

- docs/images/setup-result.png: the dialog with Endpoint and Secret;
- docs/images/options-transcripts.png: the options' Names and Transcripts sections;
- docs/images/dashboard.png: the README's dashboard exactly as written there
  (last call, the callback list, call log with names from a phone book, the last
  call's transcript).

Run: scripts/screenshots   (installs Debian chromium and playwright if missing)
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
import tempfile
import time
from typing import Any, cast

from aiohttp import web
from homeassistant.util.yaml import parse_yaml
import imageio_ffmpeg
from playwright.async_api import Page, async_playwright

from e2e.conftest import WAV
from e2e.entries import options
from e2e.harness import HomeAssistantProcess, WebSocket, curl_post, free_port
from e2e.readme import readme_dashboard

ROOT = Path(__file__).resolve().parents[1]

OUT = ROOT / "docs" / "images"
SECRET = "demo-secret-0123456789abcd"  # noqa: S105 - a throwaway demo value
CHROMIUM = "/usr/bin/chromium"
FILE_PORT = free_port()
TRANSCRIBED = 102
"""The newest demo call: it has a recording, so it gets a transcript."""
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def dashboard() -> dict[str, Any]:
    """The README's dashboard exactly as written there."""
    return cast("dict[str, Any]", parse_yaml(readme_dashboard()))


async def tokens(ha: HomeAssistantProcess) -> dict[str, Any]:
    """A fresh token pair for the owner, in the frontend's localStorage shape."""
    token = await ha.login()
    return {
        **token,
        "hassUrl": ha.url,
        "clientId": ha.client_id,
        "expires": int(time.time() * 1000) + token["expires_in"] * 1000,
    }


async def add_integration(page: Page, ha: HomeAssistantProcess) -> None:
    """The real dialog: pick the integration, type a secret, Submit twice."""
    await page.goto(f"{ha.url}/config/integrations/dashboard/add?domain=m8com")
    await page.get_by_text("Do you want to set up").wait_for(timeout=60_000)
    await page.get_by_text("OK", exact=True).click()
    secret = page.get_by_label("Secret")
    await secret.wait_for(timeout=60_000)
    await secret.fill(SECRET)
    await page.get_by_role("button", name="Submit").click()
    await page.get_by_text("Which calls to keep").wait_for(timeout=30_000)
    await page.get_by_role("button", name="Submit").click()
    await page.get_by_text("Almost done").wait_for(timeout=30_000)
    await page.wait_for_timeout(1500)
    await page.screenshot(path=str(OUT / "setup-result.png"))
    await page.get_by_role("button", name="Finish").click()


async def send_calls(ha: HomeAssistantProcess, webhook_id: str) -> None:
    """Calls of the last hours, as M8Com would post them."""
    now = int(time.time() * 1000)
    hour = 3_600_000
    for call_id, caller, talk, ago in (
        (95, "+46701234567", 6_000, 5 * hour),  # short: Anna goes on the list
        (96, "+46705556677", 3_000, 4 * hour + 600_000),  # short, unknown number
        (97, "+46701112233", 95_000, 4 * hour),
        (98, "+46702223344", 312_000, 3 * hour),
        (99, "+46703334455", 61_000, 2 * hour),
        (100, "+46704445566", 220_000, 1 * hour),
        (101, "+46701234567", 158_000, 0),
        (102, "+46709876543", 47_000, 0),
    ):
        payload = {
            "id": call_id, "callerNumber": caller,
            "calleeNumber": "+46812345678", "startTime": now - ago - talk - 9000,
            "endTime": now, "waitTime": 9000, "talkTime": talk, "agentId": "a-1",
            "agentName": "Anna Andersson", "answerGroupName": "Support",
            "answerGroupId": "ag-1", "direction": "inbound",
            "fileUrls": [f"http://127.0.0.1:{FILE_PORT}/rec/{call_id}.wav"]
            if call_id == TRANSCRIBED else [],
            "recorderId": "anna@example.se",
            "summary": "The customer asked about invoice 123; it was paid yesterday.",
            "userId": "u-1",
        }  # fmt: skip
        status = await curl_post(
            f"{ha.url}/api/webhook/{webhook_id}", SECRET, json.dumps(payload)
        )
        print(f"call {call_id}: {status}")


SAYS = (
    "Hi, this is Anna Kund. I got invoice 123 twice, could you check which one I "
    "should pay? — Of course, the second one is a copy; I'll send you a credit note."
)


async def recordings() -> web.AppRunner:
    """M8Com's file store for the demo calls (a real WAV, on loopback)."""

    async def recording(request: web.Request) -> web.Response:
        return web.Response(body=WAV, content_type="audio/wav")

    app = web.Application()
    app.router.add_get("/rec/{name}", recording)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", FILE_PORT).start()
    return runner


async def names_and_transcripts(ha: HomeAssistantProcess, entry_id: str) -> None:
    """The test engine as the account's transcriber, and a phone book."""
    await ha.rest("POST", "/api/config/config_entries/flow", {"handler": "stt_length"})
    await options(
        ha,
        entry_id,
        names={"phone_book": "+46701234567 = Anna Kund\n+46709876543 = Bo Berg"},
        transcripts={"transcribe_with": "stt.stt_length"},
    )


async def options_dialog(page: Page, ha: HomeAssistantProcess) -> None:
    """The options dialog with Names and Transcripts unfolded, as set above."""
    await page.goto(f"{ha.url}/config/integrations/integration/m8com")
    await page.get_by_role("button", name="Configure").first.click(timeout=60_000)
    await page.get_by_text("Transcripts", exact=True).click(timeout=30_000)
    await page.get_by_text("Names", exact=True).click()
    await page.wait_for_timeout(1000)
    await page.get_by_text("Transcribe with", exact=True).scroll_into_view_if_needed()
    await page.wait_for_timeout(1500)
    await page.screenshot(path=str(OUT / "options-transcripts.png"))
    await page.keyboard.press("Escape")


async def main() -> None:
    """Start HA, drive the UI, save the screenshots."""
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ha = HomeAssistantProcess(
            config=Path(tmp) / "config",
            extra_config="logbook:\nhistory:\n"
            f"ffmpeg:\n  ffmpeg_bin: {imageio_ffmpeg.get_ffmpeg_exe()}\n",
            integrations=("stt_length",),
            env={"STT_LENGTH_SAYS": SAYS},
        )
        files = await recordings()
        await ha.start()
        try:
            await ha.onboard()
            for step in ("core_config", "analytics", "integration"):
                body = {"client_id": f"{ha.url}/", "redirect_uri": f"{ha.url}/"}
                await ha.rest("POST", f"/api/onboarding/{step}", body)
            stored = await tokens(ha)
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = await browser.new_page(viewport={"width": 1280, "height": 860})
                await page.goto(f"{ha.url}/onboarding.html")
                await page.evaluate(
                    "t => localStorage.setItem('hassTokens', JSON.stringify(t))", stored
                )
                await add_integration(page, ha)
                entry = next(
                    e
                    for e in await ha.rest("GET", "/api/config/config_entries/entry")
                    if e["domain"] == "m8com"
                )
                webhook_id = (await ha.saved_entry(entry["entry_id"]))["data"][
                    "webhook_id"
                ]
                await names_and_transcripts(ha, entry["entry_id"])
                await options_dialog(page, ha)
                await send_calls(ha, webhook_id)
                async with WebSocket(ha) as ws:
                    await ws.command(
                        {
                            "type": "lovelace/dashboards/create",
                            "url_path": "m8com-calls",
                            "title": "Calls",
                            "mode": "storage",
                            "show_in_sidebar": True,
                        }
                    )
                    await ws.command(
                        {
                            "type": "lovelace/config/save",
                            "url_path": "m8com-calls",
                            "config": dashboard(),
                        }
                    )
                await page.goto(f"{ha.url}/m8com-calls/0")
                await page.get_by_text("Last call").first.wait_for(timeout=60_000)
                await page.wait_for_timeout(5000)
                await page.screenshot(path=str(OUT / "dashboard.png"))
                await browser.close()
        finally:
            await ha.stop()
            await files.cleanup()
    print(f"wrote {OUT / 'setup-result.png'} and {OUT / 'dashboard.png'}")


if __name__ == "__main__":
    asyncio.run(main())
