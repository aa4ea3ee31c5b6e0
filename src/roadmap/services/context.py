"""What every use case runs with: the database and a clock the tests control."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import Engine, text

from roadmap import config
from roadmap.store.engine import make_engine, reading
from roadmap.store.migrate import upgrade


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Context:
    engine: Engine
    clock: Callable[[], datetime] = field(default=system_clock)

    def now(self) -> datetime:
        return self.clock()


@cache
def default_context() -> Context:
    """The process's one context on ``ROADMAP_DATABASE_URL`` (shared by pages and routes),
    its clock ``ROADMAP_CLOCK_OFFSET_DAYS`` ahead when that is set (a rehearsal)."""
    offset = config.clock_offset_days()
    if not offset:
        return Context(make_engine())
    ahead = timedelta(days=offset)
    return Context(make_engine(), lambda: system_clock() + ahead)


def migrated_context() -> Context:
    """The process's context with its schema brought up to date (run once when a server
    starts; replicas starting together take turns, see ``roadmap.store.migrate``)."""
    ctx = default_context()
    upgrade(ctx.engine)
    return ctx


def database_problem(ctx: Context) -> str | None:
    """None when the database answers a trivial query, else the kind of failure (for the
    health probe a load balancer asks)."""
    try:  # a read: on SQLite it never waits for the write lock a sign-in may hold
        with reading(ctx.engine) as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:  # the probe reports any failure, whatever its kind
        return type(exc).__name__
    return None
