"""Migration 0007 (decision amendments) on both databases: going down drops the two columns
and the trigger and keeps every decision entry; coming back up adds them empty and the
trigger again refuses an UPDATE."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError
from support import PG_URL, Clock, need, pg_schema
from support.world import World
from test_decision_amendments import decided

from roadmap.services import governance
from roadmap.store.engine import make_engine
from roadmap.store.migrate import alembic_config, current_revision, head_revision, upgrade

REVISION = "0007"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A database of its own for each test (migrations change the schema under it)."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'roadmap.db'}")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    need(bool(PG_URL), "PostgreSQL tests need ROADMAP_TEST_DATABASE_URL")
    with pg_schema("roadmap_mig") as url:
        eng = make_engine(url)
        upgrade(eng)
        yield eng
        eng.dispose()


def columns(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("scope_decisions")}


def test_0007_goes_down_and_up_keeping_every_decision_entry(
    engine: Engine, world: World, clock: Clock
) -> None:
    execu = world.actors["exec"]
    item_id = decided(world, clock)
    governance.amend_decision(world.ctx, execu, item_id, "Members asked, four times.", "Count.")
    governance.decide_scope(world.ctx, execu, item_id, "deferred", "Wait for 2028.", "Budget.")
    assert {"amends_id", "reason"} <= columns(engine)
    assert current_revision(engine) == head_revision()

    below = ScriptDirectory.from_config(alembic_config(engine)).get_revision(REVISION)
    assert below is not None and isinstance(below.down_revision, str)
    command.downgrade(alembic_config(engine), below.down_revision)
    engine.dispose()
    assert not {"amends_id", "reason"} & columns(engine)
    with engine.begin() as conn:  # below 0007 no trigger guards the rows
        conn.execute(text("UPDATE scope_decisions SET decided_at = decided_at"))
    with engine.connect() as conn:
        kept = conn.execute(
            text("SELECT outcome, rationale FROM scope_decisions ORDER BY id")
        ).all()
    assert [tuple(r) for r in kept] == [
        ("in_scope", "Members asked for it in three threads."),
        ("in_scope", "Members asked, four times."),
        ("deferred", "Wait for 2028."),
    ]

    command.upgrade(alembic_config(engine), "head")
    engine.dispose()
    with engine.connect() as conn:
        back = conn.execute(text("SELECT amends_id, reason FROM scope_decisions")).all()
    assert [tuple(r) for r in back] == [(None, None)] * 3
    with (
        pytest.raises(IntegrityError, match="A scope decision cannot be changed"),
        engine.begin() as conn,
    ):
        conn.execute(text("UPDATE scope_decisions SET rationale = 'Rewritten.'"))
