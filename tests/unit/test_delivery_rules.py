"""The delivery rules without a database: when the next progress report is due, how many
days it is overdue, and when an item may be closed as done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from roadmap.domain.delivery import check_closable, days_overdue, report_due
from roadmap.domain.enums import ItemStatus
from roadmap.domain.errors import ValidationError

FUNDED = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def test_the_next_report_is_due_an_interval_after_the_latest_report_or_the_funding() -> None:
    assert report_due(None, FUNDED, 8) == FUNDED + timedelta(weeks=8)
    reported = FUNDED + timedelta(days=10)
    assert report_due(reported, FUNDED, 2) == reported + timedelta(weeks=2)


def test_a_report_is_overdue_just_after_its_due_date_a_started_day_counting_as_one() -> None:
    due = FUNDED
    assert days_overdue(due, due - timedelta(days=3)) == 0
    assert days_overdue(due, due) == 0
    assert days_overdue(due, due + timedelta(seconds=1)) == 1
    assert days_overdue(due, due + timedelta(days=1)) == 1
    assert days_overdue(due, due + timedelta(days=1, minutes=1)) == 2


@pytest.mark.parametrize(
    ("status", "percent", "sentence"),
    [
        (ItemStatus.IN_PROGRESS, None, "has no progress report yet"),
        (ItemStatus.IN_PROGRESS, 95, "latest report on item #7 says 95 %"),
        (ItemStatus.DONE, 100, "is done; only a planned or in-progress item"),
        (ItemStatus.IN_SCOPE, 100, "is in scope; only a planned or in-progress item"),
    ],
)
def test_closing_as_done_needs_a_planned_or_in_progress_item_reported_at_100_percent(
    status: ItemStatus, percent: int | None, sentence: str
) -> None:
    with pytest.raises(ValidationError, match=sentence):
        check_closable(7, status, percent)
    check_closable(7, ItemStatus.IN_PROGRESS, 100)
    check_closable(7, ItemStatus.PLANNED, 100)
