"""What one download is: its log-safe URL."""

from __future__ import annotations

from custom_components.m8com.download_job import redact_url


def test_redact_url() -> None:
    assert redact_url("https://a.test/x.mp3?token=s#f") == "https://a.test/x.mp3"
    assert redact_url("https://bob:hunter2@a.test:8443/x.mp3") == (
        "https://a.test:8443/x.mp3"
    )  # credentials never reach a log line
