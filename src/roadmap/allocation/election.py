"""The election an allocation rule runs on: items with costs, voters with ballots, a budget.

The same types describe a public participatory-budgeting election read from a pabulib ``.pb``
file and a planning period of the product (items are roadmap items costed in person-weeks,
voters are member organizations). Money and effort are exact: ``int`` or ``Fraction``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from functools import partial
from itertools import repeat
from typing import Any, NamedTuple, overload

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


BallotFields = tuple[Sequence[str], Sequence[str] | None, Sequence[str] | None]
"""The ``vote``, ``points`` and other fields of each ballot, as :class:`Ballots` reads them."""


class Ballots(Sequence[Voter]):
    """Voters kept column by column, as the pabulib reader found them (a sequence of
    :class:`Voter`, equal to the tuple of the same voters).

    The rules need only each project's supporters (:class:`BallotIndex`) and the voter ids; a
    :class:`Voter` per ballot (tens of thousands of small tuples) is built the first time a
    voter is asked for, all at once, from the columns ``fields`` then gives.

    Parameters
    ----------
    ids : Sequence[str]
        Voter ids.
    fields : Callable returning (votes, points, rest)
        ``votes``: each voter's ``vote`` field, project ids joined by ``,``, none empty;
        ``points``: each voter's ``points`` field (plain integers joined by ``,``), or None;
        ``rest``: the other fields of each voter's line, still joined by ``;`` (None if there
        are none). Called once, when the voters are first built.
    """

    __slots__ = ("_built", "_fields", "ids")

    def __init__(self, ids: Sequence[str], fields: Callable[[], BallotFields]) -> None:
        self.ids = ids
        self._fields = fields
        self._built: tuple[Voter, ...] | None = None

    def voters(self) -> tuple[Voter, ...]:
        """Every voter as a :class:`Voter` (built once)."""
        if self._built is None:
            n = len(self.ids)
            votes, points_text, rest = self._fields()
            ballots = map(tuple, map(str.split, votes, repeat(",")))
            points: Iterator[tuple[int, ...] | None] = (
                map(tuple, map(partial(map, int), map(str.split, points_text, repeat(","))))
                if points_text is not None
                else repeat(None, n)
            )
            extra: Iterator[tuple[str, ...]] = (
                map(tuple, map(str.split, rest, repeat(";"))) if rest is not None else repeat((), n)
            )
            new_voter = partial(tuple.__new__, Voter)  # without Voter's Python-level __new__
            voters = zip(self.ids, ballots, points, extra, strict=True)
            self._built = tuple(map(new_voter, voters))
        return self._built

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, k: int) -> Voter: ...
    @overload
    def __getitem__(self, k: slice) -> tuple[Voter, ...]: ...
    def __getitem__(self, k: int | slice) -> Voter | tuple[Voter, ...]:
        return self.voters()[k]

    def __iter__(self) -> Iterator[Voter]:
        return iter(self.voters())

    def __eq__(self, other: object) -> bool:
        if other is self:
            return True
        if isinstance(other, Ballots | tuple):
            return self.voters() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.voters())

    def __repr__(self) -> str:
        return f"Ballots({len(self)} voters)"


def voter_ids(voters: Sequence[Voter]) -> list[str]:
    """The ids of ``voters``, in order (without building :class:`Voter` s of :class:`Ballots`)."""
    if isinstance(voters, Ballots):
        return list(voters.ids)
    return [v.id for v in voters]


@dataclass(frozen=True, eq=False)
class BallotIndex:
    """Each project's supporters (voter indices, increasing) and, for points ballots, their
    points (positive only: a 0 is no support), as the pabulib reader found them on its way.

    It stands for exactly the ``voters`` tuple it was built from (compared by identity), so an
    election whose voters are replaced ignores it (:meth:`Election.index_of_ballots`).
    """

    voters: Sequence[Voter]
    supporters: list[Any]
    utility: list[list[Number] | None]

    @classmethod
    def of(
        cls,
        voters: Sequence[Voter],
        m: int,
        by_project: Any,
        projects_sorted: Any,
        points: Any,
        order: Any,
    ) -> BallotIndex:
        """From the (voter, project) pairs sorted by project: ``by_project`` the voters,
        ``projects_sorted`` the projects; ``points`` (None for approval) in ballot order and
        ``order`` the sorting permutation."""
        import numpy as np

        if points is not None:
            sorted_points = points[order]
            keep = sorted_points > 0
            by_project, projects_sorted = by_project[keep], projects_sorted[keep]
            sorted_points = sorted_points[keep]
        by_project.flags.writeable = False  # shared by every Prepared made from the election
        bounds = np.searchsorted(projects_sorted, np.arange(m + 1)).tolist()
        supporters = [by_project[bounds[p] : bounds[p + 1]] for p in range(m)]
        if points is None:
            return cls(voters, supporters, [None] * m)
        util = sorted_points.tolist()
        return cls(voters, supporters, [util[bounds[p] : bounds[p + 1]] for p in range(m)])


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
    voters : Sequence[Voter]
        The voters, in file order: a tuple, or the reader's :class:`Ballots`.
    meta : dict[str, str]
        The pabulib META section (``budget`` and ``vote_type`` included), in file order.
    project_columns : tuple[str, ...]
        Header of the PROJECTS section, ``project_id`` and ``cost`` first.
    voter_columns : tuple[str, ...]
        Extra VOTES columns after ``voter_id``, ``vote`` and (for points) ``points``.
    ballot_index : BallotIndex or None
        The ballots as project indices when the reader built them (a shortcut for
        :func:`~roadmap.allocation.prepared.prepare`; not part of the value).
    """

    budget: Number
    ballot_type: BallotType
    projects: tuple[Project, ...]
    voters: Sequence[Voter]
    meta: dict[str, str] = field(default_factory=dict)
    project_columns: tuple[str, ...] = ("project_id", "cost")
    voter_columns: tuple[str, ...] = ()
    ballot_index: BallotIndex | None = field(default=None, compare=False, repr=False)

    def index_of_ballots(self) -> BallotIndex | None:
        """The reader's :class:`BallotIndex`, if it still stands for these voters."""
        index = self.ballot_index
        return index if index is not None and index.voters is self.voters else None

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
