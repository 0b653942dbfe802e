"""Browse and play recordings by account and day, with call details as titles.

"My media" already shows the files, but only by file name; this source shows
who called whom and for how long, newest day first, and is what the library's
``media_content_ids`` point at. Playback goes through HA's authenticated local
media view, so a resolved URL is signed and never public.

A busy day (more than ``HOURS_ABOVE`` recordings) opens on its hours, newest
first, each with its number of recordings (what it lists; calls without audio
are neither listed nor counted): a list of 10 000 titles is nothing a person
scrolls through (nor a phone renders quickly), while "the call at about two"
is one hour folder of a few hundred. A quiet day lists its recordings at once.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Final
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
from homeassistant.util import dt as dt_util

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
HOURS_ABOVE: Final = 100
"""A day with more recordings than this is shown as its hours first."""
_ALWAYS: Final = (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))


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
        """Browse by identifier depth: none, account, day, or hour (admins only)."""
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
            if len(parts) == 2:  # noqa: PLR2004 - account/day
                return await self._async_day(entry, day)
            (hour,) = parts[2:]  # account/day/hour, nothing deeper
            return await self._async_hour(entry, day, int(hour))
        except (ValueError, IndexError) as err:
            day_text = "/".join(parts[1:])
            raise BrowseError(
                f"Unknown day {day_text}",
                translation_domain=DOMAIN,
                translation_key="unknown_day",
                translation_placeholders={"day": day_text},
            ) from err

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
        identifier = f"{entry.entry_id}/{day.isoformat()}"
        store = entry.runtime_data.store
        starts = await store.async_day_starts(day)
        if len(starts) <= HOURS_ABOVE:
            children = await self._async_recordings(entry, day, *_ALWAYS)
            return _folder(identifier, day.isoformat(), children)
        hours = _hours(day)
        bounds = [hour.timestamp() for hour in hours[1:-1]]
        counts = Counter(bisect_right(bounds, started) for started in starts)
        folders = [
            _folder(f"{identifier}/{n}", f"{_hour_title(hours, n)} ({_count(found)})")
            for n, found in sorted(counts.items(), reverse=True)
        ]
        return _folder(identifier, day.isoformat(), folders)

    async def _async_hour(
        self, entry: M8ComConfigEntry, day: date, n: int
    ) -> BrowseMediaSource:
        hours = _hours(day)
        if not 0 <= n < len(hours) - 1:
            raise IndexError(n)
        # The first and last hours also hold calls whose day was counted in
        # another time zone (HA's was changed): every call of the day is shown.
        first = hours[n] if n else _ALWAYS[0]
        last = hours[n + 1] if n < len(hours) - 2 else _ALWAYS[1]
        children = await self._async_recordings(entry, day, first, last)
        title = f"{day.isoformat()} {_hour_title(hours, n)}"
        return _folder(f"{entry.entry_id}/{day.isoformat()}/{n}", title, children)

    async def _async_recordings(
        self, entry: M8ComConfigEntry, day: date, first: datetime, last: datetime
    ) -> list[BrowseMediaSource]:
        calls = await entry.runtime_data.store.async_listing(day, first, last)
        return [
            BrowseMediaSource(
                domain=DOMAIN,
                identifier=media_identifier(entry.entry_id, record.call_id, n),
                media_class=MediaClass.MUSIC,
                media_content_type=mime_type(path),
                title=recording_title(record, n),
                can_play=True,
                can_expand=False,
            )
            for record in calls  # newest first
            for n, path in enumerate(record.files)
        ]


def _hours(day: date) -> list[datetime]:
    """The starts of a local day's hours, and the next midnight (23 to 25 hours)."""
    midnight = dt_util.start_of_local_day(day).astimezone(UTC)
    following = dt_util.start_of_local_day(day + timedelta(days=1)).astimezone(UTC)
    count = round((following - midnight) / timedelta(hours=1))
    return [midnight + timedelta(hours=n) for n in range(count)] + [following]


def _count(recordings: int) -> str:
    """``1 recording``, ``12 recordings`` (titles are English, like durations)."""
    return f"{recordings} recording" if recordings == 1 else f"{recordings} recordings"


def _hour_title(hours: list[datetime], n: int) -> str:
    """``14:00-15:00`` in local time; the hour the clocks change names its zones.

    On the night clocks go back 02:00-03:00 happens twice: ``02:00 CEST-02:00
    CET`` and then ``02:00-03:00`` tell the two apart (and ``01:00 CET-03:00
    CEST`` the hour they go forward), where wall-clock times alone would not.
    """
    first, last = dt_util.as_local(hours[n]), dt_util.as_local(hours[n + 1])
    if first.utcoffset() == last.utcoffset():
        return f"{first:%H:%M}-{last:%H:%M}"
    return f"{first:%H:%M %Z}-{last:%H:%M %Z}"


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
