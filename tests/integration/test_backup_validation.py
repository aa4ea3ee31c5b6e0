"""A backup is validated before anything is restored (issue 14, "Backups are validated"):
every row through its table's record, nesting and size bounded before parsing, numbers that
are not finite refused, strict JSON written. Each probe of the issue is refused with a
sentence naming the table, the row and the field, nothing is written, and ``roadmap import``
and ``roadmap export`` answer a bad file with that sentence and exit status 2, on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from support import backup_0005, dump

from roadmap import cli
from roadmap.domain.access import Actor
from roadmap.domain.backup import MAX_DEPTH
from roadmap.domain.errors import ValidationError
from roadmap.services import backup
from roadmap.services.context import Context

SYSTEM = Actor.system()
BACKUP = Path(__file__).resolve().parents[1] / "fixtures" / "backup_0005_two_plans.json"
# The fixture as the current schema reads it (later migrations add nullable columns).
SOURCE = backup.dumps(backup_0005(BACKUP))
STATUSES = (
    "'draft', 'proposed', 'in_comment', 'in_scope', 'out_of_scope', 'deferred', 'planned', "
    "'in_progress', 'done' or 'withdrawn'"
)
ROLES = "'admin', 'executive', 'lead', 'representative', 'staff' or 'member'"
DEEP = f"nests arrays and objects more than {MAX_DEPTH} deep; a roadmap backup never does."


def _source() -> dict[str, Any]:
    return json.loads(SOURCE)


def _nested(depth: int) -> list[Any]:
    """``depth`` arrays inside one another, built without recursion."""
    outer: list[Any] = []
    inner = outer
    for _ in range(depth - 1):
        inner.append([])
        inner = inner[0]
    return outer


def _set(table: str, column: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["tables"][table][0][column] = value

    return change


def _low_above_high(doc: dict[str, Any]) -> None:
    doc["tables"]["items"][0].update(effort_low=10.0, effort_high=2.0)


# The probe's values, as the parsed document a caller hands to import_backup.
PROBES: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "unknown status": (
        _set("items", "status", "approved"),
        f"In the backup, items row id=1, field status: The status must be one of: {STATUSES}.",
    ),
    "negative effort": (
        _set("items", "effort_low", -3.0),
        "In the backup, items row id=1, field effort_low: The effort estimate (low) must be "
        "greater than 0.0.",
    ),
    "low above high": (
        _low_above_high,
        # The check sits on the later field (so a form shows it with the others): it is named.
        "In the backup, items row id=1, field effort_high: The effort estimate (high) must be "
        "at least the effort estimate (low).",
    ),
    "role superadmin": (
        _set("role_grants", "role", "superadmin"),
        f"In the backup, role_grants row id=1, field role: The role must be one of: {ROLES}.",
    ),
    "1e400 (parsed: inf)": (
        _set("items", "effort_high", json.loads("1e400")),
        "In the backup, items row id=1, field effort_high: The number inf is not finite: a "
        "backup holds finite numbers only.",
    ),
    "NaN": (
        _set("organizations", "annual_commitment", float("nan")),
        "In the backup, organizations row id=1, field annual_commitment: The number nan is not "
        "finite: a backup holds finite numbers only.",
    ),
    "100,000 nested arrays": (
        _set("audit_events", "after", {"x": _nested(100_000)}),
        f"In the backup, audit_events row id=1, field after: It {DEEP}",
    ),
}


@pytest.mark.parametrize("probe", sorted(PROBES))
def test_each_probe_value_is_refused_naming_table_row_and_field_and_nothing_is_written(
    ctx: Context, probe: str
) -> None:
    change, sentence = PROBES[probe]
    doc = _source()
    change(doc)
    empty = dump(ctx.engine)
    with pytest.raises(ValidationError) as refused:
        backup.import_backup(ctx, SYSTEM, doc)
    assert str(refused.value) == sentence + " Nothing was imported."
    assert dump(ctx.engine) == empty


def test_a_value_of_a_json_column_is_checked_by_its_record(ctx: Context) -> None:
    """Plan snapshots through PlanSnapshot, period settings through the envelope, signals
    through the signal record: the field is named down to the value."""
    cases = {
        "plans": (
            lambda d: d["tables"]["plans"][1]["snapshot"]["funded"][2].update(effort="x"),
            "plans row id=2, field snapshot.funded.2.effort: The effort must be a number.",
        ),
        "periods": (
            lambda d: d["tables"]["periods"][0]["envelope"].update(rule="lottery"),
            "periods row id=1, field envelope.rule: The rule must be one of: 'equal_shares', "
            "'greedy' or 'phragmen'.",
        ),
        "signals": (
            lambda d: d["tables"]["signals"][0]["ranking"].append(5),
            "signals row id=1, field ranking: An item may appear only once in a ranking.",
        ),
        "subcommunities": (
            lambda d: d["tables"]["subcommunities"][2].update(slug="Not a slug"),
            "subcommunities row id=3, field slug: The short name must be lower-case letters",
        ),
    }
    empty = dump(ctx.engine)
    for change, sentence in cases.values():
        doc = _source()
        change(doc)
        with pytest.raises(ValidationError) as refused:
            backup.import_backup(ctx, SYSTEM, doc)
        assert sentence in str(refused.value)
    assert dump(ctx.engine) == empty


def test_a_backup_written_by_an_older_version_still_imports_whole(ctx: Context) -> None:
    counts = backup.import_backup(ctx, SYSTEM, _source())
    assert counts["plans"] == 2 and counts["items"] == 58
    assert backup.export_backup(ctx, SYSTEM)["tables"] == _source()["tables"]


# The probe's files, as text a person hands to `roadmap import`.
FILES: dict[str, tuple[str, str]] = {
    "unknown status": (
        SOURCE.replace('"status": "done"', '"status": "approved"', 1),
        "field status: The status must be one of",
    ),
    "negative effort": (
        SOURCE.replace('"effort_low": 4.0', '"effort_low": -4.0', 1),
        "items row id=1, field effort_low: The effort estimate (low) must be greater than 0.0.",
    ),
    "role superadmin": (
        SOURCE.replace('"role": "admin"', '"role": "superadmin"', 1),
        "role_grants row id=1, field role: The role must be one of",
    ),
    "1e400": (
        SOURCE.replace('"effort_high": 6.0', '"effort_high": 1e400', 1),
        "The backup holds the number 1e400, too large to store (it is not finite)",
    ),
    "NaN": (
        SOURCE.replace('"effort_high": 6.0', '"effort_high": NaN', 1),
        "holds NaN, which is not a number JSON allows",
    ),
    "Infinity": (
        SOURCE.replace('"effort_high": 6.0', '"effort_high": -Infinity', 1),
        "holds -Infinity, which is not a number JSON allows",
    ),
    "100,000 nested arrays": ("[" * 100_000 + "]" * 100_000, DEEP),
    "100,000 nested arrays in a row": (
        SOURCE.replace('"reason": null', '"reason": ' + "[" * 100_000 + "]" * 100_000, 1),
        DEEP,
    ),
    "a file twice the size limit": (
        SOURCE[:-2] + ', "padding": "' + "x" * (2 * 1024 * 1024) + '"}\n',
        "is larger than 1 MB, the most roadmap import reads (raise the limit with --max-mb).",
    ),
    "not UTF-8": (SOURCE.replace("Inés", "In\udce9s"), "is not UTF-8 text"),
    "not JSON": (SOURCE[:1000], "is not valid JSON: "),
}


ROW_PROBES = ("unknown status", "negative effort", "role superadmin")  # refused on import


@pytest.mark.parametrize("probe", sorted(set(FILES) - set(ROW_PROBES)))
def test_the_file_reader_refuses_each_probe_file_with_a_sentence(
    tmp_path: Path, probe: str
) -> None:
    content, sentence = FILES[probe]
    path = tmp_path / "backup.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(ValidationError) as refused:
        backup.read_backup(path, max_mb=1)
    assert sentence in str(refused.value)
    assert str(refused.value).endswith("Nothing was imported.")


def test_the_size_limit_is_read_before_parsing_and_the_default_is_documented(
    tmp_path: Path,
) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b"[" + b"0," * (1024 * 1024) + b"0]")  # 2 MB of valid JSON
    assert len(backup.read_backup(path, max_mb=3)) == 1024 * 1024 + 1
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        backup.read_backup(path, max_mb=1)
    assert cli.build_parser().parse_args(["import", "x"]).max_mb == backup.MAX_MB
    operations = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    assert f"**{backup.MAX_MB} MB**" in operations and f"**{MAX_DEPTH}**" in operations


@pytest.fixture
def roadmap_cli(
    ctx: Context, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    """``roadmap ARGS`` in this process, on the test's database: (status, stdout, stderr)."""
    monkeypatch.setattr("roadmap.services.context.default_context", lambda: ctx)

    def run(*args: str) -> tuple[int, str, str]:
        status = cli.main(list(args))
        out, err = capsys.readouterr()
        return status, out, err

    return run


def test_roadmap_import_answers_each_probe_file_with_a_sentence_and_exit_status_2(
    ctx: Context, tmp_path: Path, roadmap_cli: Callable[..., tuple[int, str, str]]
) -> None:
    empty = dump(ctx.engine)
    for probe, (content, sentence) in FILES.items():
        path = tmp_path / "backup.json"
        path.write_bytes(content.encode("utf-8", "surrogateescape"))
        status, out, err = roadmap_cli("import", str(path), "--max-mb", "1")
        assert (status, out) == (2, ""), probe
        assert sentence in err and err.count("\n") == 1, probe
        assert dump(ctx.engine) == empty, probe
    whole = tmp_path / "whole.json"
    whole.write_text(SOURCE, encoding="utf-8")
    status, out, err = roadmap_cli("import", str(whole))
    assert (status, err) == (0, "") and out.startswith("Restored ")


def test_export_refuses_a_number_that_is_not_finite_instead_of_writing_infinity(
    ctx: Context, tmp_path: Path, roadmap_cli: Callable[..., tuple[int, str, str]]
) -> None:
    """A database can hold an infinity (an import before this check could store one);
    export names it instead of writing ``Infinity``, which is not JSON."""
    backup.import_backup(ctx, SYSTEM, _source())
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE items SET effort_high = :v WHERE id = 3"), {"v": float("inf")})
    with pytest.raises(ValidationError) as refused:
        backup.dumps(backup.export_backup(ctx, SYSTEM))
    assert str(refused.value) == (
        "The database holds the number inf in items row id=3, column effort_high, which JSON "
        "cannot hold: correct it before exporting. Nothing was written."
    )
    path = tmp_path / "out.json"
    status, out, err = roadmap_cli("export", str(path))
    assert (status, out, err) == (2, "", str(refused.value) + "\n")
    assert not path.exists()
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE items SET effort_high = 8.0 WHERE id = 3"))
    status, _, err = roadmap_cli("export", str(tmp_path))  # a folder: cannot be written
    assert status == 2 and err.startswith(f"Cannot write {tmp_path}: ")


def test_the_console_script_prints_no_traceback_for_a_bad_file(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ROADMAP_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}",
        "ROADMAP_SECRET_KEY": "cli-test",
    }
    roadmap = str(Path(sys.executable).parent / "roadmap")
    subprocess.run([roadmap, "init-db"], env=env, capture_output=True, timeout=120, check=True)
    nested = tmp_path / "nested.json"
    nested.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    huge = tmp_path / "huge.json"
    huge.write_text(FILES["1e400"][0], encoding="utf-8")
    for args in (["import", str(nested)], ["import", str(huge)], ["export", str(tmp_path)]):
        done = subprocess.run(
            [roadmap, *args], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr


def test_a_command_that_fails_unexpectedly_prints_a_sentence_and_logs_the_trace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No person sees a traceback from a command either: `roadmap export` on a database that
    was never set up (no tables) says so in one sentence with an incident id, exit 1, and the
    trace goes to incidents.log in the data folder."""
    from roadmap.services.context import Context as Ctx
    from roadmap.store.engine import make_engine

    bare = Ctx(make_engine(f"sqlite:///{tmp_path / 'bare.db'}"))
    monkeypatch.setattr("roadmap.services.context.default_context", lambda: bare)
    monkeypatch.setenv("ROADMAP_DATA_DIR", str(tmp_path))
    status = cli.main(["export", str(tmp_path / "out.json")])
    out, err = capsys.readouterr()
    assert (status, out) == (1, "")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "roadmap export failed (incident " in err and "roadmap init-db" in err
    incident = err.split("(incident ")[1].split(";")[0]
    log = (tmp_path / "incidents.log").read_text(encoding="utf-8")
    assert f"incident {incident}: roadmap export" in log and "Traceback" in log
    assert not (tmp_path / "out.json").exists()
