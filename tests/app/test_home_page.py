"""The home page for each demo role, the menu's counts, and the sentences a forbidden or
signed-out page shows (opened straight from its URL and through the router)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from roadmap.domain.access import Actor
from roadmap.services import home
from roadmap.services.context import default_context

ROOT = Path(__file__).resolve().parents[2]
ITEM_LINK = re.compile(r"\]\(/item\?id=(\d+)\)")


def _page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=30)


def _markdown(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def _linked_items(at: AppTest) -> set[int]:
    return {int(i) for i in ITEM_LINK.findall(_markdown(at))}


SECTIONS = {
    "admin": ["Open for comment"],
    "exec": ["Executive", "Open for comment"],
    "lead": ["Sub-community lead", "Open for comment"],
    "orgrep": ["Organization representative", "Open for comment"],
    "staff": ["Staff", "Open for comment"],
    "member": ["Open for comment"],
}


@pytest.mark.parametrize("username", list(SECTIONS))
def test_each_role_sees_a_section_per_role_it_holds_and_every_line_links_its_item(
    username: str, as_user: Callable[[str | None], Actor]
) -> None:
    actor = as_user(username)
    at = _page("home").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Home"
    assert [h.value for h in at.header] == SECTIONS[username]
    view = home.home(default_context(), actor)
    # Every item the member section lists (the first page of it) is a link to its page.
    first = {c.item for c in view.member.open_for_comment[:10]}
    assert first and first <= _linked_items(at)
    if view.executive is not None:
        queue = view.executive.for_review
        assert f"Waiting for review ({len(queue)})" in [s.value for s in at.subheader]
        assert {w.item for w in queue[:10]} <= _linked_items(at)
        assert "[open it for comment](/review)" in _markdown(at)
    if view.representative is not None:
        assert "[Our signals](/signals)" in _markdown(at)
    if view.staff is not None:
        assert any("No plan is in effect yet." in c.value for c in at.caption)


def test_the_public_is_asked_to_sign_in_and_comes_back_to_home(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user(None)
    at = _page("home").run()
    assert [i.value for i in at.info] == ["Sign in to see this page."]
    (button,) = at.get("link_button")
    assert button.proto.url == "/auth/login?next=/home"
    assert not at.header, "a section of the home page ran for the public"


def test_the_menu_counts_what_waits_beside_home_and_the_scope_review(
    as_user: Callable[[str | None], Actor],
) -> None:
    actor = as_user("exec")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception
    waiting = home.waiting(default_context(), actor)
    assert waiting.review > 0, "the demo has proposed items"
    labels = [link.value for link in at.sidebar.page_link]
    assert f"Scope review ({waiting.review})" in labels
    assert ("Home" if waiting.home == 0 else f"Home ({waiting.home})") in labels
    # A page with nothing waiting shows its bare title.
    assert "Audit log" in labels


def test_a_member_sees_no_count_where_nothing_waits(as_user: Callable[[str | None], Actor]) -> None:
    actor = as_user("member")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    labels = [link.value for link in at.sidebar.page_link]
    waiting = home.waiting(default_context(), actor)
    assert waiting.review == waiting.drafts == waiting.signal_changes == 0
    expected = "Home" if waiting.home == 0 else f"Home ({waiting.home})"
    assert expected in labels
    assert not [label for label in labels if label.startswith("Scope review")]


def test_a_forbidden_page_names_the_roles_it_is_for_and_the_persons_roles(
    as_user: Callable[[str | None], Actor],
) -> None:
    actor = as_user("member")
    at = _page("review").run()
    assert [e.value for e in at.error] == [
        f"This page is for the executive. You are signed in as {actor.display_name} (member)."
    ]
    assert not at.tabs, "the scope review ran for a member"
    at = _page("organizations").run()
    assert [e.value for e in at.error] == [
        "This page is for an admin or the executive. You are signed in as "
        f"{actor.display_name} (member)."
    ]


def test_a_signed_out_item_page_offers_sign_in_returning_to_the_same_item(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user(None)
    at = _page("my_items")
    at.query_params["from"] = "mail"
    at.run()
    (button,) = at.get("link_button")
    assert button.proto.url == "/auth/login?next=/my_items%3Ffrom%3Dmail"


def test_through_the_router_a_forbidden_url_says_why_instead_of_landing_elsewhere(
    as_user: Callable[[str | None], Actor],
) -> None:
    actor = as_user("member")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    at.switch_page("pages/review.py").run()
    assert not at.exception
    assert at.title[0].value == "Not for your roles"
    assert [e.value for e in at.error] == [
        f"This page is for the executive. You are signed in as {actor.display_name} (member)."
    ]
    # Still not in the member's menu.
    assert not [p for p in at.sidebar.page_link if p.value.startswith("Scope review")]
