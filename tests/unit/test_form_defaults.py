"""Form and page defaults people read: a new organization's term follows the app's day (leap
days included), and the signals page's dates read as people write them."""

from __future__ import annotations

from datetime import date

from roadmap.ui.organization_form import a_year_after


def test_a_year_after_an_ordinary_day_is_the_same_day_next_year() -> None:
    assert a_year_after(date(2026, 12, 1)) == date(2027, 12, 1)


def test_a_year_after_the_29th_of_february_is_the_28th() -> None:
    # date.replace(year=...) raises on this day; the organizations page once did so.
    assert a_year_after(date(2028, 2, 29)) == date(2029, 2, 28)


def test_our_signals_caption_and_history_read_dates_as_people_do() -> None:
    """The signalling window is two calendar days, the history's times carry their zone
    (UTC outside a browser): no ISO dates on the page."""
    from datetime import UTC, datetime

    from roadmap.domain.periods import PlanningPeriod
    from roadmap.services.signals import SignalView
    from roadmap.ui.our_signals_view import history_table, period_caption

    period = PlanningPeriod(
        key="2027-H1",
        name="2027, first half",
        start=date(2027, 1, 1),
        end=date(2027, 6, 30),
        signal_window_start=date(2026, 12, 1),
        signal_window_end=date(2026, 12, 15),
    )
    assert "signalling from 1 Dec 2026 to 15 Dec 2026" in period_caption(period)
    saved = SignalView("acme", datetime(2026, 12, 8, 12, 15, tzinfo=UTC), "orgrep", [5])
    [row] = history_table([saved]).to_dict("records")
    assert row["Saved"] == "8 Dec 2026, 12:15 UTC"
    assert row["Approved"] == "#5"
