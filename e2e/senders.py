"""Senders outside HA: curl posting as M8Com does, and ``scripts/simulate.py``.

Both run as separate programs, so the webhook sees a real client, not the
test's own session.
"""

from __future__ import annotations

import asyncio
import sys

from .ha_config import REPO


async def curl_post(url: str, secret: str, body: str | bytes) -> int:
    """POST as M8Com does, with curl; return the HTTP status."""
    data = body if isinstance(body, bytes) else body.encode()
    proc = await asyncio.create_subprocess_exec(
        "curl",
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
        "-H",
        f"Authorization: Bearer {secret}",
        "--data-binary",
        "@-",
        url,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(proc.communicate(data), 60)
    return int(out)


async def simulate(*args: str, timeout: float = 120) -> tuple[int, str]:
    """Run ``scripts/simulate.py`` to the end: its exit code and what it printed."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(REPO / "scripts" / "simulate.py"),
        *args,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, out.decode()
