"""A published plan's snapshot is validated once per process and named by its digest: a
second read returns the validated snapshot, and a database made again, whose new plan
reuses the id at the same publication time, is never answered from the old content."""

from __future__ import annotations

from sqlalchemy import select, text

from roadmap.domain.access import Actor
from roadmap.domain.plans import digest
from roadmap.services import demo, periods, publishing
from roadmap.services.context import Context
from roadmap.services.sessions import actor_from_row
from roadmap.store.engine import reading
from roadmap.store.tables import Base, PlanRow, UserRow


def _publish(ctx: Context, name: str) -> int:
    with reading(ctx.engine) as session:
        row = session.scalar(select(UserRow).where(UserRow.username == "exec"))
        assert row is not None
        executive = actor_from_row(row)
    envelope = periods.get_period(ctx).settings.envelope
    publishing.publish_plan(ctx, executive, envelope, name)
    with reading(ctx.engine) as session:
        return int(session.scalar(select(PlanRow.id).order_by(PlanRow.id.desc())) or 0)


def test_a_plan_keeps_the_digest_of_its_snapshot_and_is_validated_once(ctx: Context) -> None:
    demo.load_demo(ctx, Actor.system(), demo_dir())
    plan_id = _publish(ctx, "First")
    with reading(ctx.engine) as session:
        row = session.get(PlanRow, plan_id)
        assert row is not None and row.snapshot_digest == digest(row.snapshot)
        first = publishing.stored_snapshot(session, plan_id)
        assert publishing.stored_snapshot(session, plan_id) is first
    assert first.name == "First"


def test_a_database_made_again_is_never_answered_from_the_old_snapshot(ctx: Context) -> None:
    demo.load_demo(ctx, Actor.system(), demo_dir())
    plan_id = _publish(ctx, "Before")
    with reading(ctx.engine) as session:
        assert publishing.stored_snapshot(session, plan_id).name == "Before"
    with ctx.engine.begin() as conn:  # the same ids and clock again, as a test fixture does
        if ctx.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:  # SQLite gives a table without AUTOINCREMENT its largest id + 1: 1 again
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
    demo.load_demo(ctx, Actor.system(), demo_dir())
    assert _publish(ctx, "After") == plan_id
    with reading(ctx.engine) as session:
        assert publishing.stored_snapshot(session, plan_id).name == "After"
    view = publishing.final_plan(ctx, Actor.public())
    assert view is not None and view.snapshot.name == "After"


def demo_dir():  # type: ignore[no-untyped-def]
    from roadmap import config

    return config.demo_dir()
