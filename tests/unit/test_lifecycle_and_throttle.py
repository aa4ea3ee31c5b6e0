"""The item lifecycle allows only its transitions; failed sign-ins are slowed per key."""

from __future__ import annotations

from itertools import pairwise

import pytest

from roadmap.auth.throttle import FailureThrottle
from roadmap.domain.enums import ItemStatus as S
from roadmap.domain.errors import ValidationError
from roadmap.domain.lifecycle import TRANSITIONS, check_transition


def test_the_documented_path_of_an_item_is_allowed() -> None:
    path = [S.DRAFT, S.PROPOSED, S.IN_COMMENT, S.IN_SCOPE, S.PLANNED, S.IN_PROGRESS, S.DONE]
    for current, requested in pairwise(path):
        check_transition(current, requested)


@pytest.mark.parametrize(
    ("current", "requested"),
    [(c, r) for c in S for r in S if r not in TRANSITIONS[c]],
)
def test_every_other_transition_is_refused_naming_both_states(current: S, requested: S) -> None:
    with pytest.raises(ValidationError) as caught:
        check_transition(current, requested)
    assert current.label in str(caught.value) and requested.label in str(caught.value)


def test_done_and_withdrawn_are_final() -> None:
    assert TRANSITIONS[S.DONE] == frozenset() and TRANSITIONS[S.WITHDRAWN] == frozenset()


def test_three_failures_lock_a_key_and_the_lock_doubles() -> None:
    throttle = FailureThrottle(free=3)
    keys = ["user:exec"]
    for _ in range(2):
        throttle.failed(keys, now=100.0)
    assert throttle.wait_seconds(keys, now=100.0) == 0
    throttle.failed(keys, now=100.0)
    assert throttle.wait_seconds(keys, now=100.0) == 2.0
    throttle.failed(keys, now=102.0)
    assert throttle.wait_seconds(keys, now=102.0) == 4.0
    assert throttle.wait_seconds(["user:other"], now=102.0) == 0


def test_a_success_clears_the_key() -> None:
    throttle = FailureThrottle(free=1)
    throttle.failed(["addr:1.2.3.4"], now=0.0)
    assert throttle.wait_seconds(["addr:1.2.3.4"], now=0.0) > 0
    throttle.succeeded(["addr:1.2.3.4"])
    assert throttle.wait_seconds(["addr:1.2.3.4"], now=0.0) == 0
