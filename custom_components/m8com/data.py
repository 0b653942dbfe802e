"""What one loaded account holds: the typed ``ConfigEntry`` every module shares.

At the bottom of the import graph on purpose: platforms, actions and the media
source need the entry's type, never the pipeline that fills it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .callback_list import CallbackList
    from .pipeline import CallPipeline
    from .store import CallStore
    from .webhook import WebhookHandler


@dataclass
class M8ComRuntime:
    """``entry.runtime_data`` while the account is loaded."""

    store: CallStore
    pipeline: CallPipeline
    webhook_url: str
    handler: WebhookHandler
    callbacks: CallbackList


type M8ComConfigEntry = ConfigEntry[M8ComRuntime]
