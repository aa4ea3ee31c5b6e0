"""Shared fixtures: real databases (SQLite always, PostgreSQL when configured) and a clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text
from support import PG_URL, Clock, need, pg_schema

from roadmap.services.context import Context
from roadmap.store.engine import make_engine
from roadmap.store.migrate import upgrade
from roadmap.store.tables import Base


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine | None]:
    """A private, migrated schema in the PostgreSQL test database for this run."""
    if not PG_URL:
        yield None
        return
    with pg_schema("roadmap_test") as url:
        engine = make_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    pg_engine: Engine | None,
) -> Iterator[Engine]:
    """An empty, migrated database of each kind (PostgreSQL only with ROADMAP_TEST_DATABASE_URL)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "roadmap.db"
        eng = make_engine(f"sqlite:///{path}")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    need(pg_engine is not None, "PostgreSQL tests need ROADMAP_TEST_DATABASE_URL")
    assert pg_engine is not None
    yield pg_engine
    with pg_engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def ctx(engine: Engine, clock: Clock) -> Context:
    return Context(engine, clock)
