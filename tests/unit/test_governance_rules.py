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
    check_amendment,
    check_comment_end,
    check_decidable,
    check_extension,
    check_reason,
    reversal_refusal,
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


def test_a_decision_may_be_reversed_with_a_reason_but_not_repeated() -> None:
    assert (
        check_decidable(S.IN_SCOPE, None, OPENS, ScopeOutcome.DEFERRED, "No staff this half.")
        == S.DEFERRED
    )
    with pytest.raises(ValidationError, match=r"^The item is already "):
        check_decidable(S.DEFERRED, None, OPENS, ScopeOutcome.DEFERRED, "No staff this half.")


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (S.IN_SCOPE, ScopeOutcome.OUT_OF_SCOPE),
        (S.IN_SCOPE, ScopeOutcome.DEFERRED),
        (S.OUT_OF_SCOPE, ScopeOutcome.IN_SCOPE),
        (S.OUT_OF_SCOPE, ScopeOutcome.DEFERRED),
        (S.DEFERRED, ScopeOutcome.IN_SCOPE),
        (S.DEFERRED, ScopeOutcome.OUT_OF_SCOPE),
    ],
)
def test_every_decided_status_reverses_to_either_other_outcome_with_a_reason(
    status: S, outcome: ScopeOutcome
) -> None:
    assert check_decidable(status, None, OPENS, outcome, "The board changed its mind.") == S(
        outcome.value
    )


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reversing_a_decision_without_a_reason_is_refused_with_a_sentence(
    reason: str | None,
) -> None:
    with pytest.raises(ValidationError) as caught:
        check_decidable(S.IN_SCOPE, None, OPENS, ScopeOutcome.DEFERRED, reason)
    assert str(caught.value) == (
        "Reversing a decision needs a reason: say why it changes (the item's history keeps it)."
    )


def test_the_first_decision_after_comment_needs_no_reason() -> None:
    assert check_decidable(S.IN_COMMENT, None, OPENS, ScopeOutcome.DEFERRED) == S.DEFERRED


@pytest.mark.parametrize(
    ("status", "start"),
    [
        (S.PLANNED, "Item #7 is planned: a published plan funds it"),
        (S.IN_PROGRESS, "Item #7 is in progress: staff are working on it"),
        (S.DONE, "Item #7 is done, so its scope decision cannot be reversed"),
    ],
)
def test_an_item_a_published_plan_acted_on_is_not_reversed_and_the_sentence_says_why(
    status: S, start: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        check_decidable(status, None, OPENS, ScopeOutcome.OUT_OF_SCOPE, "Changed.", item_id=7)
    assert str(caught.value).startswith(start)
    assert str(caught.value) == reversal_refusal(7, status)
    assert "rationale can still be amended" in str(caught.value)


@pytest.mark.parametrize("status", [S.DRAFT, S.PROPOSED, S.WITHDRAWN])
def test_items_outside_comment_and_scope_are_not_up_for_a_decision(status: S) -> None:
    with pytest.raises(ValidationError) as caught:
        check_decidable(status, None, OPENS, ScopeOutcome.IN_SCOPE, "A reason.")
    assert str(caught.value) == f"An item that is {status.label} is not up for a scope decision."


def test_an_amendment_returns_its_stripped_reason() -> None:
    assert check_amendment("Old text here.", "New text here.", "  Typo fixed.  ") == "Typo fixed."


@pytest.mark.parametrize("reason", [None, "", "  \n "])
def test_amending_without_a_reason_is_refused_with_a_sentence(reason: str | None) -> None:
    with pytest.raises(ValidationError) as caught:
        check_amendment("Old text here.", "New text here.", reason)
    assert str(caught.value) == (
        "Amending a decision needs a reason: say why it changes (the item's history keeps it)."
    )
    assert caught.value.fields == {"reason": "Give a reason."}


def test_a_reason_must_say_something_and_stay_short() -> None:
    with pytest.raises(ValidationError, match=r"^The reason must have at least 3 characters\.$"):
        check_reason("ok")
    with pytest.raises(ValidationError, match=r"^The reason must have at most 2000 characters"):
        check_reason("x" * 2001)


def test_an_unchanged_rationale_is_not_an_amendment() -> None:
    with pytest.raises(ValidationError, match=r"^The rationale is unchanged"):
        check_amendment("Same text here.", "  Same text here. ", "Nothing really.")


def test_an_item_without_a_decision_has_nothing_to_amend() -> None:
    with pytest.raises(ValidationError, match=r"^This item has no scope decision to amend\.$"):
        check_amendment(None, "New text here.", "A reason.")
