"""The column-wise reader of the VOTES rows of pabulib ``.pb`` files (the fast path).

The head of the file is read strictly (:mod:`roadmap.allocation.pabulib.head`); the VOTES rows
as one array of bytes. Any doubt gives None, and the caller then leaves the whole text to
:mod:`roadmap.allocation.pabulib.strict`, which names the faulty line.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from roadmap.allocation.election import (
    BallotFields,
    BallotIndex,
    Ballots,
    BallotType,
    Election,
    Project,
)
from roadmap.allocation.pabulib.head import PabulibFormatError, Rows, fixed_width, read_head
from roadmap.allocation.prepared import concatenated_ranges

_VOTES_START = re.compile(r"^[ \t]*votes[ \t]*\r?\n[^\n]*\n", re.IGNORECASE | re.MULTILINE)
"""The VOTES line and the header after it: where the column-wise reader may take over."""


def parse_fast(text: str) -> Election | None:
    """The election, or None to leave the whole text to the strict reader.

    The lines up to the VOTES header are read as strictly as by the strict reader; the
    VOTES rows after it by :func:`_read_votes_in_bulk`. Any doubt (an error before VOTES, the
    header not where the search found it, a ballot line it is unsure of) gives None, so that
    every error comes from the strict reader, naming the line.
    """
    found = _VOTES_START.search(text)
    if found is None:
        return None
    rows = Rows(text[: found.end()])
    try:
        head = read_head(rows)
    except PabulibFormatError:
        return None
    if not rows.at_end():  # the header read was not the last line found
        return None
    header, ballot_type = head.votes_header, head.ballot_type
    bulk = _read_votes_in_bulk(text[found.end() :], header, ballot_type, head.projects)
    if bulk is None:
        return None
    voters, index = bulk
    return head.election(voters, tuple(header[fixed_width(ballot_type) :]), index)


_OTHER_LINE_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
"""Where ``str.splitlines`` (the strict reader) also breaks a line."""


def _read_votes_in_bulk(
    text: str, header: list[str], ballot_type: BallotType, projects: list[Project]
) -> tuple[Ballots, BallotIndex] | None:
    """The VOTES rows (``text``, everything after the header) read column by column, or None
    to leave them to the strict reader.

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
    skip = fixed_width(ballot_type)

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
