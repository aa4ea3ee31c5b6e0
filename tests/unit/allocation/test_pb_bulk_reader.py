"""The column-wise VOTES reader (what ``parse_pabulib`` does by default) against the strict
line-by-line reader (``fast=False``): on any text both return equal elections, with equal
supporters and utilities for the rules, or both raise the same sentence naming the same line.
The column-wise reader is also shown to be the one that actually ran on the real files."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from allocation_support import PABULIB_DIR, need_pabulib
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pb_fuzz import VALID, mutated

from roadmap.allocation.election import Ballots, Election
from roadmap.allocation.pabulib import PabulibFormatError, parse_pabulib
from roadmap.allocation.prepared import prepare


def _read(text: str, fast: bool) -> Election | str:
    try:
        return parse_pabulib(text, fast=fast)
    except PabulibFormatError as exc:
        return str(exc)


def _assert_same(text: str) -> Election | str:
    """Both readers agree on ``text``; return what the default reader gave."""
    fast, strict = _read(text, True), _read(text, False)
    if isinstance(strict, str) or isinstance(fast, str):
        assert fast == strict
        return fast
    assert fast == strict
    assert list(fast.voters) == list(strict.voters)
    assert [type(x) for v in fast.voters for x in v.points or ()] == [
        type(x) for v in strict.voters for x in v.points or ()
    ]
    a, b = prepare(fast), prepare(strict)
    assert a.voter_ids == b.voter_ids
    assert a.utility == b.utility
    assert len(a.supporters) == len(b.supporters)
    for got, want in zip(a.supporters, b.supporters, strict=True):
        assert np.array_equal(got, want)
    return fast


@settings(max_examples=500, deadline=None)
@given(mutated())
def test_on_mutated_files_both_readers_give_the_same_election_or_the_same_error(
    text: str,
) -> None:
    _assert_same(text)


HEAD = "META\nkey;value\nbudget;100\nvote_type;{kind}\nPROJECTS\nproject_id;cost\n{projects}\n"


def _file(votes: str, projects: str = "1;40\n2;60\n10;30", kind: str = "approval") -> str:
    header = "voter_id;vote;points" if kind == "cumulative" else "voter_id;vote"
    return HEAD.format(kind=kind, projects=projects) + f"VOTES\n{header}\n{votes}\n"


# (file, whether the column-wise reader keeps it, what to check)
CASES = {
    "integer ids, table lookup": (_file("a;1,2\nb;10\nc;2"), True),
    "text ids, dictionary lookup": (_file("a;x,y\nb;y", "x;4\ny;6"), True),
    "non-ASCII ids": (_file("a;é,y\nb;y\nc;é", "é;4\ny;6"), True),
    "extra columns kept": (
        HEAD.format(kind="approval", projects="1;4\n2;6")
        + "VOTES\nvoter_id;vote;age;district\na;1;30;North\nb;2,1;41;South Side\n",
        True,
    ),
    "integer points with a zero": (_file("a;1,2;5,0\nb;10;7", kind="cumulative"), True),
    "leading zero is another project": (_file("a;01,2"), False),
    "id past every project": (_file("a;1,99999999999999999999"), False),
    "project twice on a ballot": (_file("a;2,1,2"), False),
    "empty ballot": (_file("a;\nb;1"), False),
    "space in a vote": (_file("a;1, 2"), False),
    "space in a voter id": (_file(" a;1"), False),
    "empty voter id": (_file(";1\nb;2"), False),
    "voter twice": (_file("a;1\na;2"), False),
    "wrong field count": (_file("a;1;x"), False),
    "quoted field": (_file('"a";1'), False),
    "blank line inside VOTES": (_file("a;1\n\nb;2"), False),
    "decimal points": (_file("a;1;1.5", kind="cumulative"), False),
    "huge points": (_file("a;1;123456789012345678901234", kind="cumulative"), False),
    "points count off": (_file("a;1,2;5", kind="cumulative"), False),
    "project id 0": (_file("a;0,1", "0;5\n1;5"), True),
    "long integer project ids": (_file("a;123456789012", "123456789012;5"), True),
    "empty token": (_file("a;1,,2"), False),
    "section after VOTES": (_file("a;1") + "META\n", False),
    "CRLF line endings": (_file("a;1,2\nb;10").replace("\n", "\r\n"), True),
    "CRLF with extra columns": (
        (
            HEAD.format(kind="approval", projects="1;4\n2;6")
            + "VOTES\nvoter_id;vote;age\na;1;30\nb;2,1;41\n"
        ).replace("\n", "\r\n"),
        True,
    ),
    "lone CR inside VOTES": (_file("a;1\rb;2"), False),
    "lone CR in an extra column": (
        HEAD.format(kind="approval", projects="1;4\n2;6")
        + "VOTES\nvoter_id;vote;age\na;1;3\r0\nb;2,1;41\n",
        False,
    ),
    "vertical tab inside VOTES": (_file("a;1\x0bb;2"), False),
    "vertical tab in an extra column": (
        HEAD.format(kind="approval", projects="1;4\n2;6")
        + "VOTES\nvoter_id;vote;age\na;1;3\x0b0\nb;2,1;41\n",
        False,
    ),
    "line separator in an extra column": (
        HEAD.format(kind="approval", projects="1;4\n2;6")
        + "VOTES\nvoter_id;vote;age\na;1;3\u20280\nb;2,1;41\n",
        False,
    ),
    "blank lines at the end": (_file("a;1\nb;2") + "\n\n\r\n", True),
    "no line break at the end": (_file("a;1\nb;2").rstrip("\n"), True),
    "ids longer than 8 bytes": (_file("a;long-name-1\nb;x", "long-name-1;4\nx;6"), True),
    "token longer than every id": (_file("a;1,100"), False),
    "token an id behind a digit": (_file("a;110"), False),
    "token an id's suffix": (_file("a;0", "10;4\n20;6"), False),
    "token an id's prefix": (_file("a;x", "xy;4\nz;6"), False),
    "ids of mixed lengths": (_file("a;7,17,117\nb;117", "7;1\n17;1\n117;1"), True),
    "a META line reading VOTES": (
        "META\nkey;value\nVOTES\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n"
        "1;4\nVOTES\nvoter_id;vote\na;1\n",
        False,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_edge_cases_agree_and_the_column_reader_keeps_what_it_can(name: str) -> None:
    text, kept = CASES[name]
    result = _assert_same(text)
    if isinstance(result, Election):
        # The column-wise reader either produced the election or handed the section over.
        assert (result.index_of_ballots() is not None) == kept, result.voters
    else:
        assert not kept, result


_ID_CHARS = st.sampled_from(list("0123456789abxyé-\x00"))


@st.composite
def _random_ids_file(draw: st.DrawFn) -> str:
    """Random project ids (1 to 10 characters, some non-ASCII or NUL, so some over 8 bytes)
    and ballots naming them, or near misses of them (a prefix, a suffix, another id)."""
    ids = draw(st.lists(st.text(_ID_CHARS, min_size=1, max_size=10), min_size=1, max_size=6))
    ids = [i for i in dict.fromkeys(ids) if i.strip() == i and ";" not in i]
    if not ids:
        ids = ["1"]
    tokens = st.sampled_from(ids) | st.sampled_from(ids).map(lambda i: i[1:] or i + "0")
    tokens |= st.sampled_from(ids).map(lambda i: "0" + i) | st.text(_ID_CHARS, max_size=3)
    ballots = draw(st.lists(st.lists(tokens, min_size=1, max_size=4), min_size=1, max_size=5))
    votes = "\n".join(f"v{k};{','.join(b)}" for k, b in enumerate(ballots))
    return _file(votes, "\n".join(f"{i};5" for i in ids))


@settings(max_examples=300, deadline=None)
@given(_random_ids_file(), st.booleans())
def test_on_random_project_ids_both_readers_agree(text: str, crlf: bool) -> None:
    _assert_same(text.replace("\n", "\r\n") if crlf else text)


@settings(max_examples=200, deadline=None)
@given(mutated())
def test_on_mutated_files_with_crlf_line_endings_both_readers_agree(text: str) -> None:
    _assert_same(text.replace("\n", "\r\n"))


def test_the_valid_fuzz_seeds_are_read_column_wise() -> None:
    for text in VALID.values():
        election = _assert_same(text)
        assert isinstance(election, Election)
        assert election.index_of_ballots() is not None


def test_every_real_file_is_read_column_wise_and_equals_the_strict_reading() -> None:
    need_pabulib()
    for path in sorted(PABULIB_DIR.glob("*.pb")):
        text = path.read_text(encoding="utf-8-sig")
        election = _assert_same(text)
        assert isinstance(election, Election), (path.name, election)
        assert isinstance(election.voters, Ballots), path.name
        assert election.index_of_ballots() is not None, path.name


def test_ballots_behave_as_the_tuple_of_the_same_voters() -> None:
    election = parse_pabulib(VALID["cumulative"])
    ballots = election.voters
    assert isinstance(ballots, Ballots)
    voters = tuple(parse_pabulib(VALID["cumulative"], fast=False).voters)
    assert len(ballots) == len(voters)
    assert ballots[0] == voters[0] and ballots[-1:] == voters[-1:]
    assert ballots == voters and voters == ballots and hash(ballots) == hash(voters)
    assert ballots != voters[:1]
    assert ballots[0].points == (6, 4) and ballots[0].items == ("a", "b")


def test_replacing_the_voters_drops_the_reader_index() -> None:
    election = parse_pabulib(VALID["approval"])
    assert election.index_of_ballots() is not None
    changed = dataclasses.replace(election, voters=tuple(election.voters)[:2])
    assert changed.index_of_ballots() is None
    prep = prepare(changed)
    assert prep.voter_ids == ["1", "2"]
    assert [s.tolist() for s in prep.supporters] == [[0], [0, 1], [1]]
