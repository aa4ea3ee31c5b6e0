"""A backup is validated before anything is restored (issue 14, "Backups are validated"):
every row through its table's record, nesting bounded, numbers that are not finite refused.
Each probe of the issue is refused with a sentence naming the table, the row and the field,
and nothing is written, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support import dump

from roadmap.domain.access import Actor
from roadmap.domain.backup import MAX_DEPTH
from roadmap.domain.errors import ValidationError
from roadmap.services import backup
from roadmap.services.context import Context

SYSTEM = Actor.system()
BACKUP = Path(__file__).resolve().parents[1] / "fixtures" / "backup_0005_two_plans.json"
SOURCE = BACKUP.read_text(encoding="utf-8")
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
        "In the backup, items row id=1: The effort estimate (high) must be at least the effort "
        "estimate (low).",
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
