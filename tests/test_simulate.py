"""The simulator prints each call with the customer's number, either direction."""

from __future__ import annotations

from scripts.simulate import route


def test_route_shows_the_customer_both_ways() -> None:
    call = {
        "callerNumber": "+46701112233",
        "calleeNumber": "+4681234567",
        "answerGroupName": "Support",
        "direction": "inbound",
    }
    assert route(call) == "+46701112233 → Support"
    outbound = {
        **call,
        "callerNumber": "+4681234567",
        "calleeNumber": "+46701112233",
        "direction": "outbound",
    }
    assert route(outbound) == "Support → +46701112233"
    assert route({**outbound, "answerGroupName": None}) == (
        "+4681234567 → +46701112233"
    )
