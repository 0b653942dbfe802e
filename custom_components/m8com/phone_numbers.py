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
    """E.164 for a phone number; the identifier itself, case-folded, otherwise.

    ``tel:`` and ``sip:`` forms of a number are that number (M8Com's
    ``recorderId`` and transfers may use them); a number with an extension
    (``#99``, ``,,123``, ``;ext=5``) is a different party from the number
    itself, so it keeps its extension.
    """
    text = identifier.strip()
    if (user := _uri_user(text)) is not None:
        text = user
    if not text or any(ch.isalpha() or ch in "@:" for ch in text):
        return identifier.strip().casefold()  # sip:alice@…, e-mail, VoIP ids
    try:
        parsed = phonenumbers.parse(text, region)
    except NumberParseException:
        return text.casefold()
    if not phonenumbers.is_possible_number(parsed):
        return text.casefold()
    e164 = phonenumbers.format_number(parsed, PhoneNumberFormat.E164)
    return f"{e164};ext={parsed.extension}" if parsed.extension else e164


def _uri_user(text: str) -> str | None:
    """The number in ``tel:+4670…`` or ``sip:+4670…@host;user=phone``, if any."""
    scheme, colon, rest = text.partition(":")
    if not colon or scheme.casefold() not in {"tel", "sip", "sips"}:
        return None
    user = rest.split("@", 1)[0].split(";", 1)[0]
    return user if user[:1].isdigit() or user[:1] == "+" else None


def region_of(country: str | None) -> str:
    """Where a number without a country code is dialled: HA's country, else SE."""
    return country or DEFAULT_REGION


def same_number(a: str | None, b: str, region: str = DEFAULT_REGION) -> bool:
    """Whether two numbers (or identifiers) are the same party."""
    return bool(a) and normalise(a or "", region) == normalise(b, region)
