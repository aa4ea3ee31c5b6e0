"""A planning period's rules without a database: the signal window at its edges, the forms it
takes, its points budget, and pledges converted at its exchange rate."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from roadmap.domain.enums import PeriodStatus, SignalForm
from roadmap.domain.errors import ValidationError
from roadmap.domain.items import remaining_effort
from roadmap.domain.periods import NextPeriod, PlanningPeriod, suggest_next


def period(**settings: Any) -> PlanningPeriod:
    return PlanningPeriod.model_validate(
        {
            "key": "2027-H1",
            "name": "2027 first half",
            "start": date(2027, 1, 1),
            "end": date(2027, 6, 30),
            "status": PeriodStatus.SIGNALLING,
            "signal_window_start": date(2026, 11, 1),
            "signal_window_end": date(2026, 11, 30),
            **settings,
        }
    )


@pytest.mark.parametrize("today", [date(2026, 11, 1), date(2026, 11, 15), date(2026, 11, 30)])
def test_the_window_is_open_from_its_first_day_to_its_last_day_included(today: date) -> None:
    period().check_window_open(today)


def test_the_day_before_the_window_is_refused_naming_the_opening_day() -> None:
    with pytest.raises(
        ValidationError, match=r"^Signalling for 2027 first half opens on 2026-11-01\.$"
    ):
        period().check_window_open(date(2026, 10, 31))


def test_the_day_after_the_window_is_refused_naming_the_closing_day() -> None:
    with pytest.raises(
        ValidationError, match=r"^Signalling for 2027 first half closed on 2026-11-30\.$"
    ):
        period().check_window_open(date(2026, 12, 1))


def test_a_window_without_dates_is_open_on_any_day_while_the_period_signals() -> None:
    open_ended = period(signal_window_start=None, signal_window_end=None)
    open_ended.check_window_open(date(1999, 1, 1))
    open_ended.check_window_open(date(2099, 1, 1))


@pytest.mark.parametrize("status", [s for s in PeriodStatus if s != PeriodStatus.SIGNALLING])
def test_a_period_that_is_not_signalling_is_closed_even_inside_its_window(
    status: PeriodStatus,
) -> None:
    with pytest.raises(ValidationError, match=r"^Signalling for 2027 first half is not open\.$"):
        period(status=status).check_window_open(date(2026, 11, 15))


def test_forms_the_period_enables_are_taken() -> None:
    period(signal_forms=["approval", "points"]).check_forms(
        [SignalForm.APPROVAL, SignalForm.POINTS]
    )


def test_forms_the_period_does_not_enable_are_refused_each_by_name_in_the_order_used() -> None:
    with pytest.raises(ValidationError) as caught:
        period(signal_forms=["approval"]).check_forms(
            [SignalForm.APPROVAL, SignalForm.RANKING, SignalForm.PLEDGE]
        )
    assert str(caught.value) == "This period does not take these signal forms: ranking, pledge."


def test_points_up_to_the_budget_are_taken() -> None:
    period(points_budget=10).check_points({1: 4, 2: 6})


def test_points_over_the_budget_are_refused_saying_by_how_many() -> None:
    with pytest.raises(ValidationError) as caught:
        period(points_budget=10).check_points({1: 4, 2: 7})
    sentence = "That spends 11 points but the budget is 10: 1 too many. Nothing was saved."
    assert str(caught.value) == sentence
    assert caught.value.fields == {"points": sentence}


def test_negative_points_are_refused_before_the_budget_is_counted() -> None:
    with pytest.raises(ValidationError, match=r"^Points must not be negative\.$"):
        period(points_budget=10).check_points({1: -1, 2: 50})


def test_a_pledge_in_person_weeks_counts_as_given() -> None:
    assert period().pledged_weeks(7, weeks=2.5, money=0) == 2.5


def test_money_converts_at_the_periods_rate_and_adds_to_the_weeks() -> None:
    assert period(weeks_per_currency=0.001).pledged_weeks(7, weeks=1, money=4000) == 5.0


def test_converted_weeks_are_rounded_to_three_decimals() -> None:
    assert period(weeks_per_currency=1 / 3).pledged_weeks(7, weeks=0, money=1) == 0.333


def test_money_without_an_exchange_rate_is_refused() -> None:
    with pytest.raises(ValidationError, match="has no exchange rate for money pledges"):
        period(weeks_per_currency=0).pledged_weeks(7, weeks=1, money=100)


@pytest.mark.parametrize(("weeks", "money"), [(-1, 0), (0, -1), (3, -1)])
def test_a_negative_amount_is_refused(weeks: float, money: float) -> None:
    with pytest.raises(ValidationError, match=r"^A pledge must be positive\.$"):
        period(weeks_per_currency=0.001).pledged_weeks(7, weeks=weeks, money=money)


def test_a_pledge_of_nothing_is_refused_naming_its_item() -> None:
    with pytest.raises(
        ValidationError, match=r"^The pledge to item #7 needs person-weeks or money\.$"
    ):
        period().pledged_weeks(7, weeks=0, money=0)


def test_periods_that_share_a_day_overlap_and_the_refusal_names_the_other() -> None:
    from roadmap.domain.periods import check_no_overlap

    h1 = ("2027-H1", "2027 H1", date(2027, 1, 1), date(2027, 6, 30))
    check_no_overlap("2027-H2", date(2027, 7, 1), date(2027, 12, 31), [h1])
    check_no_overlap("2027-H1", date(2027, 1, 1), date(2027, 7, 31), [h1])  # itself: skipped
    with pytest.raises(ValidationError, match="2027 H1 runs from 2027-01-01 to 2027-06-30"):
        check_no_overlap("2027-H2", date(2027, 6, 30), date(2027, 12, 31), [h1])


@pytest.mark.parametrize(
    ("key", "start", "end", "expected"),
    [
        # A half-year: the next half, whole months, the next key and name.
        (
            "2027-H1",
            date(2027, 1, 1),
            date(2027, 6, 30),
            NextPeriod("2027-H2", "2027, second half", date(2027, 7, 1), date(2027, 12, 31)),
        ),
        (
            "2027-H2",
            date(2027, 7, 1),
            date(2027, 12, 31),
            NextPeriod("2028-H1", "2028, first half", date(2028, 1, 1), date(2028, 6, 30)),
        ),
        # Whole months keep their length in months (February is shorter).
        (
            "q4",
            date(2026, 11, 1),
            date(2027, 1, 31),
            NextPeriod("", "", date(2027, 2, 1), date(2027, 4, 30)),
        ),
        # Any other span: as many days, from the day after.
        (
            "sprint",
            date(2027, 1, 5),
            date(2027, 1, 18),
            NextPeriod("", "", date(2027, 1, 19), date(2027, 2, 1)),
        ),
    ],
)
def test_the_next_period_follows_on_the_day_after_and_is_as_long(
    key: str, start: date, end: date, expected: NextPeriod
) -> None:
    assert suggest_next(key, start, end) == expected


@pytest.mark.parametrize(
    ("low", "high", "percent", "left"),
    [(4, 6, None, 5.0), (4, 6, 0, 5.0), (4, 6, 40, 3.0), (10, 10, 100, 0.0), (10, 10, 130, 0.0)],
)
def test_carried_work_costs_what_is_left_of_it(
    low: float, high: float, percent: int | None, left: float
) -> None:
    assert remaining_effort(low, high, percent) == pytest.approx(left)
