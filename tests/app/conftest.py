"""AppTest runs page scripts in this process against one demo database."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

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


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], Any]]:
    """What each download button of a run would send, by file name: the callable a click
    runs (AppTest registers it but, having no browser, never calls it)."""
    registered: dict[str, Callable[[], Any]] = {}
    add_deferred = MediaFileManager.add_deferred

    def spy(
        self: MediaFileManager,
        data_callable: Callable[[], Any],
        mimetype: str | None,
        coordinates: str,
        file_name: str | None = None,
        **kwargs: Any,
    ) -> str:
        registered[file_name or ""] = data_callable
        return add_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return registered
