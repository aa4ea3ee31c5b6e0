"""Alembic environment: runs against the engine handed in by roadmap.store.migrate."""

from __future__ import annotations

from alembic import context

from roadmap.store.engine import make_engine
from roadmap.store.tables import Base

target_metadata = Base.metadata
engine = context.config.attributes.get("engine") or make_engine()

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
