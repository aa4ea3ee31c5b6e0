"""A signal checked against its period without a database: Signal.within applies the forms,
the points budget, the ranking and the pledges in that order; only in-scope items count."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus, PeriodStatus, Privacy, Role
from roadmap.domain.errors import ValidationError
from roadmap.domain.periods import PlanningPeriod
from roadmap.domain.signals import (
    Pledge,
    PledgeInput,
    Signal,
    carry_over,
    check_signallable,
    sees_attributed,
)

ALL_FORMS = ["approval", "points", "ranking", "pledge"]


def period(**settings: Any) -> PlanningPeriod:
    return PlanningPeriod.model_validate(
        {
            "key": "2027-H1",
            "name": "H1",
            "start": date(2027, 1, 1),
            "end": date(2027, 6, 30),
            "status": PeriodStatus.SIGNALLING,
            "signal_forms": ALL_FORMS,
            "points_budget": 10,
            "weeks_per_currency": 0.001,
            **settings,
        }
    )


def test_a_signal_within_the_rules_keeps_every_form_and_converts_money_to_weeks() -> None:
    signal = Signal.within(
        period(), [1], {2: 6, 3: 4}, [3, 1], [PledgeInput(4, weeks=1, money=2000, note=" ours ")]
    )
    assert signal.approvals == [1]
    assert signal.points == {2: 6, 3: 4}
    assert signal.ranking == [3, 1]
    assert signal.pledges == [Pledge(item_id=4, weeks=3.0, note=" ours ")]
    assert signal.items() == {1, 2, 3, 4}


def test_zero_points_are_dropped_and_do_not_count_as_using_the_points_form() -> None:
    signal = Signal.within(period(signal_forms=["approval"]), [1], {2: 0}, [], [])
    assert signal.points == {}


def test_a_form_the_period_does_not_take_is_refused_before_any_other_rule() -> None:
    with pytest.raises(ValidationError) as caught:
        Signal.within(period(signal_forms=["approval"]), [], {1: -5}, [2, 2], [])
    assert str(caught.value) == "This period does not take these signal forms: points, ranking."


def test_points_over_the_budget_are_refused() -> None:
    with pytest.raises(ValidationError, match="That spends 11 points but the budget is 10"):
        Signal.within(period(), [], {1: 11}, [], [])


def test_an_item_ranked_twice_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        Signal.within(period(), [], {}, [1, 2, 1], [])
    assert str(caught.value) == "An item may appear only once in a ranking."
    assert caught.value.fields == {"ranking": "Duplicate item."}


def test_a_bad_pledge_is_refused_after_the_other_forms_pass() -> None:
    with pytest.raises(
        ValidationError, match=r"^The pledge to item #9 needs person-weeks or money"
    ):
        Signal.within(period(), [1], {2: 3}, [1], [PledgeInput(8, weeks=1), PledgeInput(9)])


def test_in_scope_items_may_receive_signals() -> None:
    check_signallable({1, 2}, {1: ItemStatus.IN_SCOPE, 2: ItemStatus.IN_SCOPE})


def test_unknown_items_are_refused_by_number_before_items_out_of_scope() -> None:
    with pytest.raises(ValidationError, match=r"^No such items: #3, #5\.$"):
        check_signallable({1, 3, 5}, {1: ItemStatus.DRAFT})


def test_items_not_in_scope_are_refused_naming_their_status() -> None:
    statuses = {
        1: ItemStatus.IN_SCOPE,
        2: ItemStatus.PLANNED,
        3: ItemStatus.DEFERRED,
        4: ItemStatus.DONE,
    }
    with pytest.raises(ValidationError) as caught:
        check_signallable({1, 2, 3, 4}, statuses)
    # Planned items take signals (a new plan version decides about them again).
    assert str(caught.value) == (
        "Only items in scope, planned or in progress can receive signals; these are not: "
        f"#3 ({ItemStatus.DEFERRED.label}), #4 ({ItemStatus.DONE.label})."
    )


REP = Actor(1, "rep", grants=frozenset({(Role.REPRESENTATIVE, "acme")}))
EXEC = Actor(2, "ex", grants=frozenset({(Role.EXECUTIVE, None)}))


@pytest.mark.parametrize(
    ("actor", "privacy", "sees"),
    [
        (EXEC, Privacy.AGGREGATE, True),
        (REP, Privacy.ATTRIBUTED, True),
        (REP, Privacy.AGGREGATE, False),
        (Actor.public(), Privacy.ATTRIBUTED, False),
    ],
)
def test_who_sees_which_organization_signalled_what(
    actor: Actor, privacy: Privacy, sees: bool
) -> None:
    assert sees_attributed(actor, period(privacy=privacy)) is sees


def test_an_earlier_signal_carries_over_without_what_no_longer_applies() -> None:
    statuses = {1: ItemStatus.IN_SCOPE, 2: ItemStatus.PLANNED, 3: ItemStatus.DONE}
    signal, dropped = carry_over(
        period(points_budget=10, signal_forms=["approval", "points", "pledge"]),
        [1, 2, 3],
        {1: 6, 2: 8, 3: 4},
        [2, 1],
        [(2, 1.5, "ours"), (3, 2.0, "")],
        statuses,
    )
    assert signal.approvals == [1, 2] and signal.ranking == []
    # The largest allocation first; the next keeps what is left of the budget.
    assert signal.points == {2: 8, 1: 2}
    assert signal.pledges == [Pledge(item_id=2, weeks=1.5, note="ours")]
    assert dropped == [
        "Left out, no longer open to signals: #3 (done).",
        "Left out the ranking: H1 does not take ranking signals.",
        "Points above the budget of 10 were dropped: #1 (4 of 6).",
    ]
