"""Repair issues: each kind raises with its severity and placeholders, then clears.

A plain-http endpoint is raised, and clears itself when fixed; every issue id
has its English and Swedish title and description.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
import json
from pathlib import Path
from types import SimpleNamespace
from typing import get_args
from unittest.mock import AsyncMock, MagicMock, patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.m8com import repairs
from custom_components.m8com.call import Call
from custom_components.m8com.const import CONF_CLOUDHOOK, DOMAIN

ISSUE = "not_https_01JTESTENTRY0000000000000"


async def setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def test_issue_raised_then_cleared_by_https_external_url(
    hass: HomeAssistant, config_entry: MockConfigEntry, issue_registry: ir.IssueRegistry
) -> None:
    await hass.config.async_update(external_url="http://203.0.113.5:8123")
    await setup(hass, config_entry)
    issue = issue_registry.async_get_issue(DOMAIN, ISSUE)
    assert issue is not None
    assert issue.translation_key == "not_https"
    assert issue.translation_placeholders == {
        "name": "M8Com",
        "webhook_url": f"http://203.0.113.5:8123/api/m8com/{config_entry.data['webhook_id']}",
    }
    await hass.config.async_update(external_url="https://calls.example.se")
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, ISSUE) is None
    assert config_entry.runtime_data.webhook_url.startswith("https://calls.example.se/")


async def test_cloud_connecting_later_creates_cloudhook(
    hass: HomeAssistant, config_entry: MockConfigEntry, issue_registry: ir.IssueRegistry
) -> None:
    await hass.config.async_update(external_url="http://203.0.113.5:8123")
    listeners: list[Callable[[str], None]] = []

    def listen(
        _hass: HomeAssistant, target: Callable[[str], None]
    ) -> Callable[[], None]:
        listeners.append(target)
        return lambda: None

    cloud = SimpleNamespace(
        CloudNotAvailable=Exception,
        async_active_subscription=MagicMock(return_value=False),
        async_get_or_create_cloudhook=AsyncMock(
            return_value="https://hooks.nabu.casa/x"
        ),
        async_listen_connection_change=listen,
    )
    with patch("custom_components.m8com.endpoint._cloud", return_value=cloud):
        await setup(hass, config_entry)
        assert issue_registry.async_get_issue(DOMAIN, ISSUE) is not None
        cloud.async_active_subscription.return_value = True
        listeners[0]("connected")
        await hass.async_block_till_done()
    assert config_entry.runtime_data.webhook_url == "https://hooks.nabu.casa/x"
    assert config_entry.data[CONF_CLOUDHOOK] is True
    assert issue_registry.async_get_issue(DOMAIN, ISSUE) is None


async def test_issue_removed_with_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry, issue_registry: ir.IssueRegistry
) -> None:
    await setup(hass, config_entry)  # no URL at all: only a path
    assert issue_registry.async_get_issue(DOMAIN, ISSUE) is not None
    assert await hass.config_entries.async_remove(config_entry.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, ISSUE) is None


TRANSLATIONS = Path(repairs.__file__).parent / "translations"
ERROR = ir.IssueSeverity.ERROR
WARNING = ir.IssueSeverity.WARNING
LOST = Call(call_id=7, received=datetime(2025, 3, 14, 13, 0, tzinfo=UTC))

Report = Callable[[HomeAssistant, MockConfigEntry], None]
# kind, severity, raise(hass, entry), its placeholders besides the name, clear
REPORTS: list[tuple[str, ir.IssueSeverity, Report, dict[str, str], Report]] = [
    (
        "not_https",
        WARNING,
        lambda h, e: repairs.async_check_https(h, e, "http://x/api"),
        {"webhook_url": "http://x/api"},
        lambda h, e: repairs.async_check_https(h, e, "https://x/api"),
    ),
    (
        "lost_recordings",
        ERROR,
        lambda h, e: repairs.async_report_lost(h, e, [LOST]),
        {"count": "1", "calls": "- 7: 2025-03-14 06:00, ? → ?"},  # US/Pacific
        lambda h, e: repairs.async_report_lost(h, e, []),
    ),
    (
        "store_damaged",
        ERROR,
        lambda h, e: repairs.async_report_store_damaged(h, e.entry_id, "calls.bad"),
        {"file": "calls.bad"},
        repairs.async_clear_issues,  # only the account's removal clears it
    ),
    (
        "disk_error",
        ERROR,
        lambda h, e: repairs.async_report_disk(h, e, "full", files_written=False),
        {"error": "full"},
        lambda h, e: repairs.async_report_disk(h, e, None, files_written=True),
    ),
    (
        "setup_failed",
        ERROR,
        lambda h, e: repairs.async_report_setup_failed(h, e, OSError()),
        {"error": "OSError"},
        lambda h, e: repairs.async_report_setup_failed(h, e, None),
    ),
    (
        "retired_url",
        ERROR,
        repairs.async_report_retired_url,
        {},
        repairs.async_clear_retired_url,
    ),
    (
        "wrong_secret",
        ERROR,
        lambda h, e: repairs.async_report_wrong_secret(h, e, raised=True),
        {},
        lambda h, e: repairs.async_report_wrong_secret(h, e, raised=False),
    ),
    (
        "no_deliveries",
        WARNING,
        lambda h, e: repairs.async_report_silence(h, e, 3),
        {"days": "3"},
        lambda h, e: repairs.async_report_silence(h, e, None),
    ),
    (
        "orphan_recordings",
        WARNING,
        lambda h, e: repairs.async_report_orphans(h, e, ["b.mp3", "a.mp3"]),
        {"count": "2", "files": "- `a.mp3`\n- `b.mp3`"},
        lambda h, e: repairs.async_report_orphans(h, e, []),
    ),
    (
        "transcriber_missing",
        WARNING,
        lambda h, e: repairs.async_report_transcriber_missing(h, e, "stt.gone"),
        {"entity_id": "stt.gone"},
        lambda h, e: repairs.async_report_transcriber_missing(h, e, None),
    ),
    (
        "ffmpeg_missing",
        WARNING,
        lambda h, e: repairs.async_report_ffmpeg_missing(h, e, "no ffmpeg"),
        {"error": "no ffmpeg"},
        lambda h, e: repairs.async_report_ffmpeg_missing(h, e, None),
    ),
    (
        "phone_book_unusable",
        WARNING,
        lambda h, e: repairs.async_report_phone_book(h, e, "bad csv"),
        {"error": "bad csv"},
        lambda h, e: repairs.async_report_phone_book(h, e, None),
    ),
]


def test_every_kind_has_one_definition_and_one_test() -> None:
    assert list(repairs.SEVERITY) == list(get_args(repairs.IssueKind))
    assert sorted(kind for kind, *_ in REPORTS) == sorted(repairs.SEVERITY)


@pytest.mark.parametrize("language", ["en", "sv"])
def test_every_kind_is_translated(language: str) -> None:
    issues = json.loads((TRANSLATIONS / f"{language}.json").read_text())["issues"]
    assert set(issues) == set(repairs.SEVERITY)
    for kind in repairs.SEVERITY:
        assert issues[kind]["title"].strip(), kind
        assert issues[kind]["description"].strip(), kind


@pytest.mark.parametrize(
    ("kind", "severity", "report", "placeholders", "clear"),
    REPORTS,
    ids=[kind for kind, *_ in REPORTS],
)
async def test_each_report_raises_then_clears_its_issue(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    kind: str,
    severity: ir.IssueSeverity,
    report: Report,
    placeholders: dict[str, str],
    clear: Report,
) -> None:
    config_entry.add_to_hass(hass)
    report(hass, config_entry)
    issue = issue_registry.async_get_issue(DOMAIN, f"{kind}_{config_entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == kind
    assert issue.severity == severity
    assert not issue.is_fixable
    assert not issue.is_persistent
    assert issue.translation_placeholders == {"name": "M8Com", **placeholders}
    clear(hass, config_entry)
    assert issue_registry.async_get_issue(DOMAIN, issue.issue_id) is None


async def test_disk_error_stays_until_a_file_is_written(
    hass: HomeAssistant, config_entry: MockConfigEntry, issue_registry: ir.IssueRegistry
) -> None:
    repairs.async_report_disk(hass, config_entry, "full", files_written=False)
    repairs.async_report_disk(hass, config_entry, None, files_written=False)
    issue = f"disk_error_{config_entry.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue) is not None


async def test_store_damaged_of_a_removed_account_raises_nothing(
    hass: HomeAssistant, issue_registry: ir.IssueRegistry
) -> None:
    repairs.async_report_store_damaged(hass, "gone", "calls.bad")
    assert issue_registry.async_get_issue(DOMAIN, "store_damaged_gone") is None
