"""ROADMAP_CLOCK_OFFSET_DAYS moves the process context's clock ahead, and only then."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from roadmap.services.context import default_context


@pytest.fixture(autouse=True)
def fresh_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ROADMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'clock.db'}")
    default_context.cache_clear()
    yield
    default_context().engine.dispose()
    default_context.cache_clear()


def test_an_offset_runs_the_clock_that_many_days_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROADMAP_CLOCK_OFFSET_DAYS", "8.5")
    ahead = default_context().now() - datetime.now(UTC)
    assert timedelta(days=8.5) - timedelta(seconds=5) < ahead <= timedelta(days=8.5)


def test_without_an_offset_the_clock_is_the_system_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROADMAP_CLOCK_OFFSET_DAYS", raising=False)
    assert abs(default_context().now() - datetime.now(UTC)) < timedelta(seconds=5)
