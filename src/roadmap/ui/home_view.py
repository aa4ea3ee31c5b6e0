"""The home page: what needs the signed-in person now, a section per role they hold, each
line linking to the item and to the page where it is done (``services.home``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

import streamlit as st

from roadmap.domain.access import Actor
from roadmap.services.delivery import ReportDue
from roadmap.services.home import (
    ENDING_SOON,
    CommentDeadline,
    ExecutiveHome,
    Home,
    LeadHome,
    MemberHome,
    OrganizationHome,
    ProposedPlan,
    RepresentativeHome,
    StaffHome,
)
from roadmap.ui.dates import day_of as day
from roadmap.ui.dates import days_until, viewer_zone, when
from roadmap.ui.item_view import item_link
from roadmap.ui.paging import page_of
from roadmap.ui.text import plain

PAGE_SIZE = 10  # lines a list shows at a time (the rest a page selector away)
T = TypeVar("T")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def draw(actor: Actor, view: Home, unread: int = 0) -> None:
    st.title("Home")
    since = (
        f"your first visit: the last {(view.now - view.since).days} days"
        if view.first_visit
        else when(view.since)
    )
    st.caption(
        f"What needs you now, {plain(actor.display_name)}. "
        f'"New" means since your last visit ({since}).'
    )
    if unread:  # the inbox's unread notifications (``notifications.unread_count``)
        st.markdown(f"[{_plural(unread, 'unread notification')} in your inbox](/inbox)")
    if view.nothing_waits:
        st.success("Nothing new or due for you right now.")
    else:
        st.info(" ".join(waiting_sentences(view)))
    if view.executive is not None:
        _executive(view.executive)
    if view.lead is not None:
        _lead(view.lead)
    if view.representative is not None:
        _representative(view.representative)
    if view.staff is not None:
        _staff(view.staff)
    _member(view.member, view.now)


def waiting_sentences(view: Home) -> list[str]:
    """What waits for the person, a sentence each: what the menu counts, the progress
    reports owed (the executive's overdue list, the staff member's own), and each of their
    organizations with no signal while signalling is open."""
    said = []
    if view.waiting:
        said.append(f"{_plural(view.waiting, 'thing')} new or due for you (counted in the menu).")
    overdue = sum(d.overdue for d in view.reports)
    soon = len(view.reports) - overdue
    if overdue:
        said.append(f"{_plural(overdue, 'progress report')} {_is(overdue)} overdue.")
    if soon:
        said.append(f"{_plural(soon, 'progress report')} {_is(soon)} due in the next two weeks.")
    for name in view.unsignalled:
        said.append(f"{plain(name)} has not signalled yet, and signalling is open.")
    return said


def _is(n: int) -> str:
    return "is" if n == 1 else "are"


def _lines(rows: Sequence[T], line: Callable[[T], str], key: str, empty: str) -> None:
    """A list a page at a time, each row drawn by ``line`` (only the rows shown are)."""
    if not rows:
        st.caption(empty)
        return
    st.markdown("\n".join(line(row) for row in page_of(rows, key, size=PAGE_SIZE)))


def _executive(view: ExecutiveHome) -> None:
    st.header("Executive", divider=True)
    st.subheader(f"Waiting for review ({len(view.for_review)})")
    _lines(
        view.for_review,
        lambda w: (
            f"- {item_link(w.item, w.title)} · {plain(w.subcommunity)} — "
            + (
                f"comment closed {day(w.comment_ended)}: [decide its scope](/review)"
                if w.comment_ended is not None
                else "proposed: [open it for comment](/review)"
            )
        ),
        "home-review",
        "No item waits for review.",
    )
    st.subheader(f"Comment periods ending soon ({len(view.comments_ending)})")
    _lines(
        view.comments_ending,
        lambda c: (
            f"- {item_link(c.item, c.title)} · ends {when(c.closes_at)} "
            "([extend or close it](/review))"
        ),
        "home-ending",
        f"No comment period ends in the next {_plural(ENDING_SOON.days, 'day')}.",
    )
    st.subheader("Plans")
    if not view.proposed_plans:
        st.caption("No plan version is proposed.")
    for plan in view.proposed_plans:
        _plan(plan, executive=True)
    st.subheader(f"Progress reports overdue ({len(view.reports_overdue)})")
    _lines(
        view.reports_overdue,
        lambda d: _overdue_line(d) + " ([Published plan](/plan))",
        "home-overdue",
        "No progress report is overdue.",
    )


def _plan(plan: ProposedPlan, *, executive: bool) -> None:
    name = f"{plain(plan.period_name)}, version {plan.version}"
    if plan.window_closed:
        st.markdown(
            f"- **{name}** is proposed and its objection window closed on "
            f"{when(plan.review_until)}: [finalize it](/plan)."
        )
    elif executive:
        st.markdown(
            f"- **{name}** is proposed: representatives may object until "
            f"{when(plan.review_until)} ([Published plan](/plan))."
        )
    else:
        st.markdown(
            f"- **{name}** is proposed: you may [object to it](/plan) until "
            f"{when(plan.review_until)}."
        )
    for o in plan.objections:
        who = "Your organization" if not executive else plain(o.organization_name)
        st.markdown(f"  - {who} objected on {day(o.at)} ({plain(o.by)}).")
    if executive and not plan.objections:
        st.caption("No objection so far.")


def _overdue_line(d: ReportDue) -> str:
    """For the executive: "overdue: Ada Lovelace on #5 Title · by 3 days"."""
    who = plain(d.person) if d.person else "nobody assigned"
    late = _plural(d.days_overdue, "day")
    return f"- overdue: {who} on {item_link(d.item, f'#{d.item} {d.title}')} · by {late}"


def _report_line(d: ReportDue) -> str:
    """For the staff member whose report it is: "#5 Title · report due 1 Mar 2027"."""
    state = f"**overdue** by {_plural(d.days_overdue, 'day')}" if d.overdue else f"due {day(d.due)}"
    return f"- {item_link(d.item, d.title)} · report {state}"


def _lead(view: LeadHome) -> None:
    st.header("Sub-community lead", divider=True)
    st.subheader(f"Drafts ({len(view.drafts)})")
    _lines(
        view.drafts,
        lambda d: (
            f"- {item_link(d.item, d.title)} · {plain(d.subcommunity)} — "
            "[edit or submit it](/my_items)"
        ),
        "home-drafts",
        "No drafts.",
    )
    st.subheader(f"New decisions on your items ({len(view.decisions)})")
    _lines(
        view.decisions,
        lambda d: (
            f"- {item_link(d.item, d.title)}: **{d.outcome.value.replace('_', ' ')}**"
            + (" (changed)" if d.changed else "")
            + f" on {day(d.at)}"
        ),
        "home-decisions",
        "No new decision since your last visit.",
    )
    st.subheader(f"New comments on your items ({len(view.comments)})")
    _lines(
        view.comments,
        lambda c: (
            f"- {item_link(c.item, c.title)}: {_plural(c.comments, 'new comment')}, "
            f"the latest {when(c.latest)}"
        ),
        "home-comments",
        "No new comment since your last visit.",
    )


def _representative(view: RepresentativeHome) -> None:
    st.header("Organization representative", divider=True)
    window = view.window
    if window is None:
        st.caption("There is no planning period yet.")
    elif window.open:
        left = window.days_left
        until = f" until {window.closes:%d %b %Y}" if window.closes is not None else ""
        days = f": **{_plural(left, 'day')} left**" if left is not None else ""
        st.markdown(
            f"Signalling for **{plain(window.period_name)}** is open{until}{days}. "
            "[Our signals](/signals)"
        )
    else:
        opens = (
            f"; it opens on {window.opens:%d %b %Y}"
            if window.opens is not None and window.opens > window.today
            else ""
        )
        st.markdown(
            f"Signalling for **{plain(window.period_name)}** is not open "
            f"(the period is {window.status.value}{opens})."
        )
    signalling = window is not None and window.open
    for org in view.organizations:
        _organization(org, signalling)


def _organization(org: OrganizationHome, signalling: bool) -> None:
    st.subheader(plain(org.name))
    if org.last_signal is None:
        # A link to signal only while signalling is open (the page would refuse it).
        st.markdown(
            "No signal yet in this period: [signal now](/signals)."
            if signalling
            else "No signal in this period."
        )
    else:
        st.caption(f"Latest signal {when(org.last_signal)}.")
        st.markdown(f"**Changed since then ({len(org.changes)})**")
        _lines(
            org.changes,
            lambda c: (
                f"- {item_link(c.item, c.title)} {c.change} on {day(c.at)} "
                "([review your signal](/signals))"
            ),
            f"home-changes-{org.key}",
            "No item entered scope or changed its effort since.",
        )
    for plan in org.may_object_to:
        _plan(plan, executive=False)


def _staff(view: StaffHome) -> None:
    st.header("Staff", divider=True)
    if view.plan is None:
        st.caption("No plan is in effect yet.")
        return
    if view.month is None:
        st.subheader("Your assignments")
        st.caption(f"The months of plan {plain(view.plan)} are over. [My plan](/my_plan)")
    else:
        first = "" if view.this_month else ", the plan's first month"
        st.subheader(f"Your assignments in {view.month}{first} ({len(view.assignments)})")
        st.caption(f"Plan {plain(view.plan)}. [My plan](/my_plan)")
    _lines(
        view.assignments,
        lambda a: f"- {item_link(a.item, a.title)} · {a.weeks:g} person-weeks",
        "home-assignments",
        "No assignment that month.",
    )
    st.subheader(f"Reports due ({len(view.reports_due)})")
    _lines(
        view.reports_due,
        lambda d: _report_line(d) + " ([report on My plan](/my_plan))",
        "home-reports",
        "No report is due in the next two weeks.",
    )


def _member(view: MemberHome, now: datetime) -> None:
    st.header("Open for comment", divider=True)
    _lines(view.open_for_comment, lambda c: _deadline(c, now), "home-open", "Nothing is open.")


def _deadline(c: CommentDeadline, now: datetime) -> str:
    left = days_until(c.closes_at, now, viewer_zone())
    soon = "today" if left < 1 else f"in {_plural(left, 'day')}"
    return f"- {item_link(c.item, c.title)} · comments close {when(c.closes_at)} ({soon})"
