"""Migrations build the schema the code expects; the demo data loads whole."""

from __future__ import annotations

from collections import Counter

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, select

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus
from roadmap.services import demo
from roadmap.services.context import Context
from roadmap.services.sessions import authenticate
from roadmap.store.engine import reading
from roadmap.store.migrate import current_revision, head_revision
from roadmap.store.tables import Base, ItemRow, OrganizationRow, SignalRow, StaffRow


def test_an_empty_database_is_migrated_to_head_and_matches_the_models(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_the_demo_loads_every_status_organizations_staff_signals_and_accounts(
    ctx: Context,
) -> None:
    assert demo.is_empty(ctx)
    counts = demo.load_demo(ctx, Actor.system(), config.demo_dir())
    assert not demo.is_empty(ctx)
    with reading(ctx.engine) as session:
        statuses = Counter(session.scalars(select(ItemRow.status)))
        assert set(statuses) == {s.value for s in ItemStatus}
        assert sum(statuses.values()) >= 40
        tiers = Counter(session.scalars(select(OrganizationRow.tier)))
        assert sum(tiers.values()) == 8 and set(tiers) == {"premier", "general", "associate"}
        assert len(list(session.scalars(select(StaffRow)))) == 8
        signalled = {s.organization_id for s in session.scalars(select(SignalRow))}
        assert len(signalled) == 8
    assert counts["users"] == 6
    for username in ("admin", "exec", "lead", "orgrep", "staff", "member"):
        assert authenticate(ctx, username, "demo") is not None
