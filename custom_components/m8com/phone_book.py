"""Who called: names for numbers, from a phone book typed in the options or a file.

Typed: one entry per line, ``number = name`` (``+46 70-123 45 67 = Anna
Andersson``); blank lines and lines starting with ``#`` are ignored. A file in
the config folder (option ``phone_book_file``) may be a vCard export (``.vcf``)
or a CSV in any column order (e.g. Google's or Outlook's contacts export); it
is read again whenever it changes, and never from outside the config folder.
Typed entries win over the file's. Numbers are compared as
erasure compares them (``phone_numbers.normalise``, HA's country as region), so any
way of writing a number finds its name.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
import re
from typing import TYPE_CHECKING, Any, Final

from .const import CONF_PHONE_BOOK, CONF_PHONE_BOOK_FILE, LOGGER
from .phone_numbers import DEFAULT_REGION, normalise, region_of

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.core import HomeAssistant

    from .call import Call

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


VCARD_SUFFIXES: Final = (".vcf", ".vcard")


def parse_file(text: str, suffix: str, region: str = DEFAULT_REGION) -> dict[str, str]:
    """A phone book file: vCard by its suffix, else CSV (any column order)."""
    if suffix.lower() in VCARD_SUFFIXES:
        return _parse_vcard(text, region)
    return _parse_csv(text, region)


def _parse_vcard(text: str, region: str) -> dict[str, str]:
    """``FN`` (or ``N``) and every ``TEL`` of each card; folded lines joined."""
    book: dict[str, str] = {}
    name, numbers = "", list[str]()
    for line in re.sub(r"\r?\n[ \t]", "", text).splitlines():
        key, _, value = line.partition(":")
        prop = key.split(";", 1)[0].split(".")[-1].upper()
        if prop == "BEGIN":
            name, numbers = "", []
        elif prop == "FN":
            name = _unescape(value)
        elif prop == "N" and not name:
            last, _, rest = _unescape(value).partition(";")
            name = " ".join(filter(None, [rest.split(";", 1)[0], last]))
        elif prop == "TEL":
            numbers.append(value.removeprefix("tel:"))
        elif prop == "END" and name:
            for number in numbers:
                if _looks_like_number(number):
                    book[normalise(number, region)] = name
    return book


def _unescape(value: str) -> str:
    return value.replace("\\,", ",").replace("\\;", ";").replace("\\n", " ").strip()


def _parse_csv(text: str, region: str) -> dict[str, str]:
    """Each row: the cells that look like numbers get the first other cell."""
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    book: dict[str, str] = {}
    for row in csv.reader(io.StringIO(text), dialect):
        cells = [cell.strip() for cell in row]
        numbers = [cell for cell in cells if _looks_like_number(cell)]
        names = [cell for cell in cells if cell and cell not in numbers]
        if numbers and names:
            for number in numbers:
                book[normalise(number, region)] = names[0]
    return book


def _looks_like_number(cell: str) -> bool:
    digits = re.sub(r"[\s()./-]", "", cell).removeprefix("+")
    return len(digits) >= MIN_DIGITS and digits.isascii() and digits.isdigit()


MIN_DIGITS: Final = 3


def book_path(config_dir: str, relative: str) -> Path | None:
    """The file inside the config folder, or None for a path that leaves it."""
    root = Path(config_dir).resolve()
    path = (root / relative.strip()).resolve()
    return path if path.is_relative_to(root) and path != root else None


class PhoneBook:
    """The typed phone book and the file's, the file re-read when it changes."""

    def __init__(self) -> None:
        """Nothing parsed until the first call needs it."""
        self._typed: tuple[str, dict[str, str]] = ("", {})
        self._file: tuple[Any, dict[str, str]] = (None, {})

    def typed(self, text: str, region: str) -> dict[str, str]:
        """The typed book, parsed again only when its text changed."""
        if text != self._typed[0]:
            self._typed = (text, parse(text, region))
        return self._typed[1]

    def from_file(self, config_dir: str, relative: str, region: str) -> dict[str, str]:
        """The file's book, read again when its size or time changed (executor).

        Resolving the path touches the disk too, so it happens here as well;
        a path that leaves the config folder gives no names.
        """
        if (path := book_path(config_dir, relative)) is None:
            return {}
        try:
            stat = path.stat()
            key = (path, stat.st_mtime_ns, stat.st_size)
            if key != self._file[0]:
                text = path.read_text(encoding="utf-8-sig", errors="replace")
                self._file = (key, parse_file(text, path.suffix, region))
        except OSError as err:
            if self._file[0] != (path, err.errno):
                LOGGER.warning("Cannot read the phone book file: %s", err.strerror)
            self._file = ((path, err.errno), {})
        return self._file[1]

    async def async_name(
        self, hass: HomeAssistant, options: Mapping[str, Any], record: Call
    ) -> None:
        """Name both parties of a kept call: typed entries, then the file's."""
        region = region_of(hass.config.country)
        book = self.typed(str(options.get(CONF_PHONE_BOOK) or ""), region)
        if relative := str(options.get(CONF_PHONE_BOOK_FILE) or "").strip():
            from_file = await hass.async_add_executor_job(
                self.from_file, hass.config.config_dir, relative, region
            )
            book = {**from_file, **book}
        record.caller_name = lookup(book, record.caller_number, region)
        record.callee_name = lookup(book, record.callee_number, region)
