"""Reminders that fall due with the clock rather than with an act: signalling closes in 3
days, a progress report is due within 3 days, a report is overdue.

:func:`notify_due` checks them all and tells each person once per occasion (the
notification's ``dedupe_key`` names it: the period and its closing day; the assignment, its
item and staff member, and its due day), so it may run as often as one likes, on any number
of replicas. The server's background worker runs it every minute (``roadmap.web.worker``),
and ``roadmap notify-due`` runs it from cron where the worker is turned off.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from roadmap.domain.enums import PeriodStatus, Role
from roadmap.domain.notifications import WARN_DAYS, EventKind
from roadmap.services.context import Context
from roadmap.services.delivery import report_schedule
from roadmap.services.notifications import holders, notify
from roadmap.store.engine import transaction
from roadmap.store.tables import PeriodRow, StaffRow


def notify_due(ctx: Context) -> int:
    """Tell everyone of the reminders due now that they were not told yet; returns how many
    notifications were written. Two replicas racing on one reminder: one writes it, the
    other's round is rolled back and finds it told on its next run."""
    now = ctx.now()
    schedule = report_schedule(ctx)
    told = 0
    try:
        with transaction(ctx.engine) as session:
            reps = holders(session, Role.REPRESENTATIVE)
            periods = session.scalars(
                select(PeriodRow).where(
                    PeriodRow.status == PeriodStatus.SIGNALLING.value,
                    PeriodRow.archived_at.is_(None),
                    PeriodRow.signal_window_end.is_not(None),
                )
            )
            for period in periods:
                end = period.signal_window_end
                assert end is not None
                left = (end - now.date()).days
                if 0 <= left <= WARN_DAYS:
                    when = "today" if left == 0 else f"in {left} day{'s' * (left != 1)}"
                    told += notify(
                        session,
                        EventKind.SIGNALLING_CLOSING,
                        reps,
                        now,
                        f"Signalling for {period.name} closes {when} ({end:%d %b %Y})",
                        "/signals",
                        "Save or review your organization's signal before it closes.",
                        dedupe=f"signalling-closing:{period.key}:{end.isoformat()}",
                    )
            if schedule is not None:
                # key: (staff id, account); the staff id keeps a dedupe key short.
                staff = {
                    key: (staff_id, user_id)
                    for key, staff_id, user_id in session.execute(
                        select(StaffRow.key, StaffRow.id, StaffRow.user_id)
                    )
                }
                executives = holders(session, Role.EXECUTIVE)
                for due in schedule.items:
                    staff_id, user_id = staff.get(due.staff_key or "", (None, None))
                    assigned = {user_id}
                    occasion = (
                        f"{schedule.period}:{due.item}:{staff_id or '-'}:"
                        f"{due.due.date().isoformat()}"
                    )
                    if due.overdue:
                        days = f"{due.days_overdue} day{'s' * (due.days_overdue != 1)}"
                        who = due.person or "nobody assigned"
                        told += notify(
                            session,
                            EventKind.REPORT_OVERDUE,
                            executives | assigned,
                            now,
                            f"Progress report overdue by {days}: {who} on #{due.item} {due.title}",
                            f"/item?id={due.item}",
                            f"It was due on {due.due:%d %b %Y} (each person reports every "
                            f"{schedule.every_weeks} weeks on each item they work on).",
                            dedupe=f"report-overdue:{occasion}",
                        )
                    elif due.due - now <= timedelta(days=WARN_DAYS):
                        told += notify(
                            session,
                            EventKind.REPORT_DUE,
                            assigned,
                            now,
                            f"Progress report due on {due.due:%d %b %Y}: #{due.item} {due.title}",
                            "/my_plan",
                            "Report the item's progress on My plan.",
                            dedupe=f"report-due:{occasion}",
                        )
    except IntegrityError:
        return 0
    return told
