"""Recording files: whatever is named after an erased call goes with it."""

from __future__ import annotations

from pathlib import Path

from custom_components.m8com.media_files import remove_files


def test_a_recordings_transcript_goes_with_it_even_if_unrecorded(
    tmp_path: Path,
) -> None:
    day = tmp_path / "m8com" / "2025" / "03" / "14"
    day.mkdir(parents=True)
    for name in ("150312_4711.mp3", "150312_4711.txt", "150312_4712.mp3"):
        (day / name).write_bytes(b"x")
    remove_files(tmp_path, ["m8com/2025/03/14/150312_4711.mp3"])
    assert sorted(p.name for p in day.iterdir()) == ["150312_4712.mp3"]
