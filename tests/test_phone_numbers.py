"""Phone numbers compare as E.164 with HA's country as region; identifiers exactly."""

from __future__ import annotations

import pytest

from custom_components.m8com.phone_numbers import same_number


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("+46 70-123 45 67", "0046701234567", True),
        ("070-123 45 67", "+46701234567", True),
        ("0046701234567", "070-123 45 67", True),
        ("+46701234567", "+47701234567", False),
        ("+46701234567", "1234567", False),
        ("+46701111111", "+46702222222", False),
        ("sip:alice@example.com", "sip:alice@example.com", True),
        ("SIP:Alice@Example.com", "sip:alice@example.com", True),
        ("sip:alice@example.com", "sip:bob@example.com", False),
        ("voip-user-17", "voip-user-17", True),
        ("12345", "12345", True),
        (None, "+46701111111", False),
        ("", "", False),
        ("+46701234567#99", "+46701234567", False),
        ("+46701234567,,123", "+46701234567", False),
        ("+46701234567;ext=5", "+46701234567", False),
        ("+46701234567#99", "+46701234567,,99", True),
        ("tel:+46701234567", "+46701234567", True),
        ("sip:+46701234567@pbx.example.com;user=phone", "0701234567", True),
        ("SIPS:+46701234567@pbx.example.com", "+46701234567", True),
        ("sip:+46701234567@pbx", "+46701234568", False),
        ("tel:", "tel:", True),
    ],
)
def test_same_number(a: str | None, b: str, same: bool) -> None:
    """E.164 with SE as the default region; identifiers exactly, any case."""
    assert same_number(a, b, "SE") is same


def test_default_region_is_the_configured_country() -> None:
    assert same_number("0701234567", "+46701234567", "SE")
    assert not same_number("0701234567", "+46701234567", "NO")
