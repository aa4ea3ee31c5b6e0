"""Helpers the test suites share (importable as ``support``; see pytest's pythonpath)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine

from roadmap.store.tables import Base

os.environ.setdefault("ROADMAP_SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("ROADMAP_ARGON2_PROFILE", "CHEAPEST")
PG_URL = os.environ.get("ROADMAP_TEST_DATABASE_URL", "").strip()
IN_CI = os.environ.get("CI", "").lower() == "true"


def need(condition: bool, reason: str) -> None:
    """Skip with a visible reason when a real part is absent; under CI, fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required, not skipped)")
    pytest.skip(reason)


class Clock:
    """A clock the tests move by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, to prove a refused write changed nothing."""
    with engine.connect() as conn:
        return {
            table.name: sorted((tuple(row) for row in conn.execute(table.select())), key=repr)
            for table in Base.metadata.sorted_tables
        }
