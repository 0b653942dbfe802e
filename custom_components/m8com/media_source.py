"""Browse and play recordings by account and day, with call details as titles.

"My media" already shows the files, but only by file name; this source shows
who called whom and for how long, newest day first, and is what the library's
``media_content_ids`` point at. Playback goes through HA's authenticated local
media view, so a resolved URL is signed and never public.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from homeassistant.components.media_player.const import MediaClass, MediaType
from homeassistant.components.media_player.errors import BrowseError
from homeassistant.components.media_source import (
    BrowseMediaSource,
    MediaSource,
    MediaSourceItem,
    PlayMedia,
    Unresolvable,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from .const import DOMAIN
from .data import M8ComConfigEntry
from .formatting import (
    media_identifier,
    mime_type,
    parse_media_identifier,
    recording_title,
)
from .media_files import media_root
from .read_access import ADMIN_ONLY, non_admin_request

TITLE = "M8Com call recordings"


async def async_get_media_source(hass: HomeAssistant) -> M8ComMediaSource:
    """Register the source (HA calls this once)."""
    return M8ComMediaSource(hass)


class M8ComMediaSource(MediaSource):
    """root → account → day (newest first) → recordings."""

    name = TITLE

    def __init__(self, hass: HomeAssistant) -> None:
        """Browse the loaded M8Com accounts."""
        super().__init__(DOMAIN)
        self.hass = hass

    def _entry(self, entry_id: str) -> M8ComConfigEntry:
        entry = self.hass.config_entries.async_get_entry(entry_id)
        if (
            entry is None
            or entry.domain != DOMAIN
            or entry.state is not ConfigEntryState.LOADED
        ):
            raise BrowseError(
                f"Unknown M8Com account {entry_id}",
                translation_domain=DOMAIN,
                translation_key="unknown_account",
                translation_placeholders={"entry_id": entry_id},
            )
        return entry

    async def async_resolve_media(self, item: MediaSourceItem) -> PlayMedia:
        """``<entry>/<call>/<n>`` to a signed-in local media URL (admins only)."""
        if non_admin_request():
            raise Unresolvable(
                ADMIN_ONLY, translation_domain=DOMAIN, translation_key="admin_only"
            )
        try:
            entry_id, call_id, n = parse_media_identifier(item.identifier)
            entry = self._entry(entry_id)
            call = await entry.runtime_data.store.async_get(call_id)
            if call is None:
                raise KeyError(call_id)  # noqa: TRY301 - one error for every miss
            path = call.files[n]
        except (ValueError, KeyError, IndexError, BrowseError) as err:
            raise Unresolvable(
                f"No M8Com recording {item.identifier}",
                translation_domain=DOMAIN,
                translation_key="unknown_recording",
                translation_placeholders={"identifier": item.identifier},
            ) from err
        url, mime = f"/media/local/{quote(path)}", mime_type(path)
        if "path" in PlayMedia.__dataclass_fields__:
            # HA 2025.8+: a local file, so an AI task can take it as attachment.
            return PlayMedia(url, mime, path=media_root(self.hass) / path)  # type: ignore[call-arg,unused-ignore]
        return PlayMedia(url, mime)

    async def async_browse_media(self, item: MediaSourceItem) -> BrowseMediaSource:
        """Browse by identifier depth: none, account, or account/day (admins only)."""
        if non_admin_request():
            raise BrowseError(
                ADMIN_ONLY, translation_domain=DOMAIN, translation_key="admin_only"
            )
        parts = item.identifier.split("/") if item.identifier else []
        if not parts:
            return self._root()
        entry = self._entry(parts[0])
        if len(parts) == 1:
            return await self._async_account(entry)
        try:
            day = date.fromisoformat(parts[1])
        except ValueError as err:
            raise BrowseError(
                f"Unknown day {parts[1]}",
                translation_domain=DOMAIN,
                translation_key="unknown_day",
                translation_placeholders={"day": parts[1]},
            ) from err
        return await self._async_day(entry, day)

    def _root(self) -> BrowseMediaSource:
        entries = self.hass.config_entries.async_loaded_entries(DOMAIN)
        return _folder(None, TITLE, [_folder(e.entry_id, e.title) for e in entries])

    async def _async_account(self, entry: M8ComConfigEntry) -> BrowseMediaSource:
        days = await entry.runtime_data.store.async_days()
        children = [
            _folder(f"{entry.entry_id}/{d.isoformat()}", d.isoformat()) for d in days
        ]
        return _folder(entry.entry_id, entry.title, children)

    async def _async_day(self, entry: M8ComConfigEntry, day: date) -> BrowseMediaSource:
        calls = await entry.runtime_data.store.async_day(day)  # newest first
        children = [
            BrowseMediaSource(
                domain=DOMAIN,
                identifier=media_identifier(entry.entry_id, record.call_id, n),
                media_class=MediaClass.MUSIC,
                media_content_type=mime_type(path),
                title=recording_title(record, n),
                can_play=True,
                can_expand=False,
            )
            for record in calls
            for n, path in enumerate(record.files)
        ]
        return _folder(f"{entry.entry_id}/{day.isoformat()}", day.isoformat(), children)


def _folder(
    identifier: str | None, title: str, children: list[BrowseMediaSource] | None = None
) -> BrowseMediaSource:
    return BrowseMediaSource(
        domain=DOMAIN,
        identifier=identifier,
        media_class=MediaClass.DIRECTORY,
        media_content_type=MediaType.MUSIC,
        title=title,
        can_play=False,
        can_expand=True,
        children=children,
        children_media_class=MediaClass.MUSIC if children else MediaClass.DIRECTORY,
    )
