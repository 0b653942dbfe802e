"""get_recordings' filters narrow through indexes: no filter walks the history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
import re
from typing import Any, Final
from unittest.mock import patch

import pytest

from custom_components.m8com.call import Call
from custom_components.m8com.store_db import Database
from custom_components.m8com.store_query import Query, find
from custom_components.m8com.store_rows import to_row

WALK: Final = re.compile(r"SCAN calls\b(?!_text)")
"""A plan that reads ``calls`` row by row (all of it, for a value no call has)."""
START: Final = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """Twelve calls: inbound or outbound, answered by group ag-1 or ag-2.

    And a thirteenth, of unknown direction, whose group's id is "Sales".
    """
    db = Database(tmp_path / "m8com.q.db")
    db.open()
    for n in range(1, 13):
        start = START + timedelta(minutes=n)
        call = Call(
            n,
            start,
            start_time=start,
            status="saved",
            direction="inbound" if n % 2 else "outbound",
            answer_group_id=f"ag-{n % 2 + 1}",
            answer_group_name="Support" if n % 2 else "Sales",
            caller_number=f"+4670111111{n:02d}",
            summary=f"Invoice {n} {'odd' if n % 2 else 'even'} {'big' * (n > 9)}",
        )
        assert db.insert(to_row(call), [str(call.caller_number)])
    start = START + timedelta(minutes=13)  # a group whose id is another's name
    call = Call(13, start, start_time=start, status="saved", answer_group_id="Sales")
    assert db.insert(to_row(call), [])
    yield db
    db.close()


def plans(db: Database, query: Query) -> tuple[list[int], list[str]]:
    """The calls a query finds, and the plan of each statement it ran."""
    seen: list[str] = []

    def read(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        plan = db.read(f"EXPLAIN QUERY PLAN {sql}", params)
        seen.append(" ; ".join(str(row[3]) for row in plan))
        return db.read(sql, params)

    return [row[0] for row in find(read, query, fts=db.text_index)], seen


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (Query(direction="unknown"), [13]),
        (Query(direction="unknown", number="+467011111104"), []),
        (Query(answer_group="Sales", limit=3), [13, 12, 10]),
        (Query(answer_group="Sales", text="invoice", limit=2, by_rank=False), [12, 10]),
        (Query(direction="outbound", limit=2), [12, 10]),
        (Query(answer_group="Nobody"), []),
        (Query(answer_group="support"), []),  # exact, as before
        (Query(answer_group="Support", limit=3), [11, 9, 7]),
        (Query(answer_group="ag-2", limit=2), [11, 9]),
        (Query(answer_group="ag-2", direction="outbound"), []),
        (Query(answer_group="Sales", number="+467011111104"), [4]),
        (Query(direction="inbound", number="+467011111104"), []),
        (Query(direction="inbound", number="+467011111103"), [3]),
        (
            Query(answer_group="Support", text="invoice", limit=2, by_rank=False),
            [11, 9],
        ),
        (Query(answer_group="Group", text="invoice"), []),
    ],
)
def test_direction_and_group_never_walk_the_history(
    database: Database, query: Query, expected: list[int]
) -> None:
    """A direction or group few calls have was checked call by call: 11 s at 1M."""
    found, seen = plans(database, query)
    assert found == expected
    assert not [plan for plan in seen if WALK.search(plan)], seen


@pytest.mark.parametrize(
    ("text", "expected", "walks"),
    [
        ("odd big", [11], False),  # few calls have both: those, sorted
        ("even odd", [], False),  # no call has both: nothing read at all
        ("odd invoice", [11, 9, 7], True),  # many: the newest lead (a walk)
        ("odd", [11, 9, 7], True),
    ],
)
def test_common_words_few_calls_have_together_are_not_walked_for(
    database: Database, text: str, expected: list[int], *, walks: bool
) -> None:
    """Common words that few (or no) calls have together: no walk of the history.

    Walking the newest calls for them read the whole history when the few
    were old or did not exist (``faktura 12 3`` at 1M calls: 150 ms for none).
    """
    with (
        patch("custom_components.m8com.store_search.RARE", 2),
        patch("custom_components.m8com.store_search.DENSE", 4),
    ):
        found, seen = plans(database, Query(text=text, limit=3))
    assert found == expected
    walked = [plan for plan in seen if WALK.search(plan)]
    assert bool(walked) is walks, seen
