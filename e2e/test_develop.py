"""The README's try-it steps, as a newcomer runs them, with nothing typed by hand."""

from __future__ import annotations

from pathlib import Path

from .entries import create_entry, options
from .harness import HomeAssistantProcess, dev_process, free_port, simulate


async def test_try_it_path_works_first_time(tmp_path: Path) -> None:
    """config/configuration.yaml as scripts/develop runs it, the flow over REST,
    then the simulator with the Endpoint exactly as the result screen shows it.
    """
    ha = dev_process(tmp_path / "config")
    media = ha.media
    await ha.start()
    try:
        await ha.onboard()
        entry = await create_entry(ha, secret="")
        endpoint = entry["description_placeholders"]["webhook_url"]
        secret = entry["description_placeholders"]["secret"]
        assert endpoint.startswith(f"http://127.0.0.1:{ha.port}/api/m8com/")
        code, text = await simulate(
            "--url", endpoint, "--secret", secret, "--count", "2",
            "--duplicates", "2", "--hold", "5", "--token", ha.token,
            "--first-id", "500",
        )  # fmt: skip
        assert code == 0, text
        assert text.count(": 200") == 4
        assert len(list(media.rglob("*.wav"))) == 2  # in config/media, as promised
        assert "← call 500: saved" in text
        assert "← call 501: saved" in text
    finally:
        await ha.stop()


async def test_simulator_marks_calls_the_filters_skipped(
    ha: HomeAssistantProcess,
) -> None:
    entry = await create_entry(ha)
    entry_id = entry["result"]["entry_id"]
    await options(ha, entry_id, directions=["outbound"])
    endpoint = entry["description_placeholders"]["webhook_url"].replace(
        "https://m8com-e2e.example", ha.url
    )
    code, text = await simulate(
        "--url", endpoint, "--secret", entry["description_placeholders"]["secret"],
        "--count", "4", "--direction", "mixed", "--hold", "2", "--token", ha.token,
        "--first-id", "900",
    )  # fmt: skip
    assert code == 0, text
    skipped = text.count("skipped by the account's filters")
    inbound = text.count(" inbound ")
    assert skipped == inbound > 0, text


async def test_simulator_says_why_and_stops_when_nothing_answers() -> None:
    url = f"http://127.0.0.1:{free_port()}/api/webhook/x"
    code, text = await simulate(
        "--url", url, "--secret", "s" * 20, "--count", "3", "--hold", "0", timeout=60
    )
    assert code == 2, text
    assert f"connection refused to {url}" in text
    assert text.count("connection refused") == 2  # the call, then "stopped: …"
