"""Who called: names for numbers, from a phone book typed in the options or a file.

Typed: one entry per line, ``number = name`` (``+46 70-123 45 67 = Anna
Andersson``); blank lines and lines starting with ``#`` are ignored. A file in
the config folder (option ``phone_book_file``) may be a vCard export (``.vcf``)
or a CSV in any column order (e.g. Google's or Outlook's contacts export); it
is read again whenever it changes, and never from outside the config folder.

A phone book only adds names, so it can never cost a call: a file that cannot
be used (unreadable, over MAX_FILE_BYTES, binary, not parseable, or one where
Home Assistant keeps secrets: ``secrets.yaml``, ``.storage``, any hidden or
non-contacts file) keeps the last good book, is logged once per change of the
file and raises a repair issue until it reads again.
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


MAX_FILE_BYTES: Final = 5 * 1024 * 1024
"""Far beyond any contacts export; a larger file is refused, not read."""
BOOK_SUFFIXES: Final = (*VCARD_SUFFIXES, ".csv", ".tsv", ".txt")
"""Contacts exports only: never ``.yaml``, ``.json``, ``.db`` or key files."""


def book_path(config_dir: str, relative: str) -> Path | None:
    """The file inside the config folder, or None for a path that leaves it."""
    root = Path(config_dir).resolve()
    path = (root / relative.strip()).resolve()
    return path if path.is_relative_to(root) and path != root else None


def refused(config_dir: str, path: Path) -> str | None:
    """Why a file in the config folder may not be a phone book, or None.

    Home Assistant keeps secrets in ``secrets.yaml``, ``.storage/`` (tokens,
    auth), ``.cloud/``, ``known_devices.yaml`` and its databases: only a
    contacts export's suffix is read, and nothing in a hidden folder.
    """
    parts = path.relative_to(Path(config_dir).resolve()).parts
    if any(part.startswith(".") for part in parts):
        return "a hidden file or folder (Home Assistant keeps secrets there)"
    if path.suffix.lower() not in BOOK_SUFFIXES:
        return f"not a contacts file (use {', '.join(BOOK_SUFFIXES)})"
    return None


class UnusableBookError(Exception):
    """The file cannot be a phone book; the reason names no content."""


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), or UTF-16 with a BOM (Excel's "Unicode")."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\0" in data:
        msg = "binary file, not a contacts export"
        raise UnusableBookError(msg)
    return data.decode("utf-8-sig", errors="replace")


def read_book(path: Path, region: str) -> dict[str, str]:
    """Read and parse a phone book file (executor).

    UnusableBookError if it is not one: too large, binary, unparseable, or
    without a single number with a name (a broken export, not a wish for none).
    """
    with path.open("rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        msg = f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB"
        raise UnusableBookError(msg)
    try:
        book = parse_file(_decode(data), path.suffix, region)
    except (csv.Error, UnicodeError, ValueError) as err:
        msg = f"cannot be parsed ({type(err).__name__})"
        raise UnusableBookError(msg) from err
    if not book:
        msg = "no number with a name found"
        raise UnusableBookError(msg)
    return book


class PhoneBook:
    """The typed phone book and the file's, the file re-read when it changes."""

    def __init__(self) -> None:
        """Nothing parsed until the first call needs it."""
        self._typed: tuple[str, dict[str, str]] = ("", {})
        self._file: tuple[Any, dict[str, str]] = (None, {})
        self.problem: str | None = None
        """Why the file is not used now (the last good book is), or None."""

    def typed(self, text: str, region: str) -> dict[str, str]:
        """The typed book, parsed again only when its text changed."""
        if text != self._typed[0]:
            self._typed = (text, parse(text, region))
        return self._typed[1]

    def from_file(self, config_dir: str, relative: str, region: str) -> dict[str, str]:
        """The file's book, read again when its size or time changed (executor).

        Resolving the path touches the disk too, so it happens here as well;
        a path that leaves the config folder gives no names. A file that
        cannot be used leaves the last good book in place (``problem`` says
        why), logged once for each state of the file.
        """
        if (path := book_path(config_dir, relative)) is None:
            return {}
        try:
            stat = path.stat()
            key: Any = (path, stat.st_mtime_ns, stat.st_size)
            if key == self._file[0]:
                return self._file[1]
            if (reason := refused(config_dir, path)) is not None:
                raise UnusableBookError(reason)  # noqa: TRY301 - one handler below
            self._file = (key, read_book(path, region))
            self.problem = None
        except FileNotFoundError:
            self._unusable((path, None), "no such file")
            self._file = ((path, None), {})  # removed on purpose: no names from it
        except OSError as err:
            self._unusable((path, err.errno), f"cannot be read: {err.strerror}")
        except UnusableBookError as err:
            self._unusable(key, str(err))
        return self._file[1]

    def _unusable(self, key: Any, reason: str) -> None:
        if key != self._file[0]:
            LOGGER.warning(
                "The phone book file is not used (%s); names come from the last "
                "good copy",
                reason,
            )
        self._file = (key, self._file[1])
        self.problem = reason

    async def async_name(
        self, hass: HomeAssistant, options: Mapping[str, Any], record: Call
    ) -> None:
        """Name both parties of a kept call: typed entries, then the file's.

        Names are a nicety: any failure here is logged and the call goes on
        unnamed, never turned into an answer M8Com would retry.
        """
        try:
            region = region_of(hass.config.country)
            book = self.typed(str(options.get(CONF_PHONE_BOOK) or ""), region)
            if relative := str(options.get(CONF_PHONE_BOOK_FILE) or "").strip():
                from_file = await hass.async_add_executor_job(
                    self.from_file, hass.config.config_dir, relative, region
                )
                book = {**from_file, **book}
            record.caller_name = lookup(book, record.caller_number, region)
            record.callee_name = lookup(book, record.callee_number, region)
        except Exception:  # noqa: BLE001 - a name must never cost a call
            LOGGER.exception("Could not name call %s; kept unnamed", record.call_id)
