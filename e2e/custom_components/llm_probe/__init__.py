"""An LLM conversation agent's view of Home Assistant, for the e2e tests.

``llm_probe.call`` gets HA's Assist LLM API as a conversation agent would
(``llm.async_get_api(hass, "assist", llm_context)``) and returns the names of
its tools and, if asked, one tool's answer (``api.async_call_tool``), so a
test can see what a cloud model would be offered and told.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from typing import Any

from homeassistant.core import (
    Context,
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.helpers import llm
from homeassistant.helpers.typing import ConfigType
from homeassistant.setup import async_setup_component

DOMAIN = "llm_probe"


def llm_context(context: Context) -> llm.LLMContext:
    """A conversation's context (HA 2026 dropped ``user_prompt``)."""
    values: dict[str, Any] = {
        "platform": DOMAIN,
        "context": context,
        "user_prompt": None,
        "language": "en",
        "assistant": "conversation",
        "device_id": None,
    }
    names = {f.name for f in dataclasses.fields(llm.LLMContext)}
    return llm.LLMContext(**{k: v for k, v in values.items() if k in names})


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register ``llm_probe.call``; on HA 2026 the Assist API needs ``llm``."""
    if importlib.util.find_spec("homeassistant.components.llm"):
        await async_setup_component(hass, "llm", {})

    async def call(service: ServiceCall) -> ServiceResponse:
        api = await llm.async_get_api(hass, "assist", llm_context(service.context))
        names = [tool.name for tool in api.tools]
        answer: dict[str, Any] = {"tools": names}
        if wanted := service.data.get("tool"):
            (name,) = [n for n in names if n.endswith(wanted)]
            result: Any = await api.async_call_tool(
                llm.ToolInput(name, dict(service.data.get("args") or {}))
            )
            answer["result"] = dict(getattr(result, "data", result))
        return answer

    hass.services.async_register(
        DOMAIN, "call", call, supports_response=SupportsResponse.ONLY
    )
    return True
