"""Equal shares carries a tie from round to round instead of looking at every tied item
again (``mes_core._still_tied``): items tied with the last choice whose supporters have not
paid since keep their exact rho, so the one with the smallest id stands for them all.

Checked on elections made of many identical copies (the product's 100x bench data is built
that way, and members of a real foundation with equal voice often back items of equal cost):
the float run with the carry makes the exact run's choices, pays what it pays, and looks at
far fewer items than a tie of ``k`` items looked at ``k`` times over.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadmap.allocation import Constraints, Election, Project, Voter, mes_budgets
from roadmap.allocation.election import BallotType
from roadmap.allocation.mes_core import run_mes
from roadmap.allocation.prepared import prepare
from roadmap.allocation.prepass import start


def copies(
    kinds: list[tuple[int, int]], copies_of: int, voters_per_copy: int, budget: int | None = None
) -> Election:
    """``copies_of`` copies of a small election: kind ``k`` is an item of cost ``kinds[k][0]``
    backed by ``kinds[k][1]`` of the copy's voters (the first ones); the budget is half the
    costs unless given."""
    projects, ballots = [], {}
    for c in range(copies_of):
        for k, (cost, backers) in enumerate(kinds):
            pid = f"c{c:03d}k{k}"
            projects.append(Project(pid, cost))
            for v in range(min(backers, voters_per_copy)):
                ballots.setdefault(f"v{c:03d}-{v}", []).append(pid)
    voters = tuple(
        Voter(vid, tuple(items)) for vid, items in sorted(ballots.items(), key=lambda x: x[0])
    )
    if budget is None:
        budget = sum(cost for cost, _ in kinds) * copies_of // 2
    return Election(budget, BallotType.APPROVAL, tuple(projects), voters)


def runs(election: Election, weights: list[Fraction] | None, constraints: Constraints):
    out = []
    for exact in (False, True):
        prep = prepare(election, weights, constraints)
        begin = start(prep)
        # Float rounds too close to call are decided exactly (as the add1 search does).
        out.append(run_mes(prep, begin, begin.budget, exact=exact, resolve=not exact))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kinds=st.lists(st.tuples(st.integers(1, 6), st.integers(1, 3)), min_size=1, max_size=4),
    copies_of=st.integers(2, 12),
    weighted=st.booleans(),
    dependent=st.booleans(),
)
def test_a_carried_tie_makes_the_exact_runs_choices(
    kinds: list[tuple[int, int]], copies_of: int, weighted: bool, dependent: bool
) -> None:
    """Copies tie exactly; with voice weights (two classes of voters) and dependencies
    (each copy's second item waits for its first, so a funded item wakes one that may beat the
    tie), the float run funds in the exact run's order and pays what it pays."""
    election = copies(kinds, copies_of, 3)
    n = len(election.voters)
    weights = None
    if weighted:
        raw = [Fraction(1 + (i % 2)) for i in range(n)]
        weights = [w / sum(raw) for w in raw]
    depends = {}
    if dependent and len(kinds) > 1:
        depends = {f"c{c:03d}k1": frozenset({f"c{c:03d}k0"}) for c in range(copies_of)}
    fast, exact = runs(election, weights, Constraints(depends_on=depends))
    assert fast.funding.order == exact.funding.order
    for p, (who, paid) in exact.paid.items():
        fast_who, fast_paid = fast.paid[p]
        assert list(fast_who) == list(who)
        assert [float(x) for x in fast_paid] == [float(x) for x in paid] or max(
            abs(float(a) - float(b)) for a, b in zip(fast_paid, paid, strict=True)
        ) < 1e-9


def test_a_tie_of_many_copies_is_not_looked_at_again_each_round(monkeypatch) -> None:
    """60 copies of one item, each backed by its own voter, who can afford it: one tie of 60
    items, all funded, smallest id first. Looking at every tied item each round would price
    about 60 * 61 / 2 = 1,830 items; carried, each item is looked at a few times at most."""
    election = copies([(4, 1)], 60, 1, budget=300)
    visits = 0
    real_rho = mes_budgets.VoterLedger.rho

    def visiting(self, p, held):
        nonlocal visits
        visits += 1
        return real_rho(self, p, held)

    monkeypatch.setattr(mes_budgets.VoterLedger, "rho", visiting)
    fast, exact = runs(election, None, Constraints())
    assert fast.funding.order == exact.funding.order
    assert len(fast.funding.order) == 60
    assert visits < 4 * 60, f"{visits} items looked at for a tie of 60"
