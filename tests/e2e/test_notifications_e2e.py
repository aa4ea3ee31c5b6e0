"""Notifications against the real app server (``streamlit run``, on SQLite and on
PostgreSQL when it is configured): the Atom feed of
public events parsed by feedparser, an email delivered by the server's background worker to
a real SMTP server (aiosmtpd, started here) whose unsubscribe link works over HTTP without
signing in, and the inbox in Chromium (the unread count in the menu, marking read)."""

from __future__ import annotations

import re
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import feedparser
import pytest
from aiosmtpd.controller import Controller
from conftest import Server, database_url, free_port, settle
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus, Privacy, ScopeOutcome
from roadmap.domain.notifications import EventKind
from roadmap.services import governance, notifications, periods, publishing
from roadmap.services.context import Context
from roadmap.services.sessions import authenticate
from roadmap.store.engine import make_engine, reading
from roadmap.store.tables import (
    EmailOptOutRow,
    ItemRow,
    OrganizationRow,
    SubCommunityRow,
    UserRow,
)

SIDEBAR = '[data-testid="stSidebar"]'
MAIN = '[data-testid="stMain"]'


class Sink:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, Context, Sink]]:
    """A demo server of each database whose worker runs every second and mails through a
    local SMTP server, and a context on its database for acting as the demo people (this
    process signs the tokens with the server's secret)."""
    folder: Path = tmp_path_factory.mktemp("notify")
    with database_url(request.param, folder) as url:
        yield from _world(folder, url)


def _world(folder: Path, url: str) -> Iterator[tuple[Server, Context, Sink]]:
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    server = Server(folder, url)
    settings = {
        "ROADMAP_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}?from=roadmap@example.org",
        "ROADMAP_PUBLIC_URL": server.url,
        "ROADMAP_WORKER_SECONDS": "1",
    }
    server.env.update(settings)
    mp = pytest.MonkeyPatch()
    for name, value in {**settings, "ROADMAP_SECRET_KEY": server.env["ROADMAP_SECRET_KEY"]}.items():
        mp.setenv(name, value)
    server.start()
    engine = make_engine(server.env["ROADMAP_DATABASE_URL"])
    try:
        yield server, Context(engine), sink
    finally:
        server.stop()
        engine.dispose()
        smtp.stop()
        mp.undo()


def who(ctx: Context, username: str) -> Actor:
    actor = authenticate(ctx, username, "demo")
    assert actor is not None
    return actor


def _item(ctx: Context, status: ItemStatus, subcommunity: str) -> tuple[int, str]:
    with reading(ctx.engine) as session:
        row = session.execute(
            select(ItemRow.id, ItemRow.title)
            .join(SubCommunityRow, SubCommunityRow.id == ItemRow.subcommunity_id)
            .where(ItemRow.status == status.value, SubCommunityRow.slug == subcommunity)
            .order_by(ItemRow.id)
        ).first()
    assert row is not None
    return int(row[0]), str(row[1])


def test_the_feed_lists_the_public_events_and_nothing_private(
    world: tuple[Server, Context, Sink],
) -> None:
    server, ctx, _ = world
    execu = who(ctx, "exec")
    period = periods.get_period(ctx)
    periods.update_period(
        ctx, execu, period.key, {"privacy": Privacy.AGGREGATE.value}, period.version
    )
    opened, opened_title = _item(ctx, ItemStatus.PROPOSED, "jupyter-server")
    governance.open_comment_period(ctx, execu, opened)
    decided, decided_title = _item(ctx, ItemStatus.IN_COMMENT, "jupyter-kernels")
    governance.close_comment_period(ctx, execu, decided)
    governance.decide_scope(
        ctx, execu, decided, ScopeOutcome.IN_SCOPE, "It fits the year and its themes."
    )
    plan = publishing.publish_plan(ctx, execu, period.settings.envelope, "A")

    with urllib.request.urlopen(f"{server.url}/feed.atom", timeout=30) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("application/atom+xml")
        raw = response.read()
    parsed = feedparser.parse(raw)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Roadmap: public events"
    assert parsed.feed.updated_parsed is not None
    ids = [e.id for e in parsed.entries]
    assert len(ids) == len(set(ids)) and all(i.startswith("urn:uuid:") for i in ids)
    by_title = {e.title: e for e in parsed.entries}
    comment = next(t for t in by_title if t.endswith(f"#{opened} {opened_title}"))
    assert comment.startswith("Open for comment until")
    assert by_title[comment].link == f"{server.url}/item?id={opened}"
    decision = by_title[f"Decided: #{decided} {decided_title} is in scope"]
    assert decision.link == f"{server.url}/item?id={decided}"
    assert "It fits the year and its themes." in decision.summary
    published = by_title[f"Plan for {period.settings.name}, version {plan.version} published"]
    assert published.link == f"{server.url}/plan"
    assert all(f"#{f.item} {f.title}" in published.summary for f in plan.snapshot.funded)
    for entry in parsed.entries:
        assert entry.updated_parsed is not None and entry.link.startswith(server.url)

    # Nothing the public may not read: no organization (aggregate-only period), no draft.
    text = raw.decode()
    with reading(ctx.engine) as session:
        orgs = session.execute(select(OrganizationRow.key, OrganizationRow.name)).all()
        drafts = session.scalars(
            select(ItemRow.title).where(ItemRow.status == ItemStatus.DRAFT.value)
        ).all()
    assert orgs and drafts
    for key, name in orgs:
        assert key not in text and name not in text, name
    for title in drafts:
        assert title not in text, title
    assert "pledge" not in text.lower() and "(pool)" not in text


def test_an_email_arrives_from_the_server_and_its_unsubscribe_link_works_signed_out(
    world: tuple[Server, Context, Sink],
) -> None:
    server, ctx, sink = world
    member = who(ctx, "member")
    notifications.save_email_settings(ctx, member, "member@example.org", list(EventKind))
    item, title = _item(ctx, ItemStatus.PROPOSED, "jupyterhub-binder")
    governance.open_comment_period(ctx, who(ctx, "exec"), item)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the server's worker sends it within a few seconds
        mine = [m for m in sink.messages if m["To"] == "member@example.org"]
        if mine:
            break
        time.sleep(0.5)
    else:
        raise AssertionError("the server sent no email to the member")
    (message,) = mine
    assert f"#{item} {title}" in message["Subject"]
    body = message.get_payload(decode=True).decode()
    assert f"{server.url}/item?id={item}" in body
    found = re.search(r"Stop these emails: (\S+)", body)
    assert found is not None and found.group(1).startswith(f"{server.url}/notify/unsubscribe?t=")
    link = found.group(1)

    # Opening the link (no cookie) changes nothing and names what it stops.
    with urllib.request.urlopen(link, timeout=30) as response:
        page = response.read().decode()
    assert "member" in page and EventKind.COMMENT_OPEN.label in page
    assert _opt_outs(ctx, member) == set()
    # A tampered token is refused, over HTTP too.
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["t"][0]
    with pytest.raises(urllib.error.HTTPError) as refused:
        _post(f"{server.url}/notify/unsubscribe", {"t": token[:-3] + "abc", "what": "kind"})
    assert refused.value.code == 400
    assert _opt_outs(ctx, member) == set()
    # Its button posts the token; that kind stops, signed out.
    status, answer = _post(f"{server.url}/notify/unsubscribe", {"t": token, "what": "kind"})
    assert status == 200 and "You will get no more email about" in answer
    assert _opt_outs(ctx, member) == {EventKind.COMMENT_OPEN.value}


def _post(url: str, fields: dict[str, str]) -> tuple[int, str]:
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=30) as response:
        return response.status, response.read().decode()


def _opt_outs(ctx: Context, actor: Actor) -> set[str]:
    with reading(ctx.engine) as session:
        return set(
            session.scalars(
                select(EmailOptOutRow.kind).where(EmailOptOutRow.user_id == actor.user_id)
            )
        )


@pytest.mark.browser
def test_the_inbox_shows_a_notification_with_the_unread_count_and_marks_it_read(
    world: tuple[Server, Context, Sink], playwright_browser: Browser
) -> None:
    server, ctx, _ = world
    lead = who(ctx, "lead")
    notifications.mark_all_read(ctx, lead)
    item, title = _item(ctx, ItemStatus.IN_COMMENT, "jupyter-frontends")
    governance.add_comment(ctx, who(ctx, "member"), item, "Could this cover notebooks too?")
    assert notifications.unread_count(ctx, lead) == 1

    page = playwright_browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{server.url}/auth/login")
    page.fill("#username", "lead")
    page.fill("#password", "demo")
    page.click("button[type=submit]")
    page.wait_for_selector(f"{MAIN} h1")
    settle(page)
    # The menu shows the unread count; its link opens the inbox.
    menu = page.locator(SIDEBAR)
    counted = menu.get_by_role("link", name="Inbox (1)")
    expect(counted).to_be_visible()
    counted.click()
    settle(page)
    main = page.locator(MAIN)
    expect(main.locator("h1")).to_have_text("Inbox")
    # The notification's card: the innermost block holding its title.
    note = (
        main.locator('[data-testid="stVerticalBlock"]')
        .filter(has_text=f"commented on #{item} {title}")
        .last
    )
    expect(note).to_be_visible()
    expect(note.get_by_text("Could this cover notebooks too?")).to_be_visible()
    expect(note.get_by_role("link", name="Open")).to_have_attribute("href", f"/item?id={item}")
    note.get_by_role("button", name="Mark read").click()
    settle(page)
    expect(menu.get_by_text("Inbox (1)")).to_have_count(0)
    expect(menu.get_by_role("link", name="Inbox", exact=True)).to_be_visible()
    expect(note.get_by_role("button", name="Mark read")).to_have_count(0)
    assert notifications.unread_count(ctx, lead) == 0
    with reading(ctx.engine) as session:
        assert session.scalar(select(UserRow.username).where(UserRow.id == lead.user_id)) == "lead"
