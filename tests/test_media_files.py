"""Recording files: whatever is named after an erased call goes with it."""

from __future__ import annotations

import os
from pathlib import Path
import stat
from unittest.mock import patch

import pytest

from custom_components.m8com.media_files import (
    finish,
    free_bytes,
    open_part,
    remove_files,
    write_text,
    wrong_content,
)


def test_a_recordings_transcript_goes_with_it_even_if_unrecorded(
    tmp_path: Path,
) -> None:
    day = tmp_path / "m8com" / "2025" / "03" / "14"
    day.mkdir(parents=True)
    for name in ("150312_4711.mp3", "150312_4711.txt", "150312_4712.mp3"):
        (day / name).write_bytes(b"x")
    remove_files(tmp_path, ["m8com/2025/03/14/150312_4711.mp3"])
    assert sorted(p.name for p in day.iterdir()) == ["150312_4712.mp3"]


def test_files_are_0600_and_the_folders_we_create_0700(tmp_path: Path) -> None:
    """Under the usual umask (022) too: personal data readable by HA's user only."""
    old = os.umask(0o022)
    try:
        part = tmp_path / "m8com" / "2025" / "03" / "14" / "150312_4711.mp3.part"
        handle = open_part(part)
        finish(handle, b"ID3", part, part.with_suffix(""))
        write_text(tmp_path / "m8com" / "2025" / "03" / "14" / "150312_4711.txt", "hej")
    finally:
        os.umask(old)
    day = tmp_path / "m8com" / "2025" / "03" / "14"
    for path in day.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in (day, *list(day.parents)[:3]):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


@pytest.mark.parametrize(
    ("extension", "head", "reason"),
    [
        ("mp3", b"ID3\x04\x00\x00\x00\x00\x00\x00\x00\x00", None),
        ("mp3", b"\xff\xfb\x90\x64", None),  # MPEG-1 layer III frame
        ("mp3", b"\xff\xf3", None),  # MPEG-2 layer III frame
        ("mp3", b"\xff\x00\x00", "not an MP3 file"),  # 0xFF without frame sync
        ("mp3", b"\xff", "not an MP3 file"),
        ("mp3", b"RIFF\x00\x00\x00\x00WAVE", "not an MP3 file"),
        ("wav", b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
        ("wav", b"RIFF\x24\x00\x00\x00", "not a WAV file"),
        ("wav", b"ID3\x04\x00\x00\x00\x00WAVE", "not a WAV file"),
        ("ogg", b"anything", None),  # only the formats with a cheap sure test
    ],
)
def test_first_bytes_must_match_the_extension(
    extension: str, head: bytes, reason: str | None
) -> None:
    assert wrong_content(extension, head) == reason


def test_free_space_of_a_folder_not_yet_made(tmp_path: Path) -> None:
    """The media folder may not exist yet: its parent's disk is the one."""
    assert free_bytes(tmp_path / "media" / "m8com") is not None
    with patch("shutil.disk_usage", side_effect=OSError(5, "I/O error")):
        assert free_bytes(tmp_path) is None
