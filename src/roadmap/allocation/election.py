"""The election an allocation rule runs on: items with costs, voters with ballots, a budget.

The same types describe a public participatory-budgeting election read from a pabulib ``.pb``
file and a planning period of the product (items are roadmap items costed in person-weeks,
voters are member organizations). Money and effort are exact: ``int`` or ``Fraction``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple

Number = int | Fraction
"""An exact amount of money, effort (person-weeks) or points."""


class BallotType(StrEnum):
    """How voters expressed themselves; the names are pabulib's ``vote_type`` values."""

    APPROVAL = "approval"
    CHOOSE_1 = "choose-1"
    CUMULATIVE = "cumulative"
    SCORING = "scoring"
    ORDINAL = "ordinal"

    @property
    def has_points(self) -> bool:
        """Whether ballots carry points (cumulative or scoring): points are utilities."""
        return self in (BallotType.CUMULATIVE, BallotType.SCORING)


@dataclass(frozen=True, slots=True)
class Project:
    """An item that can be funded.

    Parameters
    ----------
    id : str
        The identifier, exactly as written in the file (``project_id``).
    cost : Number
        The full cost (currency units, or person-weeks). Never negative.
    fields : dict[str, str]
        Other columns of the pabulib PROJECTS section (``name``, ``selected``, ...), kept
        verbatim for writing the file back. Not used by the rules.
    """

    id: str
    cost: Number
    fields: dict[str, str] = field(default_factory=dict)


class Voter(NamedTuple):
    """A voter (a member organization in the product) and its ballot.

    Parameters
    ----------
    id : str
        The identifier, as in the file (``voter_id``).
    items : tuple[str, ...]
        Project ids on the ballot, in ballot order (the ranking for ordinal ballots).
    points : tuple[Number, ...] or None
        Points given to ``items`` (same order) for cumulative and scoring ballots, else None.
    extra : tuple[str, ...]
        Values of the other VOTES columns (``age``, ``sex``, ...), aligned with
        :attr:`Election.voter_columns`. Not used by the rules.
    """

    id: str
    items: tuple[str, ...]
    points: tuple[Number, ...] | None = None
    extra: tuple[str, ...] = ()


@dataclass(frozen=True)
class Election:
    """Projects, voters and the budget, as one immutable value.

    Parameters
    ----------
    budget : Number
        The amount to allocate.
    ballot_type : BallotType
        The kind of ballots every voter cast.
    projects : tuple[Project, ...]
        The projects, in file order.
    voters : tuple[Voter, ...]
        The voters, in file order.
    meta : dict[str, str]
        The pabulib META section (``budget`` and ``vote_type`` included), in file order.
    project_columns : tuple[str, ...]
        Header of the PROJECTS section, ``project_id`` and ``cost`` first.
    voter_columns : tuple[str, ...]
        Extra VOTES columns after ``voter_id``, ``vote`` and (for points) ``points``.
    """

    budget: Number
    ballot_type: BallotType
    projects: tuple[Project, ...]
    voters: tuple[Voter, ...]
    meta: dict[str, str] = field(default_factory=dict)
    project_columns: tuple[str, ...] = ("project_id", "cost")
    voter_columns: tuple[str, ...] = ()

    def project(self, project_id: str) -> Project:
        """Return the project with this id (raises KeyError)."""
        for p in self.projects:
            if p.id == project_id:
                return p
        raise KeyError(project_id)

    def utilities(self, voter: Voter) -> dict[str, Number]:
        """The utility of each item on a voter's ballot, as the rules see it.

        Approval (and choose-1, and ordinal: we read a ranking as approval of the listed items)
        gives an item its cost (``Cost_Sat``, what real equal-shares elections use); points
        ballots give the points (``Additive_Cardinal_Sat``). Items with utility 0 are left out.
        """
        if self.ballot_type.has_points:
            assert voter.points is not None
            return {p: pts for p, pts in zip(voter.items, voter.points, strict=True) if pts > 0}
        costs = {p.id: p.cost for p in self.projects}
        return {p: costs[p] for p in voter.items}
