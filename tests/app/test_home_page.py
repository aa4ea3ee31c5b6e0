"""The home page for each demo role, the menu's counts, and the sentences a forbidden or
signed-out page shows (opened straight from its URL and through the router)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine, delete, select, update
from streamlit.testing.v1 import AppTest
from support import Clock

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus
from roadmap.services import delivery, demo, home, periods, publishing
from roadmap.services.context import Context, default_context
from roadmap.services.sessions import authenticate
from roadmap.store.engine import transaction
from roadmap.store.migrate import upgrade
from roadmap.store.tables import ItemRow, OrganizationRow, SignalRow

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


@pytest.fixture
def planned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The pages' database for this test only: the demo with a plan final ten weeks ago,
    on which nobody has reported."""
    with _own_database(tmp_path, monkeypatch) as engine:
        past = Context(engine, Clock(datetime.now(UTC) - timedelta(weeks=10)))
        demo.load_demo(past, Actor.system(), config.demo_dir())
        execu = authenticate(past, "exec", "demo")
        assert execu is not None
        publishing.publish_plan(past, execu, periods.get_period(past).settings.envelope, "A")
        yield


@contextmanager
def _own_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The pages' database for one test only (upgraded, empty): the engine."""
    monkeypatch.setenv("ROADMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'own.db'}")
    st.cache_resource.clear()
    default_context.cache_clear()
    engine = default_context().engine
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        default_context.cache_clear()
        st.cache_resource.clear()


def test_with_a_plan_staff_see_their_first_month_and_overdue_reports_and_so_does_the_executive(
    planned: None, as_user: Callable[[str | None], Actor]
) -> None:
    staff = as_user("staff")
    at = _page("home").run()
    assert not at.exception, [e.value for e in at.exception]
    view = home.home(default_context(), staff).staff
    assert view is not None and view.assignments and view.reports_due
    headings = [h.value for h in at.subheader]
    assert f"Your assignments in 2027-01, the plan's first month ({len(view.assignments)})" in (
        headings
    )
    assert f"Reports due ({len(view.reports_due)})" in headings
    assert "**overdue** by" in _markdown(at)
    assert {a.item for a in view.assignments[:10]} <= _linked_items(at)
    execu = as_user("exec")
    at = _page("home").run()
    schedule = delivery.reports_overdue(default_context(), execu)
    assert schedule is not None and schedule.overdue
    headings = [h.value for h in at.subheader]
    assert f"Progress reports overdue ({len(schedule.overdue)})" in headings
    assert {d.item for d in schedule.overdue[:10]} <= _linked_items(at)
    first = schedule.overdue[0]  # one line per person and item
    assert f"- overdue: {first.person} on [#{first.item} " in _markdown(at)


NOTHING = "Nothing new or due for you right now."


def test_nothing_new_or_due_is_said_only_to_those_for_whom_nothing_is_listed(
    planned: None, as_user: Callable[[str | None], Actor]
) -> None:
    """A first year's walk read "Nothing new or due for you right now." above "Progress
    reports overdue (3)". Here nothing the menu counts waits for anyone (no item proposed or
    in comment, no news since the last visit), yet reports are owed and the representative's
    organization has not signalled while signalling is open: those roles are told so, and
    only the others read that nothing waits."""
    engine = default_context().engine
    waiting = [ItemStatus.PROPOSED.value, ItemStatus.IN_COMMENT.value]
    with transaction(engine) as session:
        session.execute(
            update(ItemRow)
            .where(ItemRow.status.in_(waiting))
            .values(status=ItemStatus.DEFERRED.value)
        )
        org = session.scalars(
            select(OrganizationRow).where(OrganizationRow.key == "lanternfish-analytics")
        )
        session.execute(delete(SignalRow).where(SignalRow.organization_id == org.one().id))
    told: dict[str, list[str]] = {}
    for username in SECTIONS:
        actor = as_user(username)
        at = _page("home").run()
        assert not at.exception, [e.value for e in at.exception]
        assert home.waiting(default_context(), actor).home == 0, username  # the menu's count
        told[username] = [e.value for e in at.success] + [e.value for e in at.info]
    for username in ("admin", "lead", "member"):
        assert told[username] == [NOTHING], username
    execu = home.home(default_context(), as_user("exec")).executive
    assert execu is not None and len(execu.reports_overdue) > 1
    assert told["exec"] == [f"{len(execu.reports_overdue)} progress reports are overdue."]
    staff = home.home(default_context(), as_user("staff")).staff
    assert staff is not None and staff.reports_due
    overdue = sum(d.overdue for d in staff.reports_due)
    soon = len(staff.reports_due) - overdue
    assert overdue > 1 and soon == 0, "ten weeks on, every report the staff owe is overdue"
    assert told["staff"] == [f"{overdue} progress reports are overdue."]
    assert told["orgrep"] == [
        "Lanternfish Analytics has not signalled yet, and signalling is open."
    ]


def test_the_executive_is_told_the_horizon_of_comment_periods_ending_soon(
    as_user: Callable[[str | None], Actor],
) -> None:
    """With nothing ending soon, the sentence names the horizon (3 days), so it does not
    contradict the periods listed as closing in 6 or 7 days."""
    actor = as_user("exec")
    view = home.home(default_context(), actor).executive
    assert view is not None and not view.comments_ending
    at = _page("home").run()
    assert not at.exception
    shown = [str(c.value) for c in at.caption] + [str(m.value) for m in at.markdown]
    assert f"No comment period ends in the next {home.ENDING_SOON.days} days." in shown
    assert not [s for s in shown if "in the next days" in s]


@pytest.fixture
def own_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The pages' database for this test only (it changes it): the demo."""
    with _own_database(tmp_path, monkeypatch):
        demo.load_demo(default_context(), Actor.system(), config.demo_dir())
        yield


def test_a_representative_is_offered_to_signal_only_while_signalling_is_open(
    own_demo: None, as_user: Callable[[str | None], Actor]
) -> None:
    """An organization with no signal in the period: while signalling is open its
    representative's home links to signal now; once the period has moved on to planning it
    says so without the link (the signals page would refuse the signal)."""
    from roadmap.domain.enums import PeriodStatus
    from roadmap.store.tables import PeriodRow

    engine = default_context().engine
    with transaction(engine) as session:
        org = session.scalars(
            select(OrganizationRow).where(OrganizationRow.key == "lanternfish-analytics")
        )
        session.execute(delete(SignalRow).where(SignalRow.organization_id == org.one().id))
    as_user("orgrep")
    markdown = [m.value for m in _page("home").run().markdown]
    assert "No signal yet in this period: [signal now](/signals)." in markdown
    with transaction(engine) as session:
        session.execute(update(PeriodRow).values(status=PeriodStatus.PLANNING.value))
    markdown = [m.value for m in _page("home").run().markdown]
    assert "No signal in this period." in markdown
    assert not [m for m in markdown if "signal now" in m]
