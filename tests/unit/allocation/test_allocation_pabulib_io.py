"""Reading and writing .pb files: real files round-trip, agree with pabutools' parser, and
malformed files name the faulty line."""

from __future__ import annotations

from pathlib import Path

import pytest
from allocation_support import as_pabutools, need_pabulib, pabulib_files

from roadmap.allocation import (
    BallotType,
    PabulibFormatError,
    format_pabulib,
    parse_pabulib,
    read_pabulib,
    write_pabulib,
)
from roadmap.allocation.pabulib import format_number, parse_number


def test_pabulib_folder_is_present_or_skipped_visibly() -> None:
    need_pabulib()
    assert pabulib_files(), "the pabulib folder has no .pb file"


@pytest.mark.parametrize("path", pabulib_files(), ids=lambda p: p.name)
def test_every_real_file_round_trips_read_write_read(path: Path, tmp_path: Path) -> None:
    election = read_pabulib(path)
    out = tmp_path / path.name
    write_pabulib(election, out)
    assert read_pabulib(out) == election


@pytest.mark.parametrize("path", pabulib_files(1_000_000), ids=lambda p: p.name)
def test_small_real_files_parse_like_pabutools(path: Path) -> None:
    from pabutools.election import parse_pabulib as pabutools_parse

    ours = read_pabulib(path)
    instance, profile = pabutools_parse(str(path))
    assert {p.name: p.cost for p in instance} == {p.id: p.cost for p in ours.projects}
    assert instance.budget_limit == ours.budget
    assert profile.num_ballots() == len(ours.voters)
    theirs = sorted(sorted(p.name for p in ballot) for ballot in profile)
    assert theirs == sorted(sorted(v.items) for v in ours.voters)


def test_points_ballots_keep_points_and_cumulative_type(pabulib_dir: Path) -> None:
    election = read_pabulib(pabulib_dir / "pabutools_tests_poland_czestochowa_2020_grabowka.pb")
    assert election.ballot_type is BallotType.CUMULATIVE
    first = election.voters[0]
    assert first.items == ("196", "198") and first.points == (6, 4)


def test_numbers_are_exact_and_round_trip() -> None:
    for text in ["0", "12", "12.5", "0.125", "7,25"]:
        value = parse_number(text)
        assert parse_number(format_number(value)) == value
    assert parse_number("12.5").denominator == 2


def _file(projects: str = "1;10\n2;20", votes: str = "v1;1,2\nv2;2") -> str:
    return (
        "META\nkey;value\nbudget;25\nvote_type;approval\n"
        f"PROJECTS\nproject_id;cost\n{projects}\nVOTES\nvoter_id;vote\n{votes}\n"
    )


def test_a_well_formed_small_file_parses() -> None:
    election = parse_pabulib(_file())
    assert [p.id for p in election.projects] == ["1", "2"]
    assert election.voters[0].items == ("1", "2")
    assert parse_pabulib(format_pabulib(election)) == election


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (_file(projects="1;ten\n2;20"), 7, "cost 'ten' is not a number"),
        (_file(projects="1;10\n1;20"), 8, "appears twice"),
        (_file(projects="1;-5\n2;20"), 7, "negative"),
        (_file(votes="v1;1,3\nv2;2"), 11, "unknown project '3'"),
        (_file(votes="v1;1,1\nv2;2"), 11, "names a project twice"),
        (_file(votes="v1;1\nv1;2"), 12, "appears twice"),
        (_file(votes="v1;1;extra\nv2;2"), 11, "3 fields"),
        (_file().replace("budget;25", "budget;lots"), 3, "budget 'lots' is not a number"),
        (_file().replace("vote_type;approval", "vote_type;dance"), 4, "unknown vote_type"),
        (_file().replace("vote_type;approval\n", ""), 3, "no 'vote_type'"),
        (_file().replace("PROJECTS\n", ""), 8, "expected the PROJECTS section, found 'VOTES'"),
        ("META\nkey;value\nbudget;1\nvote_type;approval\n", 5, "unexpected end of file"),
    ],
)
def test_malformed_file_error_names_the_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(PabulibFormatError) as caught:
        parse_pabulib(text)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"line {line}:")
    assert fragment in str(caught.value)


def test_points_count_must_match_the_vote() -> None:
    text = (
        "META\nkey;value\nbudget;25\nvote_type;cumulative\nPROJECTS\nproject_id;cost\n1;10\n2;5\n"
        "VOTES\nvoter_id;vote;points\nv1;1,2;3\n"
    )
    with pytest.raises(PabulibFormatError, match=r"^line 11: 1 points for 2 voted projects"):
        parse_pabulib(text)


def test_format_error_is_a_value_error() -> None:
    assert issubclass(PabulibFormatError, ValueError)


def test_written_file_parses_in_pabutools_with_the_same_ballots() -> None:
    election = parse_pabulib(_file())
    instance, profile = as_pabutools(election)
    assert sorted(sorted(p.name for p in b) for b in profile) == [["1", "2"], ["2"]]
    assert instance.budget_limit == 25
