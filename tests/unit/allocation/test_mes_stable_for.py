"""The add1 jump (``MESRun.stable_for``): every total in ``[total, total + stable_for)``
funds what the run at ``total`` funds. Checked directly, total by total, on random weighted
elections with constraints: the bound that lets add1 skip totals (computed from the items
that could overtake each round's choice, ``mes_core._overtake_bound``) must never skip a
total whose outcome differs."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from allocation_strategies import constraints_for, elections, weights_for
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from roadmap.allocation.mes_budgets import NeedExact
from roadmap.allocation.mes_core import run_mes
from roadmap.allocation.prepared import prepare
from roadmap.allocation.prepass import start


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "floats"])
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_total_within_the_jump_funds_the_same(data: st.DataObject, exact: bool) -> None:
    """In exact arithmetic and in floats (whose bound shrinks by its rounding errors; a run
    too close to call in floats is left out, as add1 reruns it exactly)."""
    election = data.draw(elections(max_voters=6, max_projects=8, points=False))
    weights = data.draw(weights_for(election))
    constraints = data.draw(st.sampled_from([None, data.draw(constraints_for(election))]))
    prep = prepare(election, weights, constraints) if constraints else prepare(election, weights)
    begin = start(prep)
    total = begin.budget + data.draw(st.integers(0, 40))
    try:
        run = run_mes(prep, begin, total, exact=exact, track_step=True)
    except NeedExact:
        assume(False)
    step = run.stable_for
    # The totals the jump skips, at quarter units and up to 30 units on (or to the end).
    reach = min(Fraction(step), Fraction(30)) if step != math.inf else Fraction(30)
    k = 1
    while Fraction(k, 4) < reach:
        other = run_mes(prep, begin, total + Fraction(k, 4), exact=True)
        assert other.funding.order == run.funding.order, (
            f"the run at {total} is said stable for {step}, but at {total + Fraction(k, 4)}"
            f" it funds {other.funding.order}, not {run.funding.order}"
        )
        k += 1
