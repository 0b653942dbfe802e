"""Recording files: whatever is named after an erased call goes with it."""

from __future__ import annotations

import os
from pathlib import Path
import stat

from custom_components.m8com.media_files import (
    finish,
    open_part,
    remove_files,
    write_text,
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
