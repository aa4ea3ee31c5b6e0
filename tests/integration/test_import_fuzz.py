"""The importers under fuzzing (hypothesis): CSV files of every kind and JSON backups, mangled
at random, are imported whole or refused with the typed error, and a refusal writes nothing."""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete
from support import dump, pg_schema
from support.world import World

from roadmap.domain.access import Actor
from roadmap.domain.errors import RoadmapError
from roadmap.services import backup, imports
from roadmap.store.engine import make_engine
from roadmap.store.migrate import upgrade
from roadmap.store.tables import Base

SYSTEM = Actor.system()
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "1",
            "0",
            "-3",
            "2.5",
            "1e400",
            "nan",
            "yes",
            "python",
            "python:2",
            "react;python",
            "jupyter-frontends",
            "voila",
            "ux",
            "acme-notebooks",
            "staff",
            "2027-01-01",
            "2026-13-45",
            "company",
            "premier",
            "paid",
            "exception",
            "https://example.org",
            "javascript:alert(1)",
            "#1",
            "1;2",
            "'; DROP TABLE items;--",
            "<script>x</script>",
        ]
    ),
    st.text(max_size=12),
)


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(sorted(imports.KINDS)))
    names = imports.KINDS[kind].names
    header = draw(st.lists(st.sampled_from([*names, "extra"]), min_size=1, max_size=12))
    if draw(st.booleans()):
        header = list(names)  # mostly well-formed headers, so that rows get checked
    rows = draw(st.lists(st.lists(CELLS, min_size=len(header), max_size=len(header)), max_size=5))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8", "surrogatepass")
    if draw(st.booleans()):  # and sometimes damage the bytes themselves
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=6)) + data[at:]
    return kind, data


@FUZZ
@given(upload=csv_files())
def test_a_mangled_csv_file_is_imported_whole_or_refused_with_nothing_written(
    world: World, upload: tuple[str, bytes]
) -> None:
    kind, data = upload
    ctx = world.ctx
    before = dump(ctx.engine)
    try:
        checked = imports.preview(ctx, SYSTEM, kind, data)
    except RoadmapError:
        checked = None
    assert dump(ctx.engine) == before, "a preview never writes"
    try:
        done = imports.import_csv(ctx, SYSTEM, kind, data)
    except RoadmapError:
        assert dump(ctx.engine) == before, "a refused file must write nothing"
        assert checked is None or not checked.ok
        return
    assert checked is not None and checked.ok and done.count == len(checked.rows)


@contextmanager
def _empty_database(kind: str, folder: Path) -> Iterator[Engine]:
    """A second, empty, migrated database of the same kind as the source."""
    if kind == "sqlite":
        eng = make_engine(f"sqlite:///{folder / 'restore.db'}")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    with pg_schema("roadmap_fuzz") as url:
        eng = make_engine(url)
        upgrade(eng)
        yield eng
        eng.dispose()


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()  # NaN and the infinities too: a backup must refuse them
    | st.text(max_size=10)
    | st.sampled_from(
        ["2026-11-02T09:00:00+00:00", "2026-02-30", "draft", "admin", "superadmin", -1.0]
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def mangled(draw: st.DrawFn, source: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(source)
    tables = doc["tables"]
    filled = sorted(name for name, rows in tables.items() if rows)
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(filled))
        rows = tables[name]
        if not isinstance(rows, list) or not rows:
            continue
        at = draw(st.integers(0, len(rows) - 1))
        row = rows[at]
        action = draw(st.sampled_from(["value", "value", "drop", "add", "row", "table"]))
        if action in ("value", "drop") and isinstance(row, dict) and row:
            column = draw(st.sampled_from(sorted(row)))
            if action == "value":
                row[column] = draw(JSON_VALUES)
            else:
                del row[column]
        elif action == "add" and isinstance(row, dict):
            row[draw(st.text(max_size=6))] = draw(JSON_VALUES)
        elif action == "row":
            rows[at] = draw(JSON_VALUES)
        elif action == "table":
            tables[name] = draw(JSON_VALUES)
    return doc


def _no(constant: str) -> None:
    raise AssertionError(f"the export wrote {constant}, which is not JSON")


def test_a_mangled_backup_is_restored_whole_or_refused_with_nothing_written(
    world: World, engine: Engine, tmp_path: Path
) -> None:
    source = json.loads(backup.dumps(backup.export_backup(world.ctx, SYSTEM)))
    kind = engine.dialect.name
    with _empty_database(kind, tmp_path) as target:
        from roadmap.services.context import Context

        restore = Context(target, world.ctx.now)
        empty = dump(target)

        @FUZZ
        @given(doc=mangled(source))
        def check(doc: dict[str, Any]) -> None:
            try:
                backup.import_backup(restore, SYSTEM, doc)
            except RoadmapError as exc:
                assert str(exc).endswith("."), "the refusal is a sentence"
                assert dump(target) == empty, "a refused backup must write nothing"
                return
            # What was restored whole exports again as strict JSON (no NaN or Infinity).
            json.loads(backup.dumps(backup.export_backup(restore, SYSTEM)), parse_constant=_no)
            with target.begin() as conn:  # it was restored whole: empty it for the next one
                for table in reversed(Base.metadata.sorted_tables):
                    conn.execute(delete(table))

        check()
