"""Helpers for the allocation tests: the pabulib folder and a bridge to pabutools (the
reference implementation, used only in tests and bench/)."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from roadmap.allocation import Election, Project, Voter, format_pabulib
from roadmap.allocation.election import BallotType

REPO_ROOT = Path(__file__).resolve().parents[3]
PABULIB_DIR = Path(os.environ.get("ROADMAP_PABULIB_DIR", REPO_ROOT.parent / "shared" / "pabulib"))
SMALL_FILE = 1_000_000


def pabulib_files(max_size: int | None = None) -> list[Path]:
    """The .pb files of the pabulib folder (smaller than ``max_size`` bytes if given)."""
    if not PABULIB_DIR.is_dir():
        return []
    files = sorted(PABULIB_DIR.glob("*.pb"))
    return [f for f in files if max_size is None or f.stat().st_size < max_size]


def need_pabulib() -> None:
    """Skip (fail under CI=true) when the pabulib folder is missing."""
    if PABULIB_DIR.is_dir():
        return
    message = f"pabulib folder {PABULIB_DIR} not found (set ROADMAP_PABULIB_DIR)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def as_pabutools(election: Election) -> tuple[Any, Any]:
    """The same election as pabutools (instance, profile), through the .pb text."""
    from pabutools.election.pabulib import parse_pabulib_from_string

    return parse_pabulib_from_string(format_pabulib(election))


def sat_class(profile: Any) -> Any:
    """Cost_Sat for approval profiles, Additive_Cardinal_Sat for points."""
    from pabutools.election import AbstractApprovalProfile, Additive_Cardinal_Sat, Cost_Sat

    return Cost_Sat if isinstance(profile, AbstractApprovalProfile) else Additive_Cardinal_Sat


def names(allocation: Any) -> set[str]:
    """Project names of a pabutools budget allocation."""
    return {p.name for p in allocation}


def pabutools_add1(instance: Any, profile: Any) -> Any:
    """pabutools' add1 completion of equal shares, as issue 5 specifies it (the literal loop:
    every voter's share one unit higher per step, the last outcome within the budget kept)."""
    from pabutools.rules import exhaustion_by_budget_increase, method_of_equal_shares

    return exhaustion_by_budget_increase(
        instance,
        profile,
        method_of_equal_shares,
        {"sat_class": sat_class(profile)},
        budget_step=profile.num_ballots(),
        exhaustive_stop=False,
    )


def pabutools_rule(
    rule: str,
    instance: Any,
    profile: Any,
    add1: Callable[[Any, Any], Any] = pabutools_add1,
) -> Callable[[], set[str]]:
    """What pabutools funds for our rule name, as a call (the bench times it); ``add1`` gives
    the add1 outcome that add1-greedy starts from."""
    from pabutools.rules import (
        greedy_utilitarian_welfare,
        method_of_equal_shares,
        sequential_phragmen,
    )

    sat = sat_class(profile)
    calls: dict[str, Callable[[], Any]] = {
        "equal-shares": lambda: method_of_equal_shares(instance, profile, sat_class=sat),
        "equal-shares-add1": lambda: add1(instance, profile),
        "equal-shares-add1-greedy": lambda: greedy_utilitarian_welfare(
            instance, profile, sat_class=sat, initial_budget_allocation=add1(instance, profile)
        ),
        "greedy": lambda: greedy_utilitarian_welfare(instance, profile, sat_class=sat),
        "phragmen": lambda: sequential_phragmen(instance, profile),
    }
    if rule not in calls:
        raise ValueError(rule)
    call = calls[rule]
    return lambda: names(call())


_ADD1: list[Any] = []  # [instance, profile, its add1 outcome]


def _add1_once(instance: Any, profile: Any) -> Any:
    # One slot, holding the very objects: an id() key could be reused by a later election
    # once the first is freed, and hand it the first one's outcome.
    if not (_ADD1 and _ADD1[0] is instance and _ADD1[1] is profile):
        _ADD1[:] = [instance, profile, pabutools_add1(instance, profile)]
    return _ADD1[2]


def pabutools_outcome(rule: str, instance: Any, profile: Any) -> set[str]:
    """What pabutools funds for our rule name (computed, never hard-coded); the add1 outcome
    of the last election is kept for add1-greedy on the same one."""
    return pabutools_rule(rule, instance, profile, add1=_add1_once)()


def planning_like(m: int, n: int, seed: int) -> tuple[Election, list[Fraction]]:
    """Items of 1 to 40 person-weeks (halves) with heavy-tailed popularity, organizations
    supporting 5 to 60 items, weights like voice shares rounded to 12 decimals: the shape of
    the product's planning data (``bench/weighted.py`` times it)."""
    rng = random.Random(seed)
    projects = tuple(Project(str(k), Fraction(rng.randint(2, 80), 2)) for k in range(m))
    popularity = [rng.paretovariate(1.2) for _ in range(m)]
    voters = []
    for i in range(n):
        items = set(rng.choices(range(m), weights=popularity, k=rng.randint(5, 60)))
        voters.append(Voter(f"o{i}", tuple(str(p) for p in sorted(items))))
    raw = [rng.random() + 0.2 for _ in range(n)]
    total = sum(raw)
    weights = [Fraction(round(r / total, 12)).limit_denominator(10**12) for r in raw]
    weights[-1] += 1 - sum(weights)
    return Election(Fraction(4000), BallotType.APPROVAL, projects, tuple(voters)), weights
