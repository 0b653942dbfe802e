"""Phone numbers compared as people mean them, with the ``phonenumbers`` library.

Erasure and search by number must find every call of a subscriber however the
number was written (``+46 70-123 45 67``, ``0046701234567``, ``070-123 45 67``)
and never a different subscriber (``+47…`` is Norway, not Sweden). Numbers are
normalised to E.164 with HA's country as the default region (SE when unset);
identifiers that are no phone number (SIP URIs, e-mail addresses, VoIP ids)
are compared exactly, ignoring letter case.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

DEFAULT_REGION: Final = "SE"


@lru_cache(maxsize=4096)
def normalise(identifier: str, region: str = DEFAULT_REGION) -> str:
    """E.164 for a phone number; the identifier itself, case-folded, otherwise."""
    text = identifier.strip()
    if not text or any(ch.isalpha() or ch in "@:" for ch in text):
        return text.casefold()  # sip:…, e-mail, VoIP ids: never vanity-dialled
    try:
        parsed = phonenumbers.parse(text, region)
    except NumberParseException:
        return text.casefold()
    if not phonenumbers.is_possible_number(parsed):
        return text.casefold()
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


def region_of(country: str | None) -> str:
    """Where a number without a country code is dialled: HA's country, else SE."""
    return country or DEFAULT_REGION


def same_number(a: str | None, b: str, region: str = DEFAULT_REGION) -> bool:
    """Whether two numbers (or identifiers) are the same party."""
    return bool(a) and normalise(a or "", region) == normalise(b, region)
