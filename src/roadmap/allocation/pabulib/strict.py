"""The strict reader of pabulib ``.pb`` files: line by line, naming the line of any fault.

It reads every file, the subtleties too (quoting, spaces, decimal points); the column-wise
reader in :mod:`roadmap.allocation.pabulib.bulk` leaves it everything it is unsure of.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from roadmap.allocation.election import BallotType, Election, Number, Voter
from roadmap.allocation.pabulib.head import (
    PabulibFormatError,
    Rows,
    fixed_width,
    parse_number,
    read_head,
)


@contextmanager
def gc_paused() -> Iterator[None]:
    """The strict reader builds hundreds of thousands of small tuples and lists and no
    reference cycle; the cyclic collector would walk the growing heap again and again
    meanwhile (it more than doubled the time of the largest files). The column-wise reader
    makes no such objects and runs with the collector on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_strictly(text: str) -> Election:
    """The election in ``text``, read line by line; any fault raises :class:`PabulibFormatError`."""
    rows = Rows(text)
    head = read_head(rows)
    ballot_type, projects, header = head.ballot_type, head.projects, head.votes_header
    voters, voter_columns = _read_votes(rows, header, ballot_type, {p.id for p in projects})
    return head.election(voters, voter_columns)


def _read_votes(
    rows: Rows, header: list[str], ballot_type: BallotType, project_ids: set[str]
) -> tuple[tuple[Voter, ...], tuple[str, ...]]:
    voters: list[Voter] = []
    seen: set[str] = set()
    skip = fixed_width(ballot_type)
    width = len(header)
    has_points = ballot_type.has_points
    # The hot loop of the strict reader: plain str.split, no generators.
    for line, row in rows.rest_of_section():
        if len(row) != width:
            raise PabulibFormatError(
                line, f"VOTES row has {len(row)} fields, the header has {width}"
            )
        voter_id = row[0]
        if " " in voter_id:
            voter_id = voter_id.strip()
        if voter_id in seen or not voter_id:
            raise PabulibFormatError(line, f"voter id {voter_id!r} is empty or appears twice")
        seen.add(voter_id)
        vote = row[1]
        if " " in vote:
            vote = vote.strip()
            items = tuple(p.strip() for p in vote.split(",")) if vote else ()
        else:
            items = tuple(vote.split(",")) if vote else ()
        distinct = set(items)
        if len(distinct) != len(items) or not distinct <= project_ids:
            _reject_vote(line, items, project_ids)
        points = _points(line, row[2], len(items)) if has_points else None
        voters.append(Voter(voter_id, items, points, tuple(row[skip:])))
    if (upcoming := rows.peek()) is not None:
        raise PabulibFormatError(upcoming[0], f"unexpected section {upcoming[1][0]!r} after VOTES")
    return tuple(voters), tuple(header[skip:])


def _reject_vote(line: int, items: tuple[str, ...], project_ids: set[str]) -> None:
    unknown = [p for p in items if p not in project_ids]
    if unknown:
        raise PabulibFormatError(line, f"vote names unknown project {unknown[0]!r}")
    raise PabulibFormatError(line, "vote names a project twice")


def _points(line: int, text: str, count: int) -> tuple[Number, ...]:
    parts = text.split(",") if text.strip() else []
    if len(parts) != count:
        raise PabulibFormatError(line, f"{len(parts)} points for {count} voted projects")
    try:
        points = tuple(int(p) if p.isdigit() else parse_number(p) for p in parts)
    except ValueError as error:
        raise PabulibFormatError(line, f"bad points: {error}") from None
    if any(p < 0 for p in points):
        raise PabulibFormatError(line, "negative points")
    return points
