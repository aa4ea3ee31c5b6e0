"""Which final plan an item's explanation is read from (``roadmap.domain.plans``): the
newest that funded it, with the newest later one that left it out; else the newest that
left it out."""

from __future__ import annotations

from roadmap.domain.periods import Envelope
from roadmap.domain.plans import (
    ExplainingPlan,
    FundedLine,
    PlanSnapshot,
    SolverOutcome,
    UnfundedLine,
    explaining_plan,
)


def _plan(funded: list[int], left_out: list[int]) -> PlanSnapshot:
    return PlanSnapshot(
        format=3,
        name="plan",
        envelope=Envelope(),
        budget=10,
        reserve=0,
        spent=0,
        subperiods=[],
        funded=[
            FundedLine(
                item=i,
                title=f"#{i}",
                subcommunity="hub",
                theme=None,
                effort=1,
                stage="rule",
                pledged=0,
                payments={},
            )
            for i in funded
        ],
        unfunded=[
            UnfundedLine(item=i, title=f"#{i}", effort=1, reason="no support") for i in left_out
        ],
        accounts=[],
        assignments=[],
        coverage=[],
        gaps=[],
        solver=SolverOutcome(status="optimal", gap=None, message=None),
    )


# The newest period first: 2028-H1, 2027-H2, 2027-H1.
FINALS = [_plan([3], [1, 2]), _plan([2], [1, 4]), _plan([1, 2], [4])]


def test_an_item_funded_earlier_reads_that_plan_and_the_later_one_leaving_it_out() -> None:
    assert explaining_plan(1, FINALS) == ExplainingPlan(2, left_out_later=0)


def test_an_item_funded_twice_is_explained_by_the_newer_plan_that_funded_it() -> None:
    assert explaining_plan(2, FINALS) == ExplainingPlan(1, left_out_later=0)
    assert explaining_plan(3, FINALS) == ExplainingPlan(0)


def test_an_item_never_funded_is_explained_by_the_newest_plan_that_left_it_out() -> None:
    assert explaining_plan(4, FINALS) == ExplainingPlan(1)
    assert explaining_plan(5, FINALS) is None
