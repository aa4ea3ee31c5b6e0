"""A new organization's term defaults to a year from the app's day, leap days included."""

from __future__ import annotations

from datetime import date

from roadmap.ui.organization_form import a_year_after


def test_a_year_after_an_ordinary_day_is_the_same_day_next_year() -> None:
    assert a_year_after(date(2026, 12, 1)) == date(2027, 12, 1)


def test_a_year_after_the_29th_of_february_is_the_28th() -> None:
    # date.replace(year=...) raises on this day; the organizations page once did so.
    assert a_year_after(date(2028, 2, 29)) == date(2029, 2, 28)
