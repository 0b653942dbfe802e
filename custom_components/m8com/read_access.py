"""Who may read calls: the one place that decides it.

Every logged-in user of Home Assistant can read entity states and
attributes, the logbook and the media browser; only administrators can call
the actions. So what the integration itself shows follows one option,
*Show call details on the sensor* (on by default, for households):

- off: the calls sensor, the event entity and the logbook lines carry no
  number, name, agent, summary or transcript (counts, times, direction and
  durations stay), so a business can keep those to administrators
  (``get_recordings``, the media source);
- the M8Com media source (its titles name both parties; it resolves the
  audio) answers administrators only, whatever the option: a request by a
  logged-in user who is not an administrator is refused, while Home
  Assistant's own calls without a user (automations, AI tasks) go through.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.components.http.const import KEY_HASS_USER
from homeassistant.components.websocket_api.connection import current_connection
from homeassistant.core import HomeAssistant
from homeassistant.helpers.http import current_request

from .const import CONF_SHOW_DETAILS
from .options import option

DETAIL_KEYS: Final = frozenset(
    {
        "caller", "caller_number", "caller_name", "callee", "callee_number",
        "callee_name", "agent", "agent_id", "agent_name", "referred_to",
        "referred_by", "summary", "transcript", "ai_summary", "who", "user_id",
    }
)  # fmt: skip
"""Everything that names or quotes a person, in any of our attribute shapes."""


def show_details(hass: HomeAssistant, entry_id: str) -> bool:
    """Whether the account's option lets every user read call details."""
    entry = hass.config_entries.async_get_entry(entry_id)
    return entry is None or bool(option(entry.options, CONF_SHOW_DETAILS))


def without_details(data: Mapping[str, Any]) -> dict[str, Any]:
    """The same shape with every detail that names or quotes a person emptied."""
    return {key: None if key in DETAIL_KEYS else value for key, value in data.items()}


def non_admin_request() -> bool:
    """Whether the running request is by a logged-in user who is no admin.

    The media source API passes no user; HA keeps the websocket connection
    (whose ``user`` sent the command, a service call's too) and the HTTP
    request (``hass_user``) in context variables. Neither, or no user (a
    signed path, HA itself), is not a refusal.
    """
    if (connection := current_connection.get()) is not None:
        return not connection.user.is_admin
    if (request := current_request.get()) is None:
        return False
    user = request.get(KEY_HASS_USER)
    return user is not None and not user.is_admin


ADMIN_ONLY: Final = "M8Com recordings and their call details are for administrators"
