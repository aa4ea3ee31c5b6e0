"""What both readers of a pabulib ``.pb`` file share: the format error, exact decimal numbers,
the rows of a file with their line numbers, and the head of a file (META, PROJECTS and the
VOTES header), read line by line and strictly.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import NamedTuple

from roadmap.allocation.election import (
    BallotIndex,
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


class Head(NamedTuple):
    """What a file says before its voters: META, PROJECTS and the VOTES header."""

    meta: dict[str, str]
    budget: Number
    ballot_type: BallotType
    projects: list[Project]
    project_columns: tuple[str, ...]
    votes_header: list[str]

    def election(
        self,
        voters: Sequence[Voter],
        voter_columns: tuple[str, ...],
        index: BallotIndex | None = None,
    ) -> Election:
        return Election(
            budget=self.budget,
            ballot_type=self.ballot_type,
            projects=tuple(self.projects),
            voters=voters,
            meta=self.meta,
            project_columns=self.project_columns,
            voter_columns=voter_columns,
            ballot_index=index,
        )


def read_head(rows: Rows) -> Head:
    """META, PROJECTS and the VOTES header, strictly: errors name the line."""
    meta, key_lines = _read_meta(rows)
    budget, ballot_type = _budget_and_type(meta, key_lines, rows.last_line)
    projects, project_columns = _read_projects(rows)
    header = _votes_header(rows, ballot_type)
    return Head(meta, budget, ballot_type, projects, project_columns, header)


class Rows:
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

    def at_end(self) -> bool:
        """Whether every line has been read."""
        return self._index >= len(self._lines)

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


def _section_header(rows: Rows, name: str) -> tuple[int, list[str]]:
    line, row = rows.take()
    if row[0].strip().lower() != name or len(row) != 1:
        raise PabulibFormatError(line, f"expected the {name.upper()} section, found {row[0]!r}")
    line, header = rows.take()
    header = [h.strip() for h in header]
    if len(set(header)) != len(header):
        raise PabulibFormatError(line, f"repeated column in the {name.upper()} header")
    return line, header


def _section_rows(rows: Rows, width: int, name: str) -> Iterator[tuple[int, list[str]]]:
    for line, row in rows.rest_of_section():
        if len(row) != width:
            raise PabulibFormatError(
                line, f"{name} row has {len(row)} fields, the header has {width}"
            )
        yield line, row


def _read_meta(rows: Rows) -> tuple[dict[str, str], dict[str, int]]:
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


def _read_projects(rows: Rows) -> tuple[list[Project], tuple[str, ...]]:
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


def fixed_width(ballot_type: BallotType) -> int:
    """How many VOTES columns every file has: ``voter_id;vote``, and ``points`` if scored."""
    return 3 if ballot_type.has_points else 2


def _votes_header(rows: Rows, ballot_type: BallotType) -> list[str]:
    line, header = _section_header(rows, "votes")
    fixed = ["voter_id", "vote", "points"][: fixed_width(ballot_type)]
    if header[: len(fixed)] != fixed:
        raise PabulibFormatError(line, f"the VOTES header must start with {';'.join(fixed)!r}")
    return header
