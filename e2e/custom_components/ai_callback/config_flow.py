"""One step, no questions: the test engine has nothing to configure."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult


class AiCallbackFlow(ConfigFlow, domain="ai_callback"):
    """Create the engine's entry at once."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """No form."""
        return self.async_create_entry(title="AI callback", data={})
