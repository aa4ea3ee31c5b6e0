"""What the top of the home page says waits (no database): "Nothing new or due" only when
nothing is listed as new or due below it, whatever roles the person holds; progress reports
owed and an organization yet to signal are named even though the menu does not count them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from roadmap.domain.enums import PeriodStatus
from roadmap.services.delivery import ReportDue
from roadmap.services.home import (
    CommentDeadline,
    ExecutiveHome,
    Home,
    MemberHome,
    OrganizationHome,
    RepresentativeHome,
    SignallingWindow,
    StaffHome,
)
from roadmap.ui.dates import days_until, zone_named
from roadmap.ui.home_view import _deadline, waiting_sentences

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def report(item: int, staff: str | None, days_overdue: int) -> ReportDue:
    due = NOW - timedelta(days=days_overdue) if days_overdue else NOW + timedelta(days=5)
    return ReportDue(item, f"Item {item}", staff or "", staff, None, due, days_overdue)


def a_home(
    executive: ExecutiveHome | None = None,
    representative: RepresentativeHome | None = None,
    staff: StaffHome | None = None,
    open_for_comment: list[CommentDeadline] | None = None,
) -> Home:
    since = NOW - timedelta(days=1)
    member = MemberHome(open_for_comment or [])
    return Home(since, False, executive, None, representative, staff, member, NOW)


def an_executive(*overdue: ReportDue) -> ExecutiveHome:
    return ExecutiveHome([], [], [], list(overdue))


def a_staff_member(*due: ReportDue) -> StaffHome:
    return StaffHome("2027-H1 v1", "2027-03", True, [], list(due))


def a_representative(status: PeriodStatus, signalled: bool) -> RepresentativeHome:
    window = SignallingWindow("2027-H1", "2027, first half", status, None, None, NOW.date())
    last = NOW - timedelta(days=3) if signalled else None
    return RepresentativeHome(window, [OrganizationHome("lf", "Lanternfish", last, [], [])])


def test_nothing_waits_for_a_person_with_nothing_listed() -> None:
    for view in (
        a_home(),
        a_home(executive=an_executive()),
        a_home(staff=a_staff_member()),
        a_home(representative=a_representative(PeriodStatus.SIGNALLING, signalled=True)),
        # Signalling not open: not having signalled is nothing due.
        a_home(representative=a_representative(PeriodStatus.PLANNING, signalled=False)),
    ):
        assert view.nothing_waits and waiting_sentences(view) == []


def test_overdue_reports_are_something_due_for_the_executive() -> None:
    view = a_home(executive=an_executive(report(5, "ada", 3), report(7, None, 1)))
    assert view.waiting == 0, "the menu's count reads no plan"
    assert not view.nothing_waits
    assert waiting_sentences(view) == ["2 progress reports are overdue."]


def test_a_staff_member_is_told_of_reports_overdue_and_due_soon() -> None:
    view = a_home(
        staff=a_staff_member(report(5, "ada", 2), report(6, "ada", 0), report(8, "ada", 0))
    )
    assert not view.nothing_waits
    assert waiting_sentences(view) == [
        "1 progress report is overdue.",
        "2 progress reports are due in the next two weeks.",
    ]


def test_a_report_both_overdue_for_the_executive_and_owed_by_them_as_staff_counts_once() -> None:
    late = report(5, "ada", 2)
    view = a_home(executive=an_executive(late), staff=a_staff_member(late))
    assert waiting_sentences(view) == ["1 progress report is overdue."]


def test_an_organization_yet_to_signal_while_signalling_is_open_is_something_due() -> None:
    view = a_home(representative=a_representative(PeriodStatus.SIGNALLING, signalled=False))
    assert not view.nothing_waits
    assert waiting_sentences(view) == ["Lanternfish has not signalled yet, and signalling is open."]


def test_what_the_menu_counts_comes_first_then_what_it_does_not() -> None:
    soon = CommentDeadline(9, "Kernel subshells", "Jupyter Kernels", NOW + timedelta(days=1))
    view = a_home(executive=an_executive(report(5, "ada", 2)), open_for_comment=[soon])
    assert view.waiting == 1
    assert waiting_sentences(view) == [
        "1 thing new or due for you (counted in the menu).",
        "1 progress report is overdue.",
    ]


def test_a_comment_period_closing_a_week_away_reads_in_7_days_not_6() -> None:
    """The count matches the date shown beside it: the demo opens comment periods for seven
    days, and a page drawn a moment later must not say "in 6 days"."""
    closes = NOW + timedelta(days=7)
    assert days_until(closes, NOW + timedelta(seconds=1), UTC) == 7
    assert days_until(closes, NOW, UTC) == 7
    assert days_until(NOW + timedelta(hours=2), NOW, UTC) == 0
    # Calendar days in the reader's zone: 23:30 UTC on 1 Mar is 2 Mar in Berlin.
    late = datetime(2027, 3, 1, 23, 30, tzinfo=UTC)
    assert days_until(late, NOW, UTC) == 0
    assert days_until(late, NOW, zone_named("Europe/Berlin")) == 1
    line = _deadline(CommentDeadline(4, "Four", "core", closes), NOW + timedelta(seconds=1))
    assert line.endswith("(in 7 days)")
