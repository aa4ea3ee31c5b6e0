"""AppTest runs page scripts in this process against one demo database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.services import demo
from roadmap.services.context import default_context
from roadmap.store.migrate import upgrade
from roadmap.ui import session

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session", autouse=True)
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    path = tmp_path_factory.mktemp("appdb") / "roadmap.db"
    os.environ["ROADMAP_DATABASE_URL"] = f"sqlite:///{path}"
    default_context.cache_clear()
    ctx = default_context()
    upgrade(ctx.engine)
    demo.load_demo(ctx, Actor.system(), config.demo_dir())
    yield
    default_context.cache_clear()
    os.environ.pop("ROADMAP_DATABASE_URL", None)


@pytest.fixture
def as_user(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Make page scripts see ``username`` (or the public, for ``None``) as signed in."""
    from sqlalchemy import select

    from roadmap.services.sessions import actor_from_row
    from roadmap.store.engine import reading
    from roadmap.store.tables import UserRow

    def sign_in(username: str | None) -> Actor:
        if username is None:
            actor = Actor.public()
        else:
            with reading(default_context().engine) as s:
                row = s.scalar(select(UserRow).where(UserRow.username == username))
                assert row is not None, username
                actor = actor_from_row(row)
        monkeypatch.setattr(session, "current_actor", lambda: actor)
        return actor

    return sign_in
