"""A backup restores whole: export, import into an empty database and export again give
identical files, on SQLite and PostgreSQL and from one to the other."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from support import Clock, dump, pg_schema

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.domain.errors import PermissionDenied, ValidationError
from roadmap.services import backup, demo, periods, publishing
from roadmap.services.context import Context
from roadmap.store.engine import make_engine
from roadmap.store.migrate import upgrade

SYSTEM = Actor.system()


@pytest.fixture
def full(ctx: Context) -> Context:
    """The demo data with a published plan: every table has rows."""
    demo.load_demo(ctx, SYSTEM, config.demo_dir())
    from roadmap.services.sessions import authenticate

    execu = authenticate(ctx, "exec", "demo")
    assert execu is not None
    publishing.publish_plan(ctx, execu, periods.get_period(ctx).settings.envelope)
    return ctx


@pytest.fixture(params=["sqlite", "postgresql"])
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, clock: Clock
) -> Iterator[Context]:
    """A second, empty database to restore into."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('restore') / 'r.db'}")
        upgrade(eng)
        yield Context(eng, clock)
        eng.dispose()
        return
    with pg_schema("roadmap_restore") as url:
        eng: Engine = make_engine(url)
        upgrade(eng)
        yield Context(eng, clock)
        eng.dispose()


def test_export_import_export_gives_identical_files(full: Context, target: Context) -> None:
    first = backup.dumps(backup.export_backup(full, SYSTEM))
    counts = backup.import_backup(target, SYSTEM, json.loads(first))
    assert all(counts[name] > 0 for name in ("users", "items", "signals", "plans", "assignments"))
    second = backup.dumps(backup.export_backup(target, SYSTEM))
    assert second == first
    # The restored database keeps working: new rows get fresh ids after the restored ones.
    from roadmap.services import catalog

    catalog.create_subcommunity(target, SYSTEM, "restored-after", "Created after restore")


def test_import_refuses_a_non_empty_database_and_writes_nothing(full: Context) -> None:
    data = backup.export_backup(full, SYSTEM)
    before = dump(full.engine)
    with pytest.raises(ValidationError, match="not empty"):
        backup.import_backup(full, SYSTEM, data)
    assert dump(full.engine) == before


def test_a_malformed_backup_is_refused_and_nothing_is_written(
    full: Context, target: Context
) -> None:
    data = backup.export_backup(full, SYSTEM)
    data["tables"]["items"][3]["created_at"] = "not a date"
    before = dump(target.engine)
    with pytest.raises(ValidationError, match="items"):
        backup.import_backup(target, SYSTEM, data)
    assert dump(target.engine) == before
    with pytest.raises(ValidationError, match="not a roadmap backup"):
        backup.import_backup(target, SYSTEM, {"hello": "world"})


def test_only_admins_export_and_import(full: Context) -> None:
    member = Actor(99, "member", "member")
    with pytest.raises(PermissionDenied):
        backup.export_backup(full, member)
    with pytest.raises(PermissionDenied):
        backup.import_backup(full, member, {})
