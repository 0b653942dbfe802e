"""How calls read to people: titles, logbook lines, durations."""

from __future__ import annotations

from homeassistant.util import dt as dt_util

from custom_components.m8com.call import Call
from custom_components.m8com.formatting import GIST_LENGTH, gist, recording_title


def test_title() -> None:
    record = Call(
        call_id=1,
        received=dt_util.utcnow(),
        start_time=dt_util.as_utc(dt_util.parse_datetime("2025-03-14T14:03:00-07:00")),  # type: ignore[arg-type]
        caller_number="+46701234567",
        answer_group_name="Support",
        talk_time=158,
        direction="inbound",
    )
    assert (
        recording_title(record)
        == "14:03 · +46701234567 → Support · 2 min 38 s · inbound"
    )
    assert recording_title(record, 1).endswith("inbound (2)")
    bare = Call(call_id=2, received=dt_util.utcnow(), talk_time=None)
    assert " · ? → ? · - · unknown" in recording_title(bare)
    # A name with "unknown" in it is kept as it is; only a missing party is "?".
    blocked = Call(
        call_id=3,
        received=dt_util.utcnow(),
        caller_name="unknown caller (blocked)",
        answer_group_name="Unknown numbers",
        direction="inbound",
    )
    assert " · unknown caller (blocked) → Unknown numbers · " in recording_title(
        blocked
    )


def test_title_shows_the_start_of_the_ai_summary_else_the_transcript() -> None:
    record = Call(call_id=1, received=dt_util.utcnow(), direction="inbound")
    base = recording_title(record)
    record.transcript = "Hello, I am calling about invoice 123. " * 5
    assert recording_title(record) == (
        f"{base} · “Hello, I am calling about invoice 123. Hello, I am calling "
        "about invoice 123. …”"
    )
    record.ai_summary = "Invoice 123 was paid."
    assert recording_title(record) == f"{base} · “Invoice 123 was paid.”"
    second = Call(1, record.received, direction="inbound")
    assert recording_title(record, 1) == recording_title(second, 1)  # first only


def test_the_gist_is_whole_words_within_its_length() -> None:
    """As ``textwrap.shorten`` (whitespace folded, cut at a space), cheaper."""
    assert gist("  Paid,\n\tthank   you. ") == "Paid, thank you."
    cut = gist("word " * 40)
    assert cut.endswith("word …")
    assert len(cut) <= GIST_LENGTH
    assert gist("x" * 200) == "…"  # no space to cut at
