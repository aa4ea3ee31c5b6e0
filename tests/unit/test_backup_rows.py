"""Every table has a row model in ``roadmap.domain.backup`` whose columns and primary key are
the table's, and the backup written by an older version passes every one of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from roadmap.domain.backup import MAX_DEPTH, ROW_MODELS, check_document, validate_row
from roadmap.domain.errors import ValidationError
from roadmap.store.tables import Base

BACKUP = Path(__file__).resolve().parents[1] / "fixtures" / "backup_0007_two_plans.json"


def test_each_table_has_a_row_model_with_exactly_its_columns_and_primary_key() -> None:
    assert set(ROW_MODELS) == {t.name for t in Base.metadata.sorted_tables}
    for table in Base.metadata.sorted_tables:
        model = ROW_MODELS[table.name]
        assert model.columns() == set(table.columns.keys()), table.name
        assert tuple(c.name for c in table.primary_key.columns) == model.KEY, table.name
        for name in model.NOT_COLUMNS:  # a record's field the row lacks must not be required
            assert not model.model_fields[name].is_required(), (table.name, name)


def test_every_row_of_a_backup_written_by_an_older_version_passes_its_row_model() -> None:
    doc = json.loads(BACKUP.read_text(encoding="utf-8"))
    check_document(doc)
    for name, rows in doc["tables"].items():
        for position, row in enumerate(rows):
            validate_row(name, position, row)


def test_the_document_check_refuses_deep_nesting_without_recursion() -> None:
    deep: list[object] = []
    inner = deep
    for _ in range(100_000):
        inner.append([])
        inner = inner[0]  # type: ignore[assignment]
    doc = {"tables": {"audit_events": [{"id": 7, "after": {"x": deep}}]}}
    with pytest.raises(ValidationError) as refused:
        check_document(doc)
    assert str(refused.value) == (
        "In the backup, audit_events row id=7, field after: It nests arrays and objects more "
        f"than {MAX_DEPTH} deep; a roadmap backup never does. Nothing was imported."
    )


def test_the_document_check_refuses_values_json_has_not() -> None:
    with pytest.raises(ValidationError, match=r"items row id=3, field skills\.0: A set"):
        check_document({"tables": {"items": [{"id": 3, "skills": [{1, 2}]}]}})
    with pytest.raises(ValidationError, match="a key that is not text"):
        check_document({"tables": {"signals": [{"id": 1, "points": {5: 3}}]}})
