"""A title, a name or a sentence quoting one never renders as Markdown on a page: each
surface's element body, rendered by a CommonMark renderer (the parser family Streamlit's
front end uses), shows the text as typed, on one line, with no link, image, heading,
emphasis, code or HTML. The browser test (tests/e2e/test_hostile_text.py) checks what
AppTest cannot see: the drawn page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from sqlalchemy import select, update
from streamlit.testing.v1 import AppTest

from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus, Role
from roadmap.domain.markdown import JOINER
from roadmap.services import governance
from roadmap.services.context import default_context
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import ItemRow, PeriodRow

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = [
    "[x](javascript:alert(1))",
    "![i](http://evil.example/p.png)",
    "# heading",
    "**bold**",
    "a\rb",
    "a\r# heading",
    "<b>x</b>",
    "`code`",
    "a|b",
]
# Every payload in one title, for the surfaces that take longer to draw.
ALL = "a\r# h ![i](http://evil.example/p.png) [x](javascript:alert(1)) **b** <b>x</b> `c` a|b"
# What a form still accepts: the boundary refuses a bare CR (domain/boundary) in typed text.
TYPABLE = ALL.replace("\r", " ")
MARKUP = ("<img", "<strong", "<em>", "<code", "<b>", "<h2", "<ul", "<ol", "<blockquote", "<table")
MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def literal(text: str) -> str:
    """``text`` as a renderer writes it when it is shown literally."""
    one_line = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    return one_line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shows_literally(body: str, text: str, *, links: int = 0, heading: bool = False) -> bool:
    """Whether the Markdown ``body`` (an element's, as the page sent it) shows ``text`` as
    typed and makes no markup of it (``links``: the links the page itself draws)."""
    html = MD.render(("# " if heading else "") + body).replace(JOINER, "")
    return (
        literal(text) in html.replace("&quot;", '"')
        and not any(tag in html for tag in MARKUP)
        and html.count("<a ") == links
        and html.count("<h1>") == (1 if heading else 0)
        and "<p>" not in html[html.find("</p>") + 1 :]  # one block, not split by a CR
    )


def page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=60)


def _item_with_status(status: ItemStatus) -> int:
    with reading(default_context().engine) as session:
        found = session.scalar(
            select(ItemRow.id).where(ItemRow.status == status.value).order_by(ItemRow.id)
        )
        assert found is not None, status
        return int(found)


@contextmanager
def titled(item_id: int, title: str) -> Iterator[None]:
    """The item carries ``title`` (stored as it came, as a row written before the checks
    could be) until the block ends."""
    engine = default_context().engine
    with reading(engine) as session:
        before = session.scalar(select(ItemRow.title).where(ItemRow.id == item_id))
    with transaction(engine) as session:
        session.execute(update(ItemRow).where(ItemRow.id == item_id).values(title=title))
    try:
        yield
    finally:
        with transaction(engine) as session:
            session.execute(update(ItemRow).where(ItemRow.id == item_id).values(title=before))


@pytest.mark.parametrize("title", HOSTILE)
def test_the_item_heading_shows_a_hostile_title_literally(
    title: str, as_user: Callable[[str | None], Actor]
) -> None:
    as_user(None)
    item_id = _item_with_status(ItemStatus.IN_SCOPE)
    with titled(item_id, title):
        at = page("item")
        at.query_params["id"] = str(item_id)
        at.run()
    assert not at.exception
    assert shows_literally(at.title[0].value, title, heading=True), at.title[0].value


@pytest.mark.parametrize("title", [*HOSTILE, ALL])
def test_the_ranking_list_and_the_points_label_show_a_hostile_title_literally(
    title: str, as_user: Callable[[str | None], Actor]
) -> None:
    as_user("orgrep")
    item_id = _item_with_status(ItemStatus.IN_SCOPE)
    with titled(item_id, title):
        at = page("signals").run()
        ranking = next(m for m in at.multiselect if m.label.startswith("Items in order"))
        ranking.set_value([item_id]).run()
        points = next(m for m in at.multiselect if m.label == "Items to give points")
        points.set_value([item_id]).run()
    assert not at.exception
    listed = [m.value for m in at.markdown if m.value.startswith("1. ")]
    assert len(listed) == 1
    html = MD.render(listed[0]).replace(JOINER, "")
    assert html.count("<li>") == 1 and literal(title) in html.replace("&quot;", '"')
    made = [tag for tag in (*MARKUP, "<a ", "<h1") if tag in html]
    assert made == ["<ol"], html  # the page's own numbered list, and nothing else
    label = next(n.label for n in at.number_input if n.key == f"pts-{item_id}")
    assert shows_literally(label, f"#{item_id} {title}"), label


@pytest.mark.parametrize("title", HOSTILE)
def test_the_conflict_message_quotes_a_hostile_title_literally(title: str) -> None:
    def script(title: str) -> None:
        from roadmap.domain.errors import ConflictError
        from roadmap.ui.feedback import draw, refusal

        draw(refusal(ConflictError(f"{title} was changed meanwhile.", {"title": (title, "b")})))

    at = AppTest.from_function(script, args=(title,)).run()
    assert not at.exception
    assert shows_literally(at.warning[0].value, f"{title} was changed meanwhile.")
    assert shows_literally(at.caption[0].value, f"title: {title!r} → 'b'")


def test_the_saved_sentence_quotes_a_hostile_title_literally(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("lead")
    title = "**b** [x](javascript:alert(1)) ![i](http://evil.example/p.png) <b>x</b> a|b"
    at = page("my_items").run()
    next(t for t in at.text_input if t.label == "Title").input(title)
    next(b for b in at.button if b.label == "Save draft").click().run()
    assert not at.exception
    assert [s.value for s in at.success], [e.value for e in at.error]
    assert shows_literally(at.success[0].value, f"Saved the draft {title!r}.")


def test_the_review_queue_links_a_hostile_title_as_text(
    as_user: Callable[[str | None], Actor],
) -> None:
    execu = as_user("exec")
    first = governance.review_queue(default_context(), execu)[0]
    with titled(first, ALL):
        at = page("review").run()
    assert not at.exception
    linked = [m.value for m in at.markdown if f"/item?id={first})" in m.value]
    assert linked and shows_literally(linked[0], ALL, links=1), linked


def test_a_hostile_display_name_shows_literally_on_the_account_and_sign_in_pages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from roadmap.ui import session

    actor = Actor(1, "member", ALL, frozenset({(Role.MEMBER, None)}))
    monkeypatch.setattr(session, "current_actor", lambda: actor)
    at = page("account").run()
    assert not at.exception
    # The page itself makes the name bold and the username code; the name makes nothing.
    assert MD.render(at.markdown[0].value).replace(JOINER, "") == (
        f"<p><strong>{literal(ALL)}</strong> · <code>member</code></p>\n"
    )
    at = page("sign_in").run()
    assert not at.exception
    assert shows_literally(
        at.info[0].value,
        f"You are signed in as {ALL} (member). Sign out first to sign in as someone else.",
    )


def test_a_hostile_period_name_shows_literally_in_the_period_title(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("exec")
    engine = default_context().engine
    with reading(engine) as session:
        key, before = session.execute(select(PeriodRow.key, PeriodRow.name)).one()
    values: dict[str, Any] = {"name": ALL}
    with transaction(engine) as session:
        session.execute(update(PeriodRow).where(PeriodRow.key == key).values(values))
    try:
        at = page("period").run()
    finally:
        with transaction(engine) as session:
            session.execute(update(PeriodRow).where(PeriodRow.key == key).values(name=before))
    assert not at.exception
    assert shows_literally(at.title[0].value, f"Planning period {ALL}", heading=True)


def test_a_hostile_scenario_name_shows_literally_in_its_tab_and_publish_button(
    as_user: Callable[[str | None], Actor],
) -> None:
    from sqlalchemy import delete, func

    from roadmap.store.tables import ScenarioComparisonRow

    as_user("exec")
    engine = default_context().engine
    with reading(engine) as session:
        newest = session.scalar(select(func.max(ScenarioComparisonRow.id))) or 0
    at = page("scenarios").run()
    next(r for r in at.radio if r.label == "Scenarios").set_value(1).run()
    at.text_input(key="name-0").input(TYPABLE).run()
    try:
        next(b for b in at.button if b.label == "Run scenarios").click().run()
    finally:  # the kept comparison goes, so later tests see the ones they keep
        with transaction(engine) as session:
            session.execute(delete(ScenarioComparisonRow).where(ScenarioComparisonRow.id > newest))
    assert not at.exception
    assert [t.label for t in at.tabs if "evil" in t.label] == [at.tabs[-1].label]
    assert shows_literally(at.tabs[-1].label, TYPABLE)
    publish = [b.label for b in at.button if b.label.startswith("Publish")]
    assert len(publish) == 1 and shows_literally(publish[0], f"Publish {TYPABLE} as the plan")
