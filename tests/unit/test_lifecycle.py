"""The item lifecycle allows only its transitions (the sign-in throttle is tested against
the databases it keeps its counts in: tests/integration/test_throttle.py)."""

from __future__ import annotations

from itertools import pairwise

import pytest

from roadmap.domain.enums import ItemStatus as S
from roadmap.domain.errors import ValidationError
from roadmap.domain.items import TRANSITIONS, check_transition


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
