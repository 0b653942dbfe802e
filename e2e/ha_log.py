"""Reading a test HA's log for what must never appear in it."""

from __future__ import annotations

ENVIRONMENTAL = ("libturbojpeg", "[haffmpeg.core] FFmpeg fails")


def problems_in(text: str) -> list[str]:
    """Log records that must never appear: blocking calls and tracebacks.

    Records caused by native tools these machines lack (libturbojpeg for
    HA's camera helper, the ffmpeg binary for HA's tts) are environmental
    and ignored; nothing else is.
    """
    problems = []
    record = ""
    for line in text.splitlines():
        if line[:4].isdigit():
            record = line
        if any(known in record for known in ENVIRONMENTAL):
            continue
        if (
            "Detected blocking call" in line
            or line.startswith("Traceback")
            or ("m8com" in line and "deprecat" in line.lower())
            or "Detected that custom integration 'm8com'" in line
        ):
            problems.append(f"{record} | {line}")
    return problems
