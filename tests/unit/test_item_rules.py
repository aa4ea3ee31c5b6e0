"""An item's rules without a database: who may make which move, which statuses may still be
edited, who reads a draft, and which dependencies are refused (unknown, itself, a cycle)."""

from __future__ import annotations

import pytest

from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus as S
from roadmap.domain.enums import Role
from roadmap.domain.errors import PermissionDenied, ValidationError
from roadmap.domain.items import (
    check_editable,
    check_lead_move,
    dependency_refusal,
    makes_cycle,
    may_read,
)


@pytest.mark.parametrize("requested", [S.PROPOSED, S.DRAFT, S.WITHDRAWN])
def test_a_lead_may_submit_return_to_draft_or_withdraw(requested: S) -> None:
    check_lead_move(requested)


@pytest.mark.parametrize("requested", [s for s in S if s not in (S.PROPOSED, S.DRAFT, S.WITHDRAWN)])
def test_every_other_status_is_the_executives_to_set(requested: S) -> None:
    with pytest.raises(PermissionDenied) as caught:
        check_lead_move(requested)
    assert str(caught.value) == f"Only the executive can make an item {requested.label}."


@pytest.mark.parametrize("status", [S.DRAFT, S.PROPOSED])
def test_draft_and_proposed_items_may_be_edited(status: S) -> None:
    check_editable(status)


@pytest.mark.parametrize("status", [s for s in S if s not in (S.DRAFT, S.PROPOSED)])
def test_items_past_proposal_can_no_longer_be_edited(status: S) -> None:
    with pytest.raises(ValidationError) as caught:
        check_editable(status)
    assert str(caught.value) == f"An item that is {status.label} can no longer be edited."


LEAD = Actor(1, "lead", grants=frozenset({(Role.LEAD, "voila")}))


def test_a_draft_is_read_only_by_its_own_sub_communitys_leads() -> None:
    assert may_read(LEAD, S.DRAFT, "voila")
    assert not may_read(LEAD, S.DRAFT, "jupyterlab")
    assert not may_read(Actor.public(), S.DRAFT, "voila")


@pytest.mark.parametrize("status", [s for s in S if s != S.DRAFT])
def test_everyone_reads_an_item_once_it_leaves_draft(status: S) -> None:
    assert may_read(Actor.public(), status, "voila")


# 1 -> 2 -> 3: item 1 depends on 2, which depends on 3.
CHAIN = {1: [2], 2: [3]}


def test_depending_on_an_item_upstream_is_no_cycle() -> None:
    assert not makes_cycle(CHAIN, 4, [1])
    assert dependency_refusal(4, [1, 3], {1, 2, 3}, CHAIN) == {}


def test_the_end_of_a_chain_depending_on_its_start_closes_a_cycle() -> None:
    assert makes_cycle(CHAIN, 3, [1])
    assert dependency_refusal(3, [1], {1, 2, 3}, CHAIN) == {
        "depends_on": "These dependencies would make a cycle."
    }


def test_a_loop_elsewhere_that_does_not_pass_through_the_item_is_not_its_cycle() -> None:
    # 5 and 6 already depend on each other; the walk must end, and item 1 closes no loop.
    assert not makes_cycle({5: [6], 6: [5]}, 1, [5])


def test_an_item_cannot_depend_on_itself() -> None:
    assert dependency_refusal(2, [2], {2}, CHAIN) == {
        "depends_on": "An item cannot depend on itself."
    }


def test_unknown_dependencies_are_refused_first_by_number() -> None:
    assert dependency_refusal(3, [3, 8, 9], {3}, CHAIN) == {"depends_on": "No such items: #8, #9."}


def test_a_new_item_cannot_close_a_cycle_so_only_unknown_items_are_refused() -> None:
    assert dependency_refusal(None, [1, 2], {1, 2}, CHAIN) == {}
