"""The ``.pb`` reader under fuzzing: whatever text it is given, it either returns an election
or raises its typed :class:`PabulibFormatError` naming a line, never anything else; and
``roadmap pb`` answers a malformed file with that sentence and exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadmap.allocation import pb_command
from roadmap.allocation.pabulib import PabulibFormatError, parse_pabulib, read_pabulib

VALID = {
    "approval": """META
key;value
num_projects;3
num_votes;3
budget;100
vote_type;approval
PROJECTS
project_id;cost;name
1;40;Park
2;60;Library
3;30;Bench
VOTES
voter_id;vote
1;1,2
2;2,3
3;1
""",
    "cumulative": """META
key;value
budget;100
vote_type;cumulative
max_sum_points;10
PROJECTS
project_id;cost
a;50
b;70
VOTES
voter_id;vote;points
v1;a,b;6,4
v2;b;10
""",
    "ordinal": """META
key;value
budget;10
vote_type;ordinal
PROJECTS
project_id;cost
x;5
y;5
z;5
VOTES
voter_id;vote
1;z,x,y
2;y
""",
}
PIECES = [
    ";",
    ",",
    "\n",
    "\r\n",
    '"',
    "META",
    "PROJECTS",
    "VOTES",
    "key;value",
    "budget",
    "-1",
    "0",
    "1e9",
    "1,5",
    "vote_type",
    "points",
    "approval",
    "\ufeff",
    "\x00",
    "é",
    " ",
]


def _check(text: str) -> None:
    try:
        parse_pabulib(text)
    except PabulibFormatError as exc:
        assert str(exc).startswith(f"line {exc.line}: ") and exc.problem


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A valid file with a few lines deleted, duplicated or edited, or pieces spliced in."""
    text = VALID[draw(st.sampled_from(sorted(VALID)))]
    rows = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(rows) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "splice", "truncate", "swap"]))
        if action == "delete" and len(rows) > 1:
            del rows[at]
        elif action == "duplicate":
            rows.insert(at, rows[at])
        elif action == "splice":
            row = rows[at]
            cut = draw(st.integers(0, len(row)))
            piece = draw(st.sampled_from(PIECES) | st.text(max_size=5))
            rows[at] = row[:cut] + piece + row[cut:]
        elif action == "truncate":
            rows[at] = rows[at][: draw(st.integers(0, len(rows[at])))]
        else:
            other = draw(st.integers(0, len(rows) - 1))
            rows[at], rows[other] = rows[other], rows[at]
    return "\n".join(rows)


@settings(max_examples=400, deadline=None)
@given(mutated())
def test_a_mutated_file_parses_or_raises_the_typed_error(text: str) -> None:
    _check(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=60).map("".join))
def test_arbitrary_text_parses_or_raises_the_typed_error(text: str) -> None:
    _check(text)


def test_the_unmutated_files_parse() -> None:
    for text in VALID.values():
        assert parse_pabulib(text).projects


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=mutated())
def test_roadmap_pb_answers_a_malformed_file_with_a_sentence_and_status_2(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fuzz.pb"
    path.write_text(text, encoding="utf-8")
    try:
        read_pabulib(path)  # what the command reads: a leading BOM is not part of the text
        malformed = None
    except PabulibFormatError as exc:
        malformed = exc
    capsys.readouterr()
    status = pb_command.main([str(path), "--rule", "greedy", "--json"])
    out, err = capsys.readouterr()
    if malformed is not None:
        assert status == 2
        assert str(malformed) in err
        assert out == ""
    else:
        assert status in (0, 2), err
