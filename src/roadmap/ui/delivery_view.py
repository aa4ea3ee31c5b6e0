"""Delivery on the pages: progress on an item and on the published plan, the reports the
executive is owed, and a staff member's due dates and report history."""

from __future__ import annotations

import streamlit as st

from roadmap.domain.access import Actor
from roadmap.domain.delivery import CLOSABLE
from roadmap.domain.enums import ItemStatus
from roadmap.domain.items import RoadmapItem
from roadmap.domain.plans import PlanSnapshot
from roadmap.services import delivery
from roadmap.services.context import Context
from roadmap.services.delivery import ProgressEntry, ReportDue
from roadmap.ui.actions import Report, write_button
from roadmap.ui.dates import day_of as day
from roadmap.ui.dates import when as moment
from roadmap.ui.feedback import draw
from roadmap.ui.item_links import LINKED, item_url
from roadmap.ui.item_view import item_link
from roadmap.ui.text import plain

SHOWS_PROGRESS = (ItemStatus.PLANNED, ItemStatus.IN_PROGRESS, ItemStatus.DONE)
CLOSED = "_roadmap_closed_as_done"  # (item, answer) of "Close as done", for the next run


def progress_line(entry: ProgressEntry | None) -> str:
    """An item's progress in a few words: "40 % (10 Feb 2027)"."""
    return f"{entry.percent} % ({day(entry.at)})" if entry else "no report yet"


def _history_rows(entries: list[ProgressEntry], with_item: bool) -> list[dict[str, object]]:
    return [
        ({"#": e.item, "Item": e.title} if with_item else {})
        | {
            "When": moment(e.at),
            "Done": f"{e.percent} %",
            "Note": e.note,
            "By": e.by,
            "Plan": e.plan,
        }
        for e in entries
    ]


def item_progress(ctx: Context, actor: Actor, item: RoadmapItem) -> None:
    """The item's latest progress and its report history; for the executive or the item's
    lead, the button that closes it as done once the latest report says 100 %."""
    entries = delivery.item_progress(ctx, actor, item.id)
    if not entries and item.status not in SHOWS_PROGRESS:
        return
    st.subheader("Progress")
    if not entries:
        st.caption("No progress reported yet.")
    else:
        latest = entries[0]
        st.markdown(
            f"**{latest.percent} % done** — reported by {plain(latest.by)} on {moment(latest.at)}"
        )
        if latest.note:
            st.markdown(f"> {plain(latest.note)}")
        with st.expander(f"Report history ({len(entries)}, newest first)"):
            st.dataframe(_history_rows(entries, False), hide_index=True, width="stretch")
    closed = st.session_state.pop(CLOSED, None)
    if closed is not None and closed[0] == item.id:
        draw(closed[1])  # where the button was, on the run that shows the item done
    if item.status in CLOSABLE and delivery.may_close(actor, item.subcommunity):
        if entries and entries[0].percent == 100:

            def close(report: Report) -> None:
                delivery.close_as_done(ctx, actor, item.id)
                report.success(f"Closed #{item.id} {item.title} as done.")

            def shown_next(report: Report) -> None:
                st.session_state[CLOSED] = (item.id, report.lines)

            # A fresh run after the write shows the item done (its status above, no
            # button); the button is gone then, so its answer is kept for that run.
            write_button("Close as done", "close-as-done", close, inputs=item.id, then=shown_next)
        else:
            st.caption("You can close this item as done once its latest report says 100 %.")


def plan_progress(ctx: Context, snap: PlanSnapshot) -> None:
    """Progress per funded item of a plan (public): the latest percent, its date and note."""
    st.subheader("Progress")
    titles = snap.titles()
    latest = delivery.latest_progress(ctx, list(titles))
    st.dataframe(
        [
            {
                "Item": item_url(item, title),
                "Progress": progress_line(latest.get(item)),
                "Latest note": latest[item].note if item in latest else "",
                "By": latest[item].by if item in latest else "",
            }
            for item, title in titles.items()
        ],
        column_config=LINKED,
        hide_index=True,
        width="stretch",
    )


def overdue_reports(ctx: Context, actor: Actor, period_key: str | None = None) -> None:
    """For the executive: the assignments of the period's final plan (by default, the plan
    in effect) whose progress report is late, one line per person and item: "overdue: Ada
    Lovelace on #5"."""
    st.subheader("Reports overdue")
    schedule = delivery.reports_overdue(ctx, actor, period_key)
    if schedule is None:
        st.caption("No version of this period's plan is final yet; no report is due.")
        return
    st.caption(
        f"Final plan: {plain(schedule.period_name)}, version {schedule.version}. Each person "
        f"reports progress on each funded item they work on every {schedule.every_weeks} "
        "weeks; dates in UTC."
    )
    late = schedule.overdue
    if not late:
        st.success("No progress report is overdue.")
        return
    st.dataframe(
        [
            {
                "Overdue": f"overdue: {d.person or 'nobody assigned'} on #{d.item}",
                "Item": item_url(d.item, d.title),
                "Last report": day(d.last_report) if d.last_report else "none yet",
                "Was due": day(d.due),
                "Days overdue": d.days_overdue,
            }
            for d in late
        ],
        column_config=LINKED,
        hide_index=True,
        width="stretch",
    )


def _due_line(item: int, title: str, due: ReportDue | None) -> str:
    link = item_link(item, f"#{item} {title}")
    if due is None:
        return f"- {link}: no report due"
    if due.overdue:
        days = f"{due.days_overdue} day" + ("s" if due.days_overdue != 1 else "")
        return f"- {link}: report due on {day(due.due)} — **overdue** by {days}"
    return f"- {link}: report due on {day(due.due)}"


def my_due_dates(ctx: Context, actor: Actor, titles: dict[int, str], items: list[int]) -> None:
    """For a staff member: when each of their items owes its next progress report."""
    dates = delivery.my_report_dates(ctx, actor)
    st.markdown("\n".join(_due_line(i, titles.get(i, ""), dates.get(i)) for i in items))
    if any(d.overdue for d in dates.values()):
        st.warning("A progress report is overdue: the executive sees it on the plan page.")


def my_history(ctx: Context, actor: Actor) -> None:
    """A staff member's own progress reports, newest first."""
    st.subheader("My progress reports")
    entries = delivery.my_reports(ctx, actor)
    if not entries:
        st.caption("You have not reported progress yet.")
        return
    st.dataframe(_history_rows(entries, True), hide_index=True, width="stretch")
