"""Read and write pabulib ``.pb`` files (https://pabulib.org/format).

A file has three sections, each a line with its name and then a header row: META
(``key;value``), PROJECTS (``project_id;cost;...``) and VOTES (``voter_id;vote[;points];...``).
Fields are ``;``-separated with CSV quoting; ``vote`` and ``points`` are ``,``-separated lists.
Reading is strict: anything malformed raises :class:`PabulibFormatError` naming the line.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from roadmap.allocation.election import (
    BallotIndex,
    Ballots,
    BallotType,
    Election,
    Number,
    Project,
    Voter,
)

_SECTIONS = ("meta", "projects", "votes")
_DECIMAL = re.compile(r"-?\d+(?:[.,]\d+)?")


class PabulibFormatError(ValueError):
    """A ``.pb`` file does not follow the format; the message names the line and the fault."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem


def parse_number(text: str) -> Number:
    """Parse an exact decimal (``12``, ``12.5`` or ``12,5``) into an int or a Fraction.

    Raises
    ------
    ValueError
        If ``text`` is not a decimal number.
    """
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not _DECIMAL.fullmatch(text):
        raise ValueError(f"{text!r} is not a number")
    value = Fraction(text.replace(",", "."))
    return value.numerator if value.denominator == 1 else value


def format_number(value: Number) -> str:
    """Write an exact number as a decimal, the inverse of :func:`parse_number`.

    Raises
    ------
    ValueError
        If the value has no finite decimal expansion.
    """
    if isinstance(value, int) or value.denominator == 1:
        return str(int(value))
    den, twos, fives = value.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den != 1:
        raise ValueError(f"{value} has no finite decimal expansion")
    digits = max(twos, fives)
    scaled = abs(value.numerator) * 10**digits // value.denominator
    sign = "-" if value < 0 else ""
    return f"{sign}{scaled // 10**digits}.{scaled % 10**digits:0{digits}d}"


def read_pabulib(path: str | Path) -> Election:
    """Read a ``.pb`` file.

    Parameters
    ----------
    path : str or Path
        The file (UTF-8, with or without a byte-order mark).

    Returns
    -------
    Election
        The election, projects and voters in file order.

    Raises
    ------
    PabulibFormatError
        If the file is malformed; the message names the line number.
    """
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return parse_pabulib(handle.read())


def parse_pabulib(text: str, *, fast: bool = True) -> Election:
    """Parse the text of a ``.pb`` file (see :func:`read_pabulib`).

    With ``fast`` (the default) the VOTES section is first read column-wise, a handful of C-level
    passes over all its lines instead of a Python loop per line; any line it is unsure of (a
    quote, a space in an id or a vote, a wrong field count, an unknown or repeated project,
    points that are not plain integers) sends the whole section to the strict line-by-line
    reader, which names the faulty line or reads the subtleties. Both give equal elections (a
    property test holds them to it); ``fast=False`` forces the strict reader.
    """
    with _gc_paused():
        return _parse(text, fast)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Reading builds hundreds of thousands of small tuples and lists and no reference cycle;
    the cyclic collector would walk the growing heap again and again meanwhile (it more than
    doubled the time of the largest files)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parse(text: str, fast: bool) -> Election:
    rows = _Rows(text)
    meta, key_lines = _read_meta(rows)
    budget, ballot_type = _budget_and_type(meta, key_lines, rows.last_line)
    projects, project_columns = _read_projects(rows)
    index: BallotIndex | None = None
    header = _votes_header(rows, ballot_type)
    bulk = _read_votes_in_bulk(rows, header, ballot_type, projects) if fast else None
    voters: Sequence[Voter]
    if bulk is not None:
        voters, index = bulk
        voter_columns = tuple(header[_fixed_width(ballot_type) :])
    else:
        voters, voter_columns = _read_votes(rows, header, ballot_type, {p.id for p in projects})
    return Election(
        budget=budget,
        ballot_type=ballot_type,
        projects=tuple(projects),
        voters=voters,
        meta=meta,
        project_columns=project_columns,
        voter_columns=voter_columns,
        ballot_index=index,
    )


class _Rows:
    """The file's non-blank rows with their line numbers, read one section at a time."""

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()
        self._index = 0
        self.last_line = 0

    def _row(self, index: int) -> list[str]:
        line = self._lines[index]
        if '"' not in line:
            return line.split(";")
        try:
            return next(csv.reader([line], delimiter=";", strict=True))
        except csv.Error as error:
            raise PabulibFormatError(index + 1, f"bad quoting ({error})") from None

    def _skip_blank(self) -> None:
        lines = self._lines
        while self._index < len(lines) and not lines[self._index].strip():
            self._index += 1

    def peek(self) -> tuple[int, list[str]] | None:
        self._skip_blank()
        if self._index >= len(self._lines):
            return None
        return self._index + 1, self._row(self._index)

    def take(self) -> tuple[int, list[str]]:
        upcoming = self.peek()
        if upcoming is None:
            raise PabulibFormatError(self.last_line + 1, "unexpected end of file")
        self._index += 1
        self.last_line = upcoming[0]
        return upcoming

    def remaining(self) -> list[str]:
        """The lines not read yet, as they are."""
        return self._lines[self._index :]

    def skip_to_end(self) -> None:
        """Mark every line read."""
        self._index = len(self._lines)
        self.last_line = self._index

    def rest_of_section(self) -> Iterator[tuple[int, list[str]]]:
        """Rows up to the next section line (or the end of the file)."""
        lines = self._lines
        while self._index < len(lines):
            text = lines[self._index]
            if not text or text.isspace():
                self._index += 1
                continue
            if len(text) < 12 and text.strip().lower() in _SECTIONS:
                return
            row = text.split(";") if '"' not in text else self._row(self._index)
            self._index += 1
            self.last_line = self._index
            yield self._index, row


def _section_header(rows: _Rows, name: str) -> tuple[int, list[str]]:
    line, row = rows.take()
    if row[0].strip().lower() != name or len(row) != 1:
        raise PabulibFormatError(line, f"expected the {name.upper()} section, found {row[0]!r}")
    line, header = rows.take()
    header = [h.strip() for h in header]
    if len(set(header)) != len(header):
        raise PabulibFormatError(line, f"repeated column in the {name.upper()} header")
    return line, header


def _section_rows(rows: _Rows, width: int, name: str) -> Iterator[tuple[int, list[str]]]:
    for line, row in rows.rest_of_section():
        if len(row) != width:
            raise PabulibFormatError(
                line, f"{name} row has {len(row)} fields, the header has {width}"
            )
        yield line, row


def _read_meta(rows: _Rows) -> tuple[dict[str, str], dict[str, int]]:
    line, header = _section_header(rows, "meta")
    if header != ["key", "value"]:
        raise PabulibFormatError(line, "the META header must be 'key;value'")
    meta: dict[str, str] = {}
    key_lines: dict[str, int] = {}
    for line, (key, value) in _section_rows(rows, 2, "META"):
        key = key.strip()
        if key in meta:
            raise PabulibFormatError(line, f"META key {key!r} appears twice")
        meta[key] = value.strip()
        key_lines[key] = line
    return meta, key_lines


def _budget_and_type(
    meta: dict[str, str], key_lines: dict[str, int], end_line: int
) -> tuple[Number, BallotType]:
    for key in ("budget", "vote_type"):
        if key not in meta:
            raise PabulibFormatError(end_line, f"META has no {key!r}")
    try:
        budget = parse_number(meta["budget"])
    except ValueError:
        raise PabulibFormatError(
            key_lines["budget"], f"budget {meta['budget']!r} is not a number"
        ) from None
    if budget < 0:
        raise PabulibFormatError(key_lines["budget"], "budget is negative")
    try:
        ballot_type = BallotType(meta["vote_type"])
    except ValueError:
        raise PabulibFormatError(
            key_lines["vote_type"], f"unknown vote_type {meta['vote_type']!r}"
        ) from None
    return budget, ballot_type


def _read_projects(rows: _Rows) -> tuple[list[Project], tuple[str, ...]]:
    line, header = _section_header(rows, "projects")
    if header[:2] != ["project_id", "cost"]:
        raise PabulibFormatError(line, "the PROJECTS header must start with 'project_id;cost'")
    projects: list[Project] = []
    seen: set[str] = set()
    others = header[2:]
    for line, row in _section_rows(rows, len(header), "PROJECTS"):
        project_id = row[0].strip()
        if not project_id:
            raise PabulibFormatError(line, "empty project_id")
        if project_id in seen:
            raise PabulibFormatError(line, f"project {project_id!r} appears twice")
        seen.add(project_id)
        try:
            cost = parse_number(row[1])
        except ValueError:
            raise PabulibFormatError(line, f"cost {row[1]!r} is not a number") from None
        if cost < 0:
            raise PabulibFormatError(line, f"cost {row[1]!r} is negative")
        projects.append(Project(project_id, cost, dict(zip(others, row[2:], strict=True))))
    return projects, tuple(header)


def _fixed_width(ballot_type: BallotType) -> int:
    return 3 if ballot_type.has_points else 2


def _votes_header(rows: _Rows, ballot_type: BallotType) -> list[str]:
    line, header = _section_header(rows, "votes")
    fixed = ["voter_id", "vote", "points"][: _fixed_width(ballot_type)]
    if header[: len(fixed)] != fixed:
        raise PabulibFormatError(line, f"the VOTES header must start with {';'.join(fixed)!r}")
    return header


def _read_votes_in_bulk(
    rows: _Rows, header: list[str], ballot_type: BallotType, projects: list[Project]
) -> tuple[Ballots, BallotIndex] | None:
    """The VOTES section read column by column, or None to leave it to :func:`_read_votes`.

    Every check of the strict reader is here as a test over a whole column (C-level ``map``,
    ``set``, ``str.join``, numpy), and any doubt returns None rather than an error: the strict
    reader then finds the line to name. On the way it builds each project's supporters.
    """
    lines = rows.remaining()
    width = len(header)
    if not lines or '"' in "\n".join(lines):  # quoting: the strict reader's csv module
        return None
    # Every row has exactly the header's fields. A blank line, or the name of a section, has
    # no ';' at all (the header has at least two fields), so it fails here too.
    if set(map(str.count, lines, repeat(";"))) != {width - 1}:
        return None
    # Only the fixed fields are cut out; the rest of each line is kept whole for Ballots.
    skip = _fixed_width(ballot_type)
    cut = skip if width > skip else skip - 1
    columns = list(zip(*map(str.split, lines, repeat(";"), repeat(cut)), strict=True))
    ids, votes = columns[0], columns[1]
    if " " in "".join(ids) or "" in ids or len(set(ids)) != len(ids):
        return None
    # Ballots joined by ';', the projects on each by ','.
    joined = ";".join(votes)
    if " " in joined or "" in votes:  # spaces are stripped and empty ballots are special
        return None
    flat = _project_indices(joined.replace(";", ","), projects)
    if flat is None:
        return None
    voter = _voter_of_each_entry(joined, votes)
    points = None
    utils = None
    if ballot_type.has_points:
        # Plain ASCII integers only; decimals and anything odd go to the strict reader.
        points = columns[2]
        text = ",".join(points)
        if not (text.isascii() and text.replace(",", "").isdigit()):
            return None
        numbers = text.split(",")
        counts = np.fromiter(map(str.count, points, repeat(",")), np.int64, len(points)) + 1
        lengths = np.bincount(voter, minlength=len(votes))
        if len(numbers) != len(flat) or "" in numbers or not np.array_equal(counts, lengths):
            return None
        if max(map(len, numbers)) > 18:  # beyond int64: Python ints, in the strict reader
            return None
        utils = np.fromiter(map(int, numbers), np.int64, len(numbers))
    # Supporters of each project in voter order; a voter twice in a row there named the
    # project twice on its ballot.
    # A stable sort of 16-bit keys is a radix sort in numpy: several times faster.
    keys = flat.astype(np.int16) if len(projects) < 2**15 else flat
    order = np.argsort(keys, kind="stable")
    by_project, projects_sorted = voter[order], flat[order]
    if np.any((by_project[1:] == by_project[:-1]) & (projects_sorted[1:] == projects_sorted[:-1])):
        return None
    voters = Ballots(ids, votes, points, columns[skip] if width > skip else None)
    rows.skip_to_end()
    return voters, BallotIndex.of(voters, len(projects), by_project, projects_sorted, utils, order)


def _voter_of_each_entry(joined: str, votes: tuple[str, ...]) -> Any:
    """The voter of each ballot entry, the ballots being ``joined`` by ``;`` (their entries
    by ``,``): entry ``k`` belongs to the voter after as many ``;`` as precede it."""
    if joined.isascii():
        raw = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
        separators = raw[(raw == ord(",")) | (raw == ord(";"))]
        voter = np.zeros(len(separators) + 1, dtype=np.int64)
        np.cumsum(separators == ord(";"), out=voter[1:])
        return voter
    lengths = np.fromiter(map(str.count, votes, repeat(",")), np.int64, len(votes)) + 1
    return np.repeat(np.arange(len(votes), dtype=np.int64), lengths)


_DIGITS_AND_COMMAS = re.compile(r"[0-9,]*")
_LEADING_ZERO = re.compile(r",0[0-9]")
_TABLE_UP_TO = 10_000_000
"""Project ids up to this are looked up in a table indexed by the id itself."""


def _project_indices(joined: str, projects: list[Project]) -> Any:
    """The index of each project named in ``joined`` (the votes joined by ``,``), or None if
    one is not a project.

    When every project id is a plain integer (canonical decimal, at most
    :data:`_TABLE_UP_TO`) and the text holds only digits and commas, with no empty token and
    no leading zero, numpy reads all the tokens at once and a table indexed by id maps them;
    a token past the largest id (however long) is not a project. Otherwise one dictionary
    lookup per token.
    """
    ids = [p.id for p in projects]
    count = joined.count(",") + 1
    if (
        ids
        and all(map(_plain_integer, ids))
        and _DIGITS_AND_COMMAS.fullmatch(joined)
        and ",," not in joined
        and not joined.startswith(",")
        and not joined.endswith(",")
        and _LEADING_ZERO.search("," + joined) is None
    ):
        values = np.fromstring(joined, dtype=np.int64, sep=",")
        keys = np.array(list(map(int, ids)), dtype=np.int64)
        if len(values) != count or int(keys.max()) > _TABLE_UP_TO:
            return _indices_by_lookup(joined, ids, count)
        if int(values.max()) > keys.max():
            return None
        table = np.full(int(keys.max()) + 1, -1, dtype=np.int64)
        table[keys] = np.arange(len(keys))
        flat = table[values]
        return None if (flat < 0).any() else flat
    return _indices_by_lookup(joined, ids, count)


def _indices_by_lookup(joined: str, ids: list[str], count: int) -> Any:
    index = {pid: k for k, pid in enumerate(ids)}
    try:
        return np.fromiter(map(index.__getitem__, joined.split(",")), np.int64, count)
    except KeyError:
        return None


def _plain_integer(text: str) -> bool:
    return (
        text.isascii()
        and text.isdigit()
        and len(text) <= 8
        and (text == "0" or not text.startswith("0"))
    )


def _read_votes(
    rows: _Rows, header: list[str], ballot_type: BallotType, project_ids: set[str]
) -> tuple[tuple[Voter, ...], tuple[str, ...]]:
    voters: list[Voter] = []
    seen: set[str] = set()
    skip = _fixed_width(ballot_type)
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


def write_pabulib(election: Election, path: str | Path) -> None:
    """Write an election as a ``.pb`` file that :func:`read_pabulib` reads back equal."""
    Path(path).write_text(format_pabulib(election), encoding="utf-8")


def format_pabulib(election: Election) -> str:
    """Return the text of the ``.pb`` file for an election."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = dict(election.meta)
    meta["budget"] = format_number(election.budget)
    meta["vote_type"] = election.ballot_type.value
    # Counts are rewritten when the file had them, so they cannot go stale.
    if "num_projects" in meta:
        meta["num_projects"] = str(len(election.projects))
    if "num_votes" in meta:
        meta["num_votes"] = str(len(election.voters))
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(meta.items())
    writer.writerow(["PROJECTS"])
    writer.writerow(election.project_columns)
    others = election.project_columns[2:]
    for p in election.projects:
        writer.writerow([p.id, format_number(p.cost), *(p.fields.get(k, "") for k in others)])
    writer.writerow(["VOTES"])
    points = election.ballot_type.has_points
    fixed = ["voter_id", "vote", "points"] if points else ["voter_id", "vote"]
    writer.writerow([*fixed, *election.voter_columns])
    for v in election.voters:
        row = [v.id, ",".join(v.items)]
        if points:
            row.append(",".join(format_number(x) for x in v.points or ()))
        writer.writerow([*row, *v.extra])
    return out.getvalue()
