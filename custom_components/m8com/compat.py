"""Small bridges between the Home Assistant versions this integration supports."""

from __future__ import annotations

from typing import Any

import voluptuous as vol


def schema(fields: dict[Any, Any]) -> Any:
    """A voluptuous schema, typed ``Any`` for HA's flow and service APIs.

    HA 2026 types these APIs with ``probatio.Schema`` (and installs probatio as
    ``voluptuous`` at runtime); HA 2025 types them with ``voluptuous.Schema``.
    The object is the same at runtime, so mypy is told nothing on both.
    Drop once the oldest HA supported is 2026.x and import probatio instead.
    """
    return vol.Schema(fields)
