"""Every page, for every demo role and signed out: runs without an exception, and a page
opened by someone without its role says why (the roles it is for, or "sign in") and shows
the sign-in prompt or a refusal, never its content."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from roadmap.domain.access import Actor
from roadmap.ui.guard import refusal
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
        assert "[Go to your home page](/home)" in _text(at)
    elif actor.signed_in:
        sentence = refusal(spec, actor)
        assert sentence.startswith("This page is for ") and "You are signed in as" in sentence
        assert [e.value for e in at.error] == [sentence]
        assert len(at.title) == 1 and at.title[0].value == "Not for your roles"
    else:
        assert "Sign in to see this page." in _text(at)
        assert "Sign in to take part" in _text(at), (
            "a protected page must show only the sign-in prompt"
        )
        assert len(at.title) == 1 and at.title[0].value == "Sign in"
        (button,) = at.get("link_button")
        assert button.proto.url == f"/auth/login?next=/{page}"


@pytest.mark.parametrize("username", USERS)
def test_router_lands_the_public_on_the_roadmap_and_everyone_signed_in_on_home(
    username: str | None, as_user: Callable[[str | None], Actor]
) -> None:
    actor = as_user(username)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    # The demo database is set up, so the admin too lands on the home page.
    assert at.title[0].value == ("Home" if actor.signed_in else "Roadmap")
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
    # A label may end in the count of what waits there, "Scope review (4)".
    listed = [re.sub(r" \(\d+\)$", "", link.value) for link in at.sidebar.page_link]
    assert sorted(listed) == sorted(p.title for p in pages_for(actor) if not p.hidden)
