"""The intents as tools of the Assist LLM API on HA 2026.x (``llm`` platform).

HA 2025.x turns every registered intent into an Assist tool by itself; HA
2026.x asks each integration's ``llm`` platform instead. The tools exist only
while an account lets Assist answer about calls (``intents.py``).
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import llm

from .const import DOMAIN
from .intents import HANDLERS, allowed_accounts

TITLES = {
    "M8ComRecentCalls": "Recent calls",
    "M8ComCallDetails": "One call's details",
    "M8ComSearchCalls": "Search calls",
    "M8ComCallbacks": "Callback list",
}


@callback
def async_get_tools(
    hass: HomeAssistant, _llm_context: llm.LLMContext, api_id: str
) -> Any:
    """The four call tools for the Assist API, or None when Assist may not answer."""
    from homeassistant.components.llm import (  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415 - HA 2026.x only
        LLMTools,
    )

    if api_id != llm.LLM_API_ASSIST or not allowed_accounts(hass):
        return None
    annotations: Any = llm.ToolAnnotations(read_only=True, open_world=False)  # type: ignore[attr-defined,unused-ignore]
    tools: list[llm.Tool] = [
        llm.IntentTool(  # type: ignore[call-arg,unused-ignore]
            f"{DOMAIN}__{handler.intent_type}",
            handler,
            title=TITLES[handler.intent_type],
            integration=DOMAIN,
            annotations=annotations,
        )
        for handler in HANDLERS
    ]
    return LLMTools(tools=tools)
