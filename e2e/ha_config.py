"""The config folder a test HA process starts on: YAML, links, a free port.

Kept apart from the process itself so what HA is given to load can be read
in one place (the harness's minimal HA, or the dev config as a whole).
"""

from __future__ import annotations

import json
from pathlib import Path
import socket
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .harness import HomeAssistantProcess

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


CONFIG = """
homeassistant:
  name: M8Com e2e
  time_zone: Europe/Stockholm
  country: SE
  currency: SEK
  unit_system: metric
  external_url: {external_url}
  media_dirs:
    local: {media}
http:
  server_host: 127.0.0.1
  server_port: {port}
api:
config:
onboarding:
media_source:
websocket_api:
recorder:
  db_url: sqlite:///{config}/home-assistant_v2.db
{recorder_extra}automation: !include automations.yaml
logger:
  default: warning
  logs:
    custom_components.m8com: debug
    homeassistant.components.webhook: info
"""


def write_config(ha: HomeAssistantProcess) -> None:
    """A minimal HA (no frontend) with the integration linked in."""
    (ha.config / "custom_components").mkdir(parents=True, exist_ok=True)
    link = ha.config / "custom_components" / "m8com"
    if not link.exists():
        link.symlink_to(REPO / "custom_components" / "m8com")
    for name in ha.integrations:
        extra = ha.config / "custom_components" / name
        if not extra.exists():
            extra.symlink_to(REPO / "e2e" / "custom_components" / name)
    ha.media.mkdir(exist_ok=True)
    if ha.config_text is not None:
        (ha.config / "configuration.yaml").write_text(ha.config_text)
        automations = ha.config / "automations.yaml"
        if not automations.exists():  # as scripts/develop creates it
            automations.write_text(json.dumps(ha.automations))
        return
    (ha.config / "configuration.yaml").write_text(
        CONFIG.format(
            port=ha.port,
            media=ha.media,
            config=ha.config,
            external_url=ha.external_url,
            recorder_extra=ha.recorder_extra,
        )
        + ha.extra_config
    )
    (ha.config / "automations.yaml").write_text(json.dumps(ha.automations))
