"""The `roadmap pb` command: JSON output, readable table, and one-sentence errors (exit 2)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from roadmap.allocation import pb_command, read_pabulib

REPO = Path(__file__).resolve().parents[3]


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    pb_command.add_arguments(parser)
    return pb_command.run(parser.parse_args(argv))


def test_json_lists_selected_ids_in_file_order_with_spent_and_budget(
    pabulib_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = pabulib_dir / "Netherlands_Assen_2024.pb"
    assert _run([str(path), "--rule", "equal-shares-add1", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"selected", "spent", "budget"}
    election = read_pabulib(path)
    order = [p.id for p in election.projects]
    assert document["selected"] == [p for p in order if p in set(document["selected"])]
    official = {p.id for p in election.projects if p.fields.get("selected") == "1"}
    assert set(document["selected"]) == official
    costs = {p.id: p.cost for p in election.projects}
    assert document["spent"] == sum(costs[p] for p in document["selected"])
    assert document["budget"] == 100000


def test_table_explains_funded_and_unfunded_items(
    pabulib_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run([str(pabulib_dir / "Netherlands_Assen_2024.pb"), "--rule", "greedy"]) == 0
    out = capsys.readouterr().out
    assert "funded item" in out and "not funded" in out and "no budget left" in out


def test_rule_not_applicable_prints_one_sentence_and_returns_2(
    pabulib_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run([str(pabulib_dir / "Switzerland_Zurich_D10.pb"), "--rule", "phragmen"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.count("\n") == 1 and "approval" in captured.err


def test_malformed_file_prints_the_line_and_returns_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.pb"
    bad.write_text("META\nkey;value\nbudget;x\nvote_type;approval\n", encoding="utf-8")
    assert _run([str(bad), "--json"]) == 2
    err = capsys.readouterr().err
    assert "line 3" in err and err.count("\n") == 1


@pytest.mark.parametrize(("encoding", "line"), [("utf-16", 1), ("utf-16-le", 1), ("latin-1", 5)])
def test_a_file_not_in_utf8_is_a_format_error_naming_its_line_and_returns_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str, line: int
) -> None:
    text = (
        "META\nkey;value\nbudget;10\nvote_type;approval\ndescription;Łódź café\n"
        "PROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\n1;1\n"
    )
    bad = tmp_path / "other.pb"
    bad.write_bytes(text.encode(encoding, errors="replace"))
    assert _run([str(bad), "--json"]) == 2
    err = capsys.readouterr().err
    assert "is not a valid pabulib file" in err and f"line {line}:" in err
    assert "not UTF-8" in err and err.count("\n") == 1


def test_missing_file_returns_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run([str(tmp_path / "none.pb")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_module_entry_point_runs_as_a_process(pabulib_dir: Path) -> None:
    path = pabulib_dir / "Poland_Swiecie_2023.pb"
    done = subprocess.run(
        [sys.executable, "-m", "roadmap.allocation.pb_command", str(path), "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    assert json.loads(done.stdout)["budget"] == 1070000


def _console(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed ``roadmap`` console script, in a process of its own, its output buffered
    as a user's would be (this machine sets PYTHONUNBUFFERED)."""
    script = Path(sys.executable).with_name("roadmap")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run([str(script), *args], capture_output=True, text=True, cwd=REPO, env=env)


@pytest.mark.parametrize("rule", ["equal-shares", "greedy"])
@pytest.mark.parametrize("as_json", [True, False])
def test_the_console_script_prints_all_of_what_run_prints_and_exits_0(
    pabulib_dir: Path, capsys: pytest.CaptureFixture[str], rule: str, as_json: bool
) -> None:
    """`roadmap pb` ends its process without the interpreter's teardown (os._exit): the output
    must still be complete, flushed before the exit."""
    argv = [str(pabulib_dir / "Poland_Warszawa_2026.pb"), "--rule", rule]
    argv += ["--json"] if as_json else []
    assert _run(argv) == 0
    expected = capsys.readouterr().out
    done = _console("pb", *argv)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == expected and len(expected) > 40


def test_the_console_script_says_why_a_file_is_malformed_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pb"
    bad.write_text("META\nkey;value\nbudget;x\nvote_type;approval\n", encoding="utf-8")
    done = _console("pb", str(bad), "--json")
    assert done.returncode == 2 and done.stdout == ""
    assert "line 3" in done.stderr and done.stderr.count("\n") == 1


def test_what_would_fund_gives_each_project_not_selected_its_largest_cost(
    pabulib_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dataclasses import replace

    from roadmap.allocation import Project, allocate

    path = pabulib_dir / "Netherlands_Assen_2024.pb"
    assert _run([str(path), "--rule", "equal-shares", "--json", "--what-would-fund"]) == 0
    document = json.loads(capsys.readouterr().out)
    election = read_pabulib(path)
    ids = [p.id for p in election.projects]
    unselected = [p for p in ids if p not in set(document["selected"])]
    assert list(document["what_would_fund"]) == unselected  # file order
    for project in election.projects:
        if project.id not in unselected:
            continue
        cost = document["what_would_fund"][project.id]["max_cost"]

        def funded_at(c: int, pid: str = project.id) -> bool:
            projects = tuple(Project(p.id, c) if p.id == pid else p for p in election.projects)
            changed = replace(election, projects=projects)
            return pid in allocate(changed, "equal-shares", explain=False).selected

        if cost is not None:
            assert isinstance(cost, int) and 1 <= cost < project.cost and funded_at(cost)
        assert (cost or 0) + 1 >= project.cost or not funded_at((cost or 0) + 1)


def test_what_would_fund_in_the_table(
    pabulib_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = pabulib_dir / "Netherlands_Assen_2024.pb"
    assert _run([str(path), "--rule", "greedy", "--what-would-fund"]) == 0
    assert "funded at a cost of at most" in capsys.readouterr().out


def test_what_would_fund_with_add1_tries_every_cost_and_says_when_too_many(
    tmp_path: Path, pabulib_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """add1 is not monotone in cost (p0 is funded at 10, not at 9 or 11): every cost is tried,
    within pb_command.MAX_SCAN per project; beyond it, one sentence and exit 2."""
    from roadmap.allocation import BallotType, Election, Project, Voter, write_pabulib

    projects = (Project("p0", 11), Project("p1", 1), Project("p2", 1), Project("p3", 6))
    voters = (Voter("v0", ("p0",)), Voter("v1", ("p3",)), Voter("v2", ("p0", "p1", "p3")))
    meta = {"budget": "10", "vote_type": "approval"}
    path = tmp_path / "small.pb"
    write_pabulib(Election(10, BallotType.APPROVAL, projects, voters, meta), path)
    assert _run([str(path), "--rule", "equal-shares-add1", "--json", "--what-would-fund"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["what_would_fund"]["p0"] == {"max_cost": 10}
    assen = str(pabulib_dir / "Netherlands_Assen_2024.pb")
    assert _run([assen, "--rule", "equal-shares-add1", "--json", "--what-would-fund"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "every cost" in captured.err
