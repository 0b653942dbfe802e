"""Who called: names for numbers, from a phone book typed in the options.

One entry per line, ``number = name`` (``+46 70-123 45 67 = Anna Andersson``);
blank lines and lines starting with ``#`` are ignored. Numbers are compared as
erasure compares them (``numbers.normalise``, HA's country as region), so any
way of writing a number finds its name.
"""

from __future__ import annotations

from typing import Final

from .numbers import DEFAULT_REGION, normalise

SEPARATORS: Final = ("=", "\t", ";")


def parse(text: str, region: str = DEFAULT_REGION) -> dict[str, str]:
    """Normalised number → name; lines without a separator are skipped."""
    book: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        for separator in SEPARATORS:
            number, found, name = line.partition(separator)
            if found and number.strip() and name.strip():
                book[normalise(number.strip(), region)] = name.strip()
                break
    return book


def lookup(book: dict[str, str], number: str | None, region: str) -> str | None:
    """The name for a number, if the book has it."""
    if not number or not book:
        return None
    return book.get(normalise(number, region))
