"""Delivery: when funded work owes its next progress report, and when an item may be closed
as done. Pure rules over dates and percentages; the services load the rows."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from roadmap.domain.enums import ItemStatus
from roadmap.domain.errors import ValidationError

# Items that still owe progress reports (done or withdrawn work reports no more).
REPORTING = (ItemStatus.PLANNED, ItemStatus.IN_PROGRESS)

# Items that can be closed as done (a planned item passes through in progress).
CLOSABLE = (ItemStatus.PLANNED, ItemStatus.IN_PROGRESS)


def report_due(last_report: datetime | None, funded_since: datetime, every_weeks: int) -> datetime:
    """When the next report is due: ``every_weeks`` after the latest report, or after the
    funding started (the plan that funded the item became final) when there is none yet."""
    return (last_report or funded_since) + timedelta(weeks=every_weeks)


def days_overdue(due: datetime, now: datetime) -> int:
    """Whole days past ``due``, counting a started day as one; 0 until ``due`` has passed."""
    if now <= due:
        return 0
    return math.ceil((now - due) / timedelta(days=1))


def check_closable(item_id: int, status: ItemStatus, latest_percent: int | None) -> None:
    """Refuse, with a sentence, unless the item is planned or in progress and its latest
    progress report says 100 %."""
    if status not in CLOSABLE:
        raise ValidationError(
            f"Item #{item_id} is {status.label}; only a planned or in-progress item can be "
            "closed as done. Nothing was changed."
        )
    if latest_percent is None:
        raise ValidationError(
            f"Item #{item_id} has no progress report yet; it can be closed as done once its "
            "latest report says 100 %. Nothing was changed."
        )
    if latest_percent < 100:
        raise ValidationError(
            f"The latest report on item #{item_id} says {latest_percent} %; it can be closed "
            "as done only once its latest report says 100 %. Nothing was changed."
        )
