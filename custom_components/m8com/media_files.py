"""Recording files in the media folder: written whole, removed, found again.

Files are written as ``.part`` and renamed when complete (and flushed to the
disk first), so the media browser never shows half a recording and a crash
leaves only debris that is recognised and removed at the next start.
"""

from __future__ import annotations

from collections.abc import Iterable
import os
from pathlib import Path
import shutil
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

PART_SUFFIX = ".part"
TRANSCRIPT_SUFFIX = ".txt"
"""A call's transcript, beside its first recording (never a recording itself)."""


def media_root(hass: HomeAssistant) -> Path:
    """HA's "My media" folder, where recordings must land to be browsable."""
    return Path(hass.config.media_dirs.get("local") or hass.config.path("media"))


FILE_MODE = 0o600
FOLDER_MODE = 0o700
"""Recordings and transcripts are personal data: only Home Assistant's own user
reads them (HA serves them itself), whatever the process's umask."""


_SYNC = 0xE0
"""The three high bits of an MPEG frame's second byte (after 0xFF)."""
MAGIC_HEAD_BYTES = 12
"""Enough of a file's start to tell MP3/ID3 and RIFF/WAVE."""


def wrong_content(extension: str, head: bytes) -> str | None:
    """Why a file's first bytes are not the format its extension claims, or None.

    ffmpeg later reads the file as that format; refusing a ``.mp3`` that is not
    MP3 (frame sync or ID3 tag) or a ``.wav`` that is not RIFF/WAVE keeps other
    content (a playlist, a page, a script) out of the media folder.
    """
    if extension == "mp3":
        if head.startswith(b"ID3") or _frame_sync(head):
            return None
        return "not an MP3 file"
    if extension == "wav":
        if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
            return None
        return "not a WAV file"
    return None


def _frame_sync(head: bytes) -> bool:
    """An MPEG audio frame starts with 11 set bits (0xFF, then 0xE0 set)."""
    return head[:1] == b"\xff" and len(head) > 1 and head[1] & _SYNC == _SYNC


def free_bytes(root: Path) -> int | None:
    """Free space on the disk of the media folder (executor); None if unknown.

    The folder may not exist yet: its nearest existing parent is on that disk.
    """
    try:
        folder = next(p for p in (root, *root.parents) if p.exists())
        return shutil.disk_usage(folder).free
    except (OSError, StopIteration):
        return None


def open_part(part: Path) -> IO[bytes]:
    """Open ``<name>.part`` for writing, creating the day folders (executor).

    The folders this creates are 0700 and the file 0600; folders that exist
    (HA's media folder itself) are left as they are.
    """
    missing = [p for p in (part.parent, *part.parent.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
        folder.chmod(FOLDER_MODE)  # mkdir's mode is masked by the umask
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # an existing .part, or a umask, keeps nothing wider
    return os.fdopen(fd, "wb")


def finish(handle: IO[bytes], tail: bytes, part: Path, path: Path) -> None:
    """Complete the file on the disk itself before it gets its final name.

    Its call is marked saved right after; without the fsync a power cut could
    leave a saved call pointing to an empty file.
    """
    with handle:
        handle.write(tail)
        handle.flush()
        os.fsync(handle.fileno())
    part.replace(path)


def write_text(path: Path, text: str) -> None:
    """Write a transcript whole, as recordings are (executor)."""
    part = path.with_name(path.name + PART_SUFFIX)
    finish(open_part(part), text.encode(), part, path)


def discard(handle: IO[bytes], part: Path) -> None:
    """Drop an unfinished recording (executor)."""
    handle.close()
    part.unlink(missing_ok=True)


def remove_files(root: Path, files: Iterable[str]) -> None:
    """Delete recordings and the day folders they leave empty (executor).

    A recording's transcript (``.txt`` beside it) goes with it even if its
    call never recorded it (a crash between writing it and the call's
    update), so no file named after an erased call is left behind.
    """
    for relative in files:
        path = root / relative
        path.unlink(missing_ok=True)
        path.with_suffix(TRANSCRIPT_SUFFIX).unlink(missing_ok=True)
        for parent in path.parents:
            if parent == root or not parent.is_relative_to(root):
                break
            try:
                parent.rmdir()
            except OSError:
                break


def scan_folder(root: Path, subdir: str) -> dict[int, list[str]]:
    """One walk of an account's folder at start-up (executor).

    Deletes the ``.part`` files a crash or restart left behind, and returns
    the recordings found by call id (``HHMMSS_<id>[_<n>].<ext>``), relative
    to the media root, so they can be matched with the calls that own them.
    """
    found: dict[int, list[str]] = {}
    folder = root / subdir
    if not folder.is_dir():
        return found
    for path in folder.rglob("*"):
        if path.name.endswith(PART_SUFFIX):
            path.unlink(missing_ok=True)
            continue
        if path.suffix == TRANSCRIPT_SUFFIX:
            continue  # goes with its call's record, not a recording
        if (call_id := _call_id_of(path.stem)) is not None and path.is_file():
            found.setdefault(call_id, []).append(path.relative_to(root).as_posix())
    return found


def _call_id_of(stem: str) -> int | None:
    """``140312_4711`` or ``140312_4711_2`` → 4711; anything else → None."""
    parts = stem.split("_")
    if len(parts) in (2, 3) and all(p.isascii() and p.isdigit() for p in parts):
        return int(parts[1])
    return None


def scan_transcripts(root: Path, subdir: str) -> dict[int, list[str]]:
    """Transcript files by call id (executor), to list those of no call."""
    found: dict[int, list[str]] = {}
    folder = root / subdir
    if not folder.is_dir():
        return found
    for path in folder.rglob(f"*{TRANSCRIPT_SUFFIX}"):
        if (call_id := _call_id_of(path.stem)) is not None and path.is_file():
            found.setdefault(call_id, []).append(path.relative_to(root).as_posix())
    return found
