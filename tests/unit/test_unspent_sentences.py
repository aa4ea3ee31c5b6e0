"""The sentence the Planning period page (and the start of a next period) writes about the
effort the source period left unspent: plain English for every amount, 0 included, and
never a bare number spliced before "its final plan" (a first year's walk read "0 its final
plan left unallocated")."""

from __future__ import annotations

import re

import pytest

from roadmap.domain.enums import UnspentPolicy
from roadmap.services.sequence import PeriodSequence

POOL, LAPSE = UnspentPolicy.POOL, UnspentPolicy.LAPSE
RESERVE_WORDS = "(no plan allots the reserve, and the app records no use of it)"


def sentence(
    policy: UnspentPolicy,
    unspent: float,
    reserve: float,
    carried: float,
    planned: bool = True,
) -> str:
    seq = PeriodSequence(
        "2027-H2",
        "2027, second half",
        source_key="2027-H1",
        source_policy=policy,
        unspent_now=unspent,
        carried_weeks=carried,
        source_planned=planned,
        reserve_now=reserve,
    )
    said = seq.unspent_sentence()
    assert said is not None
    return said


CASES = [
    # policy, unspent (reserve included), reserve, carried, what the page says
    (POOL, 0, 0, 0, "2027-H1 left nothing unspent, so nothing was added to the pool of 2027-H2."),
    (LAPSE, 0, 0, 0, "2027-H1 left nothing unspent, so nothing was added to the pool of 2027-H2."),
    (
        POOL,
        2,
        2,
        2,
        "2027-H1 left 2 person-weeks unspent: the final plan left nothing unallocated, and the "
        f"reserve of 2 person-weeks counts as unspent {RESERVE_WORDS}. This effort was "
        "returned to the pool of 2027-H2 (its budget includes it).",
    ),
    (
        POOL,
        25,
        23,
        25,
        "2027-H1 left 25 person-weeks unspent: the final plan left 2 person-weeks unallocated, "
        f"and the reserve of 23 person-weeks counts as unspent too {RESERVE_WORDS}. This "
        "effort was returned to the pool of 2027-H2 (its budget includes it).",
    ),
    (
        POOL,
        12,
        0,
        12,
        "2027-H1's final plan left 12 person-weeks unallocated. This effort was returned to "
        "the pool of 2027-H2 (its budget includes it).",
    ),
    (
        LAPSE,
        1,
        0,
        0,
        "2027-H1's final plan left 1 person-week unallocated. This effort lapsed with 2027-H1, "
        "so nothing was added to the pool of 2027-H2.",
    ),
    (
        LAPSE,
        2,
        2,
        0,
        "2027-H1 left 2 person-weeks unspent: the final plan left nothing unallocated, and the "
        f"reserve of 2 person-weeks counts as unspent {RESERVE_WORDS}. This effort lapsed with "
        "2027-H1, so nothing was added to the pool of 2027-H2.",
    ),
    (  # the source's final plan changed after the next period was started from it
        POOL,
        0,
        0,
        3,
        "When 2027-H2 was started, 2027-H1 had left 3 person-weeks unspent, and this effort "
        "was returned to the pool of 2027-H2 (its budget includes it). 2027-H1's final plan "
        "has changed since: it now leaves nothing unspent. What was carried was settled when "
        "2027-H2 was started and does not change.",
    ),
    (
        POOL,
        4.5,
        2,
        0,
        "When 2027-H2 was started, 2027-H1 had left nothing unspent, so nothing was added to "
        "the pool of 2027-H2. 2027-H1's final plan has changed since: it now leaves 4.5 "
        "person-weeks unspent, the reserve included. What was carried was settled when "
        "2027-H2 was started and does not change.",
    ),
]


@pytest.mark.parametrize(
    ("policy", "unspent", "reserve", "carried", "expected"),
    CASES,
    ids=[f"{c[0].value}-unspent-{c[1]}-reserve-{c[2]}-carried-{c[3]}" for c in CASES],
)
def test_the_unspent_sentence_reads_as_plain_english_for_every_amount_zero_included(
    policy: UnspentPolicy, unspent: float, reserve: float, carried: float, expected: str
) -> None:
    said = sentence(policy, unspent, reserve, carried)
    assert said == expected
    # No count of 0 spliced into a template, and no "<number> its final plan".
    assert not re.search(r"(^|[^\d.])0 ", said), said
    assert not re.search(r"\d its final plan", said), said


def test_a_source_without_a_final_plan_says_it_left_nothing_to_carry() -> None:
    assert sentence(POOL, 0, 0, 0, planned=False) == (
        "2027-H1 has no final plan: it left no effort to carry into 2027-H2."
    )


def test_a_period_not_started_from_another_has_no_unspent_sentence() -> None:
    assert PeriodSequence("2027-H1", "2027, first half").unspent_sentence() is None
