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
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from roadmap.allocation.election import (
    BallotFields,
    BallotIndex,
    Ballots,
    BallotType,
    Election,
    Number,
    Project,
    Voter,
)
from roadmap.allocation.prepared import concatenated_ranges

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

    With ``fast`` (the default) the VOTES rows are first read column-wise, as one array of
    bytes (:func:`_read_votes_in_bulk`); anything it is unsure of (a quote, a space in an id or
    a vote, a wrong field count, an unknown or repeated project, points that are not plain
    integers, an error before VOTES) sends the whole text to the strict line-by-line reader,
    which names the faulty line or reads the subtleties. Both give equal elections (a property
    test holds them to it); ``fast=False`` forces the strict reader.
    """
    if fast and (election := _parse_fast(text)) is not None:
        return election
    with _gc_paused():
        return _parse_strictly(text)


@contextmanager
def _gc_paused() -> Iterator[None]:
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


def _parse_strictly(text: str) -> Election:
    rows = _Rows(text)
    head = _read_head(rows)
    ballot_type, projects, header = head.ballot_type, head.projects, head.votes_header
    voters, voter_columns = _read_votes(rows, header, ballot_type, {p.id for p in projects})
    return head.election(voters, voter_columns)


class _Head(NamedTuple):
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


def _read_head(rows: _Rows) -> _Head:
    meta, key_lines = _read_meta(rows)
    budget, ballot_type = _budget_and_type(meta, key_lines, rows.last_line)
    projects, project_columns = _read_projects(rows)
    header = _votes_header(rows, ballot_type)
    return _Head(meta, budget, ballot_type, projects, project_columns, header)


_VOTES_START = re.compile(r"^[ \t]*votes[ \t]*\r?\n[^\n]*\n", re.IGNORECASE | re.MULTILINE)
"""The VOTES line and the header after it: where the column-wise reader may take over."""


def _parse_fast(text: str) -> Election | None:
    """The election, or None to leave the whole text to the strict reader.

    The lines up to the VOTES header are read by the strict reader's own functions; the
    VOTES rows after it by :func:`_read_votes_in_bulk`. Any doubt (an error before VOTES, the
    header not where the search found it, a ballot line it is unsure of) gives None, so that
    every error comes from the strict reader, naming the line.
    """
    found = _VOTES_START.search(text)
    if found is None:
        return None
    rows = _Rows(text[: found.end()])
    try:
        head = _read_head(rows)
    except PabulibFormatError:
        return None
    if not rows.at_end():  # the header read was not the last line found
        return None
    header, ballot_type = head.votes_header, head.ballot_type
    bulk = _read_votes_in_bulk(text[found.end() :], header, ballot_type, head.projects)
    if bulk is None:
        return None
    voters, index = bulk
    return head.election(voters, tuple(header[_fixed_width(ballot_type) :]), index)


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


_OTHER_LINE_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
"""Where ``str.splitlines`` (the strict reader) also breaks a line."""


def _read_votes_in_bulk(
    text: str, header: list[str], ballot_type: BallotType, projects: list[Project]
) -> tuple[Ballots, BallotIndex] | None:
    """The VOTES rows (``text``, everything after the header) read column by column, or None
    to leave them to :func:`_read_votes`.

    The text is handled as one array of UTF-8 bytes: numpy finds every line break and ``;``,
    checks each line's field count, and gathers each column's bytes in one go (no Python
    object per line). Every check of the strict reader is here as a test over a whole column,
    and any doubt returns None rather than an error: the strict reader then finds the line to
    name. On the way it builds each project's supporters.
    """
    if '"' in text or any(brk in text for brk in _OTHER_LINE_BREAKS):
        return None  # quoting: the strict reader's csv module; odd line breaks: its splitlines
    # Blank lines at the end are skipped by both readers.
    data = text.encode().rstrip(b"\r\n") + b"\n"
    if data == b"\n":
        return None
    raw = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(raw == ord("\n"))  # each line's break
    line_ends = ends  # where each line's text ends: before a '\r' of '\r\n'
    if b"\r" in data:
        returns = np.flatnonzero(raw == ord("\r"))
        if (raw[returns + 1] != ord("\n")).any():  # a lone '\r' breaks a line for the other
            return None
        line_ends = ends - (raw[ends - 1] == ord("\r"))
    semicolons = np.flatnonzero(raw == ord(";"))
    width = len(header)
    # Every row has exactly the header's fields: width - 1 ';' before its line break, and
    # then the k-th ';' of line i is cut[i, k]. A blank line, or the name of a section, has no
    # ';' at all (the header has at least two fields), so it fails here too.
    per_line = np.diff(np.searchsorted(semicolons, ends), prepend=0)
    if len(semicolons) != len(ends) * (width - 1) or (per_line != width - 1).any():
        return None
    cut = semicolons.reshape(len(ends), width - 1)
    starts = np.concatenate(([0], ends[:-1] + 1))
    skip = _fixed_width(ballot_type)

    def field(k: int) -> tuple[Any, Any]:
        """Where the k-th field of every line begins and ends (exclusive)."""
        return (starts if k == 0 else cut[:, k - 1] + 1), (
            cut[:, k] if k < width - 1 else line_ends
        )

    id_from, id_to = field(0)
    vote_from, vote_to = field(1)
    if (id_to == id_from).any() or (vote_to == vote_from).any():
        return None  # an empty voter id, or an empty ballot (the strict reader's care)
    id_bytes = _gather(raw, id_from, id_to)
    vote_bytes = _gather(raw, vote_from, vote_to)
    if b" " in id_bytes or b" " in vote_bytes:  # the strict reader strips spaces
        return None
    ids = tuple(id_bytes.decode()[:-1].split(";"))
    if len(set(ids)) != len(ids):
        return None
    votes = vote_bytes.decode()
    entries = _Entries(vote_bytes)
    flat = _project_indices(entries, votes, projects)
    if flat is None:
        return None
    voter = entries.voter
    points_text = None
    utils = None
    if ballot_type.has_points:
        # Plain ASCII integers only; decimals and anything odd go to the strict reader.
        points_bytes = _gather(raw, *field(2))
        if not points_bytes.replace(b",", b"").replace(b";", b"").isdigit():
            return None  # bytes.isdigit is ASCII digits only; an empty field fails too
        points_text = points_bytes.decode()
        numbers = points_text[:-1].replace(";", ",").split(",")
        if "" in numbers or max(map(len, numbers)) > 18:  # beyond int64: the strict reader
            return None
        # As many points as projects on each ballot: the same voter for every entry.
        if len(numbers) != len(flat) or not np.array_equal(_Entries(points_bytes).voter, voter):
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
    rest = (raw, field(skip)[0], line_ends) if width > skip else None

    def fields() -> BallotFields:
        return (
            votes[:-1].split(";"),
            points_text[:-1].split(";") if points_text is not None else None,
            _gather(*rest, b"\n").decode()[:-1].split("\n") if rest is not None else None,
        )

    voters = Ballots(ids, fields)
    return voters, BallotIndex.of(voters, len(projects), by_project, projects_sorted, utils, order)


def _gather(raw: Any, begin: Any, end: Any, separator: bytes = b";") -> bytes:
    """The bytes ``raw[begin[i]:end[i]]`` of every line ``i``, each followed by ``separator``
    (written over the byte after the field, which is taken along)."""
    out = raw[concatenated_ranges(begin, end + 1)]
    out[np.cumsum(end - begin + 1) - 1] = ord(separator)
    return out.tobytes()


class _Entries:
    """The entries of a ``vote`` or ``points`` column: each voter's entries joined by ``,``,
    each voter followed by ``;`` (what :func:`_gather` gives)."""

    def __init__(self, column: bytes) -> None:
        self.raw = np.frombuffer(column, dtype=np.uint8)
        self.ends = np.flatnonzero((self.raw == ord(",")) | (self.raw == ord(";")))
        last = self.raw[self.ends] == ord(";")
        self.voter = np.cumsum(last) - last
        """The voter of each entry: the number of ``;`` before the entry's end."""

    def lengths(self) -> Any:
        """How many bytes each entry has."""
        return np.diff(self.ends, prepend=-1) - 1


_TABLE_UP_TO = 1 << 22
"""The largest table of codes :func:`_project_indices` builds (entries of 8 bytes)."""


def _project_indices(entries: _Entries, text: str, projects: list[Project]) -> Any:
    """The index of each project named in the vote column (``entries``, and ``text`` the same
    decoded), or None if one is not a project.

    Each token is read as a number in a mixed radix, one digit per byte position counted from
    its end. At each position the digits are the bytes some project id has there, plus one
    for "the token has ended" if some id has; a token with any other byte there (or ended
    where no id has) is no project. Ids get distinct numbers, and a token the number of an id
    only if it is that id, byte for byte: numpy computes every token's number at once, and a
    table of at most :data:`_TABLE_UP_TO` entries maps numbers to projects. Positions where
    every id has the same byte cost nothing. Ids with too many variants for the table are
    looked up one token at a time in a dictionary.
    """
    ids = [p.id.encode() for p in projects]
    longest = max(map(len, ids), default=0)
    digits = []  # for each position from the end: byte -> digit (-1: none), the radix
    size = 1
    for place in range(longest):
        seen = sorted({pid[-1 - place] for pid in ids if len(pid) > place})
        ended = int(any(len(pid) <= place for pid in ids))  # digit 0: the token has ended
        lut = np.full(256, -1, dtype=np.int64)
        lut[seen] = np.arange(ended, ended + len(seen))
        digits.append((lut, len(seen) + ended, 0 if ended else -1))
        size *= len(seen) + ended
    if not ids or size > _TABLE_UP_TO:
        return _indices_by_lookup(text, [p.id for p in projects], len(entries.ends))
    lengths = entries.lengths()
    if lengths.max() > longest or lengths.min() < 1:
        return None  # a token longer than every id, or empty
    table = np.full(size, -1, dtype=np.int64)
    table[[_code(pid, digits) for pid in ids]] = np.arange(len(ids))
    code = np.zeros(len(lengths), dtype=np.int64)
    ends = entries.ends
    for place, (lut, radix, ended) in enumerate(digits):
        digit = np.where(lengths > place, lut[entries.raw[np.maximum(ends - 1 - place, 0)]], ended)
        if (digit < 0).any():
            return None
        code = code * radix + digit
    flat = table[code]
    return None if (flat < 0).any() else flat


def _code(pid: bytes, digits: list[tuple[Any, int, int]]) -> int:
    """The number of one id in the mixed radix of :func:`_project_indices`."""
    code = 0
    for place, (lut, radix, ended) in enumerate(digits):
        code = code * radix + (int(lut[pid[-1 - place]]) if len(pid) > place else ended)
    return code


def _indices_by_lookup(text: str, ids: list[str], count: int) -> Any:
    index = {pid: k for k, pid in enumerate(ids)}
    try:
        joined = text[:-1].replace(";", ",")
        return np.fromiter(map(index.__getitem__, joined.split(",")), np.int64, count)
    except KeyError:
        return None


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
