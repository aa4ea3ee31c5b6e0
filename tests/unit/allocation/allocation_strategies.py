"""Hypothesis strategies: small random elections and constraints."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from roadmap.allocation import BallotType, Constraints, Earmark, Election, Project, Voter


@st.composite
def elections(
    draw: st.DrawFn,
    max_voters: int = 8,
    max_projects: int = 6,
    points: bool | None = None,
) -> Election:
    """An election with integer costs 1..30 and a budget 0..80."""
    m = draw(st.integers(1, max_projects))
    n = draw(st.integers(1, max_voters))
    has_points = draw(st.booleans()) if points is None else points
    ids = [f"p{k}" for k in range(m)]
    projects = tuple(Project(pid, draw(st.integers(1, 30))) for pid in ids)
    voters = []
    for i in range(n):
        # pabutools cannot read an empty points ballot: points voters name at least one item.
        least = 1 if has_points else 0
        chosen = draw(st.lists(st.sampled_from(ids), unique=True, min_size=least, max_size=m))
        pts = tuple(draw(st.integers(1, 5)) for _ in chosen) if has_points else None
        voters.append(Voter(f"v{i}", tuple(chosen), pts))
    ballot_type = BallotType.CUMULATIVE if has_points else BallotType.APPROVAL
    budget = draw(st.integers(0, 80))
    meta = {"budget": str(budget), "vote_type": ballot_type.value}
    return Election(budget, ballot_type, projects, tuple(voters), meta)


@st.composite
def weights_for(draw: st.DrawFn, election: Election) -> list[Fraction] | None:
    """Equal (None) or random voice weights summing to 1."""
    if draw(st.booleans()):
        return None
    raw = [draw(st.integers(0, 5)) for _ in election.voters]
    if sum(raw) == 0:
        return None
    return [Fraction(r, sum(raw)) for r in raw]


@st.composite
def constraints_for(draw: st.DrawFn, election: Election) -> Constraints:
    """Random reserve, eligibility, groups with caps/floors, acyclic dependencies, pledges."""
    ids = [p.id for p in election.projects]
    reserve = draw(st.integers(0, int(election.budget)))
    eligible = frozenset(draw(st.lists(st.sampled_from(ids), unique=True, min_size=1)))
    groups = {pid: (draw(st.sampled_from(["g1", "g2"])),) for pid in ids}
    caps = {g: draw(st.integers(0, 60)) for g in ["g1", "g2"] if draw(st.booleans())}
    floors = {g: draw(st.integers(0, 30)) for g in ["g1", "g2"] if draw(st.booleans())}
    depends_on = {}
    for k, pid in enumerate(ids):
        if k and draw(st.booleans()):
            depends_on[pid] = (draw(st.sampled_from(ids[:k])),)  # earlier ids: no cycles
    pledges = []
    for _ in range(draw(st.integers(0, 2))):
        if election.voters:
            voter = draw(st.sampled_from([v.id for v in election.voters]))
            pledges.append(Earmark(voter, draw(st.sampled_from(ids)), draw(st.integers(1, 20))))
    return Constraints(
        reserve=reserve,
        eligible=eligible,
        groups=groups,
        caps=caps,
        floors=floors,
        depends_on=depends_on,
        pledges=tuple(pledges),
    )
