"""get_recordings' filters narrow through indexes: no filter walks the history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
import re
from typing import Any, Final

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
            summary=f"Invoice {n}",
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
        (Query(answer_group="Sales", text="invoice", limit=2), [12, 10]),
        (Query(direction="outbound", limit=2), [12, 10]),
        (Query(answer_group="Nobody"), []),
        (Query(answer_group="support"), []),  # exact, as before
        (Query(answer_group="Support", limit=3), [11, 9, 7]),
        (Query(answer_group="ag-2", limit=2), [11, 9]),
        (Query(answer_group="ag-2", direction="outbound"), []),
        (Query(answer_group="Sales", number="+467011111104"), [4]),
        (Query(direction="inbound", number="+467011111104"), []),
        (Query(direction="inbound", number="+467011111103"), [3]),
        (Query(answer_group="Support", text="invoice", limit=2), [11, 9]),
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
