"""The election a scenario runs on, as a record (``roadmap.domain.bundle.BundleElection``),
and the engine's input made from that record.

The planning service builds the record from the database and runs the rule on the input
made from it (:func:`engine_input`), so the record a plan keeps is what its rule ran on, by
construction; ``roadmap verify`` makes the same input from a bundle. How signals become
ballots is decided here, once: an organization supports every item its latest signal
approves, gives points to, ranks or pledges to (approval ballots: its utility is the item's
cost); its pledges to candidate items become earmarks, in the order the signals were read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Protocol

from roadmap.allocation import Constraints, Earmark, Election, Project, Voter
from roadmap.allocation.certificate import exact_text, exact_value
from roadmap.allocation.election import BallotType
from roadmap.domain.bundle import (
    BundleElection,
    BundleItem,
    BundleOrganization,
    BundlePledge,
    BundleSignal,
)


class _Item(Protocol):
    """A candidate item (``services.planning.PlanItem``)."""

    @property
    def title(self) -> str: ...
    @property
    def subcommunity(self) -> str: ...
    @property
    def theme(self) -> str | None: ...
    @property
    def depends_on(self) -> list[int]: ...


class _Signal(Protocol):
    """An organization's signal (``services.signals.SignalView``)."""

    @property
    def organization(self) -> str: ...
    @property
    def submitted_at(self) -> datetime | None: ...
    @property
    def approvals(self) -> list[int]: ...
    @property
    def points(self) -> dict[int, int]: ...
    @property
    def ranking(self) -> list[int]: ...
    @property
    def pledges(self) -> list[tuple[int, float, str]]: ...


@dataclass(frozen=True)
class EngineInput:
    """What ``roadmap.allocation.allocate`` takes."""

    rule: str
    election: Election
    weights: list[Fraction]
    constraints: Constraints


def exact(value: float) -> Fraction:
    """A stored float (person-weeks) as the exact decimal it shows."""
    return Fraction(str(value))


def record_election(
    rule: str,
    budget: float,
    carried: float,
    reserve: float,
    caps: Mapping[str, float],
    floors: Mapping[str, float],
    items: Mapping[int, _Item],
    costs: Mapping[int, float],
    organizations: Sequence[tuple[str, str, Fraction]],
    signals: Sequence[_Signal],
) -> BundleElection:
    """The record of an election: ``items`` (the candidates, by id, with their ``costs``),
    ``organizations`` as (key, name, weight) in voter order, ``signals`` in the order read
    (only those of the organizations)."""
    outside = sorted({d for item in items.values() for d in item.depends_on if d not in items})
    keys = {key for key, _, _ in organizations}
    return BundleElection(
        rule=rule,
        budget=exact_text(exact(budget)),
        carried=exact_text(exact(carried)),
        reserve=exact_text(exact(reserve)),
        caps={g: exact_text(exact(w)) for g, w in caps.items()},
        floors={g: exact_text(exact(w)) for g, w in floors.items()},
        items=[
            BundleItem(
                id=str(i),
                title=item.title,
                cost=exact_text(exact(costs[i])),
                subcommunity=item.subcommunity,
                theme=item.theme,
                depends_on=[str(d) for d in item.depends_on],
            )
            for i, item in items.items()
        ]
        + [BundleItem(id=str(d), title="", cost="0", candidate=False) for d in outside],
        organizations=[
            BundleOrganization(id=key, name=name, weight=exact_text(weight))
            for key, name, weight in organizations
        ],
        signals=[
            BundleSignal(
                organization=s.organization,
                submitted_at=s.submitted_at,
                approvals=list(s.approvals),
                points={str(k): v for k, v in s.points.items()},
                ranking=list(s.ranking),
                pledges=[BundlePledge(item=i, weeks=exact_text(exact(w))) for i, w, _ in s.pledges],
            )
            for s in signals
            if s.organization in keys
        ],
    )


def supported(signal: BundleSignal) -> set[int]:
    """Every item the signal supports: approved, given points, ranked or pledged to."""
    return (
        set(signal.approvals)
        | {int(k) for k in signal.points}
        | set(signal.ranking)
        | {p.item for p in signal.pledges}
    )


def engine_input(record: BundleElection) -> EngineInput:
    """The election, weights and constraints ``record`` describes."""
    candidates = [i for i in record.items if i.candidate]
    ids = {int(i.id) for i in candidates}
    by_org = {s.organization: s for s in record.signals}
    voters = tuple(
        Voter(
            o.id,
            tuple(str(i) for i in sorted(supported(by_org[o.id])) if i in ids)
            if o.id in by_org
            else (),
        )
        for o in record.organizations
    )
    projects = tuple(Project(i.id, exact_value(i.cost)) for i in record.items)
    election = Election(exact_value(record.budget), BallotType.APPROVAL, projects, voters)
    groups: dict[str, list[str]] = {}
    for item in candidates:
        groups[item.id] = [f"subcommunity:{item.subcommunity}"]
        if item.theme:
            groups[item.id].append(f"theme:{item.theme}")
    pledges = [
        Earmark(s.organization, str(p.item), exact_value(p.weeks))
        for s in record.signals
        for p in s.pledges
        if p.item in ids
    ]
    constraints = Constraints(
        reserve=exact_value(record.reserve),
        eligible=frozenset(i.id for i in candidates),
        groups=groups,
        caps={g: exact_value(w) for g, w in record.caps.items()},
        floors={g: exact_value(w) for g, w in record.floors.items()},
        depends_on={i.id: list(i.depends_on) for i in candidates if i.depends_on},
        pledges=pledges,
    )
    weights = [exact_value(o.weight) for o in record.organizations]
    return EngineInput(record.rule, election, weights, constraints)
