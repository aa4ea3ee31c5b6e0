"""Every page, for every demo role and signed out: runs without an exception, and a page
opened by someone without its role shows the sign-in prompt or a refusal, never its content."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from roadmap.domain.access import Actor
from roadmap.ui.registry import PAGES, pages_for

ROOT = Path(__file__).resolve().parents[2]
USERS = [None, "admin", "exec", "lead", "orgrep", "staff", "member"]


def _text(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.title]
    parts += (
        [e.value for e in at.error] + [e.value for e in at.info] + [e.value for e in at.caption]
    )
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize("page", [p.key for p in PAGES])
def test_page_runs_for_role_and_protects_itself(
    page: str, username: str | None, as_user: Callable[[str | None], Actor]
) -> None:
    actor = as_user(username)
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    spec = next(p for p in PAGES if p.key == page)
    if spec.allows(actor):
        assert not at.error or page != "roadmap"
    elif spec.signed_out_only:
        assert f"You are signed in as {actor.display_name}" in _text(at)
    elif actor.signed_in:
        assert "You do not have a role that may open this page." in _text(at)
    else:
        assert "Sign in to take part" in _text(at), (
            "a protected page must show only the sign-in prompt"
        )
        assert len(at.title) == 1 and at.title[0].value == "Sign in"


@pytest.mark.parametrize("username", USERS)
def test_router_runs_for_role_and_lands_on_the_public_roadmap(
    username: str | None, as_user: Callable[[str | None], Actor]
) -> None:
    actor = as_user(username)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    # The default page (the public roadmap) is what everyone lands on.
    assert at.title[0].value == "Roadmap"
    sidebar = " ".join(str(c.value) for c in at.sidebar.caption)
    if actor.signed_in:
        assert f"Signed in as **{actor.display_name}**" in sidebar
    else:
        assert "Signed in" not in sidebar


@pytest.mark.parametrize("username", USERS)
def test_the_router_lists_in_the_sidebar_exactly_the_pages_the_person_may_open(
    username: str | None, as_user: Callable[[str | None], Actor]
) -> None:
    actor = as_user(username)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    listed = [link.value for link in at.sidebar.page_link]
    assert sorted(listed) == sorted(p.title for p in pages_for(actor) if not p.hidden)
