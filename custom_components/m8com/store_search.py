"""Text search at a million calls: rank by the rare words, filter by the rest.

FTS5's ``bm25`` needs each searched word's document frequency, and FTS5 gets
it by reading the word's whole posting list on every query: for a word in
every call ("invoice" in every generated summary; a company name, "call" or an
agent's name in real ones) that is a read of a million entries, and ranking a
million matches is a sort of a million rows (measured at 1 000 000 calls: 22
ms for ``invoice 32977`` and 1.5 s for ``invoice`` alone). So each word is
first probed cheaply: ``count(*)`` of at most ``RARE + 1`` matches.

- A word in no call: nothing matches (every word must), no further query.
- Rare words (in at most ``RARE`` calls) rank: ``bm25`` over the rare words
  only, among the calls that contain every word. Their posting lists are
  short, so ranking costs what the answer costs.
- Common words (more than ``RARE`` calls) only filter. The trade-off: they add
  nothing to the order. bm25 gives them little anyway (FTS5 clamps the weight
  of a word in over half the calls to ~0; a word in 1 000 of 1 000 000 calls
  weighs about half of one in 2), and a store under ``RARE`` calls ranks by
  every word, exactly as FTS5 alone would.
- Only common words: newest first (no word says which call is a better
  match). Together they are counted first: no call has them all → nothing
  (walking the newest calls for them read the whole history); at most
  ``RARE`` → those calls, sorted (they may all be old); over ``DENSE`` → the
  newest calls are walked and checked one by one (a few hundred checks find
  50); in between → the matching ids collected once and the newest calls
  walked against them.
"""

from __future__ import annotations

from collections.abc import Callable
import re
from typing import Any, Final

from .store_rows import SELECT

type Read = Callable[[str, list[Any]], list[tuple[Any, ...]]]
"""The reader connection's ``Database.read`` (runs in the executor)."""

RARE: Final = 1000
"""A word in at most this many calls ranks the result; one in more filters."""
DENSE: Final = 100_000
"""Common words matching more calls than this: walk the newest calls instead."""
NEWEST: Final = "calls.started DESC, calls.received DESC, calls.call_id DESC"
WORD: Final = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
"""A word as FTS5's unicode61 splits one: letters, digits and the diacritical
marks it folds away (``Å`` sent as ``A`` + ring stays in ``Åsa``); ``_`` and
other punctuation split (a lone ``_`` is no word, not one no call has)."""
_JOINED: Final = SELECT.replace(
    "FROM calls", "FROM calls_text JOIN calls ON calls.call_id = calls_text.rowid"
)


def phrases(words: list[str]) -> str:
    """FTS5 query: every word, each quoted (never read as FTS5 syntax).

    Quoting keeps the user's text from being read as FTS5 syntax (``NEAR``,
    ``-``, ``"``, ``*``).
    """
    return " AND ".join(f'"{word}"' for word in words)


def search(  # noqa: PLR0913 - the text, how to order, and the other filters
    read: Read,
    text: str,
    where: list[str],
    params: list[Any],
    *,
    by_rank: bool,
    limit: int,
) -> list[tuple[Any, ...]]:
    """Calls with every word of ``text`` that pass ``where`` (other filters).

    Best match first (``by_rank``) or newest first; at most ``limit`` rows.
    """
    words = list(dict.fromkeys(word.casefold() for word in WORD.findall(text)))
    counts = {word: _count(read, phrases([word]), RARE) for word in words}
    if not words or 0 in counts.values():
        return []
    rare = [word for word in words if counts[word] <= RARE]
    every = phrases(words)
    if rare:
        order = f"calls_text.rank, {NEWEST}" if by_rank else NEWEST
        match = ["calls_text MATCH ?"]
        values = [phrases(rare)]
        if len(rare) < len(words):  # the common ones filter, through the rare
            match.append(
                "calls_text.rowid IN "
                "(SELECT rowid FROM calls_text WHERE calls_text MATCH ?)"
            )
            values.append(every)
        sql = f"{_JOINED} WHERE {' AND '.join(match + where)} ORDER BY {order} LIMIT ?"
        return read(sql, [*values, *params, limit])
    # Every word must match: together they match no more calls than the rarest.
    fewest = min(_count(read, phrases([word]), DENSE) for word in words)
    together = (
        fewest
        if len(words) == 1
        else _count(read, every, DENSE if fewest > DENSE else RARE)
    )
    if not together:  # common words no call has together: nothing to walk for
        return []
    if together > DENSE:
        test = (
            "EXISTS (SELECT 1 FROM calls_text "
            "WHERE calls_text MATCH ? AND calls_text.rowid = calls.call_id)"
        )
    elif together > RARE:  # ``+``: the list is checked, the newest calls lead
        test = f"+{_IN_MATCH}"
    else:  # few calls have them all, maybe only old ones: those, sorted
        test = _IN_MATCH
    sql = f"{SELECT} WHERE {' AND '.join([test, *where])} ORDER BY {NEWEST} LIMIT ?"
    return read(sql, [every, *params, limit])


_IN_MATCH: Final = (
    "calls.call_id IN (SELECT rowid FROM calls_text WHERE calls_text MATCH ?)"
)


def _count(read: Read, match: str, most: int) -> int:
    """How many calls match, counting no further than ``most + 1``."""
    rows = read(
        "SELECT count(*) FROM (SELECT rowid FROM calls_text "
        "WHERE calls_text MATCH ? LIMIT ?)",
        [match, most + 1],
    )
    return int(rows[0][0])
