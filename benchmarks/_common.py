"""Shared pieces for the benchmarks: a real HA process, onboarded, with an entry."""

from __future__ import annotations

from pathlib import Path
import statistics
from typing import Any

from e2e.harness import HomeAssistantProcess

SECRET = "benchmark-secret-0123456789"  # noqa: S105 - a throwaway test value
JSON = {"Content-Type": "application/json"}
OURS = {"Authorization": f"Bearer {SECRET}", **JSON}
"""Headers of a delivery to the integration (M8Com's)."""


async def start_with_entry(
    config: Path, ha: HomeAssistantProcess | None = None
) -> tuple[HomeAssistantProcess, dict[str, Any]]:
    """Start and onboard HA, then add the integration through the REST flow."""
    ha = ha or HomeAssistantProcess(config=config)
    await ha.start()
    await ha.onboard()
    flow = await ha.rest(
        "POST", "/api/config/config_entries/flow", {"handler": "m8com"}
    )
    path = f"/api/config/config_entries/flow/{flow['flow_id']}"
    await ha.rest("POST", path, {"secret": SECRET})
    result: dict[str, Any] = await ha.rest("POST", path, {})
    return ha, result


def summary(values: list[float]) -> str:
    """Median and extremes in milliseconds."""
    ms = [v * 1000 for v in values]
    return (
        f"median {statistics.median(ms):.1f} ms (min {min(ms):.1f}, max {max(ms):.1f})"
    )


def rss_mib(pid: int) -> float:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def action(ha: HomeAssistantProcess, name: str, data: dict[str, Any]) -> Any:
    """An m8com action through the REST API, with its response."""
    return await ha.rest("POST", f"/api/services/m8com/{name}?return_response", data)
