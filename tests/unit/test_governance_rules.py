"""The scope gate's rules without a database: when a comment period is open, how it may end
and be extended, and which items are up for a scope decision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from roadmap.domain.enums import ItemStatus as S
from roadmap.domain.enums import ScopeOutcome
from roadmap.domain.errors import ValidationError
from roadmap.domain.governance import (
    CommentPeriod,
    check_comment_end,
    check_decidable,
    check_extension,
)

OPENS = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CLOSES = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)
PERIOD = CommentPeriod(OPENS, CLOSES, closed_early=False)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize("now", [OPENS, OPENS + timedelta(days=5), CLOSES])
def test_a_comment_period_is_open_from_its_start_to_its_end_both_included(now: datetime) -> None:
    assert PERIOD.is_open(now)


@pytest.mark.parametrize("now", [OPENS - SECOND, CLOSES + SECOND])
def test_a_comment_period_is_closed_just_outside_its_dates(now: datetime) -> None:
    assert not PERIOD.is_open(now)


def test_a_period_the_executive_closed_early_is_closed_within_its_dates() -> None:
    assert not CommentPeriod(OPENS, CLOSES, closed_early=True).is_open(OPENS + SECOND)


def test_a_new_period_must_end_after_now() -> None:
    check_comment_end(OPENS, OPENS + SECOND)
    with pytest.raises(ValidationError, match=r"^The comment period must end in the future\.$"):
        check_comment_end(OPENS, OPENS)


def test_an_extension_must_end_later_than_the_current_end() -> None:
    check_extension(PERIOD, CLOSES + SECOND)
    with pytest.raises(ValidationError) as caught:
        check_extension(PERIOD, CLOSES)
    assert str(caught.value) == (
        "An extension must end later than the current end (2026-11-12 09:00 UTC)."
    )


def test_an_item_in_comment_is_decided_once_its_period_has_closed() -> None:
    after = CLOSES + SECOND
    assert check_decidable(S.IN_COMMENT, PERIOD, after, ScopeOutcome.IN_SCOPE) == S.IN_SCOPE


def test_an_item_in_comment_is_not_decided_while_its_period_is_open() -> None:
    with pytest.raises(
        ValidationError, match=r"^The comment period is still open \(until 2026-11-12"
    ):
        check_decidable(S.IN_COMMENT, PERIOD, CLOSES, ScopeOutcome.IN_SCOPE)


def test_a_decision_may_be_revisited_but_not_repeated() -> None:
    assert check_decidable(S.IN_SCOPE, None, OPENS, ScopeOutcome.DEFERRED) == S.DEFERRED
    with pytest.raises(ValidationError, match=r"^The item is already "):
        check_decidable(S.DEFERRED, None, OPENS, ScopeOutcome.DEFERRED)


@pytest.mark.parametrize(
    "status", [S.DRAFT, S.PROPOSED, S.PLANNED, S.IN_PROGRESS, S.DONE, S.WITHDRAWN]
)
def test_items_outside_comment_and_scope_are_not_up_for_a_decision(status: S) -> None:
    with pytest.raises(ValidationError) as caught:
        check_decidable(status, None, OPENS, ScopeOutcome.IN_SCOPE)
    assert str(caught.value) == f"An item that is {status.label} is not up for a scope decision."
