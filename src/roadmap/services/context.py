"""What every use case runs with: the database and a clock the tests control."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import Engine

from roadmap.store.engine import make_engine


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
    """The process's one context on ``ROADMAP_DATABASE_URL`` (shared by pages and routes)."""
    return Context(make_engine())
