"""The public roadmap's three views on the demo data: the list's visible columns (the title
as a link first, Status and Effort on screen, the id and dates left to the item page); the
board's columns, one per chosen status, whose cards are that status's items; the timeline of
a published plan, whose rows follow the list's filters."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from support import backup_0005

from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus
from roadmap.domain.items import PUBLIC_DEFAULT
from roadmap.services import backup, catalog, item_reads
from roadmap.services.context import default_context
from roadmap.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
BACKUP = ROOT / "tests" / "fixtures" / "backup_0005_two_plans.json"
LINK = re.compile(r"\]\(/item\?id=(\d+)\)")


def roadmap(view: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "roadmap.py"), default_timeout=60)
    if view is not None:
        at.session_state["roadmap-view"] = view
    return at.run()


def test_the_list_shows_the_title_as_a_link_first_then_status_and_effort(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user(None)
    at = roadmap()
    assert not at.exception
    table = at.dataframe[0]
    shown = list(table.proto.column_order)
    config = json.loads(table.proto.columns)
    assert shown[0] == "Title"
    assert config["Title"]["type_config"]["type"] == "link"
    assert {"Status", "Effort (person-weeks)"} <= set(shown)
    assert len(shown) <= 4
    assert "#" not in shown and "Created" not in shown and "Last change" not in shown
    # Every link cell is its item's page, and the text shown is the item's title.
    pattern = re.compile(config["Title"]["type_config"]["display_text"])
    titles = {i.id: i.title for i in item_reads.list_items(default_context(), Actor.public())}
    for url in table.value["Title"]:
        match = pattern.match(url)
        assert match is not None, url
        item_id = int(url.split("=")[1].split("#")[0])
        assert match.group(1) == " ".join(titles[item_id].split())


def test_the_board_has_a_column_per_chosen_status_holding_only_that_status_s_items(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user(None)
    at = roadmap("Board")
    assert not at.exception
    statuses = {i.id: i.status for i in item_reads.list_items(default_context(), Actor.public())}
    headed = {}
    for column in at.columns:
        texts = [m.value for m in column.markdown]
        if not texts or not texts[0].startswith("**"):
            continue  # a filter's column
        name, count = texts[0].strip("*").split("** · ")
        status = next(s for s in ItemStatus if s.label.capitalize() == name)
        cards = [int(m.group(1)) for t in texts[1:] if (m := LINK.search(t))]
        assert cards, status
        assert {statuses[c] for c in cards} == {status}
        assert int(count) == sum(1 for s in statuses.values() if s == status)
        headed[status] = cards
    assert list(headed) == [s for s in ItemStatus if s in PUBLIC_DEFAULT]


def test_the_board_follows_the_status_filter(as_user: Callable[[str | None], Actor]) -> None:
    as_user(None)
    at = roadmap("Board")
    status_filter = next(m for m in at.multiselect if m.label == "Status")
    status_filter.set_value([ItemStatus.PLANNED]).run()
    heads = [
        c.markdown[0].value for c in at.columns if c.markdown and c.markdown[0].value[:2] == "**"
    ]
    assert not at.exception
    assert len(heads) == 1 and heads[0].startswith("**Planned**")


@pytest.fixture
def two_plans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This test's database: the backup's two published plans, restored."""
    monkeypatch.setenv("ROADMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'plans.db'}")
    st.cache_resource.clear()
    default_context.cache_clear()
    ctx = default_context()
    upgrade(ctx.engine)
    backup.import_backup(ctx, Actor.system(), backup_0005(BACKUP))
    yield
    ctx.engine.dispose()
    default_context.cache_clear()
    st.cache_resource.clear()


def test_the_timeline_draws_the_plan_s_items_by_month_and_follows_the_filters(
    two_plans: None, as_user: Callable[[str | None], Actor]
) -> None:
    as_user(None)
    at = roadmap("Timeline")
    assert not at.exception, [e.value for e in at.exception]
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    bars = chart["data"][0]
    assert bars["type"] == "bar" and len(bars["y"]) > 0
    table = at.dataframe[0].value
    assert len(table) == len(bars["y"])
    assert all(url.startswith("/item?id=") for url in table["Title"])
    # A sub-community filter keeps exactly that sub-community's planned items.
    first = table["Sub-community"].iloc[0]
    slug = next(s.slug for s in catalog.list_subcommunities(default_context()) if s.name == first)
    subs = next(m for m in at.multiselect if m.label == "Sub-community")
    subs.set_value([slug]).run()
    assert not at.exception
    kept = at.dataframe[0].value
    assert set(kept["Sub-community"]) == {first}
    assert list(kept["Title"]) == [
        t for t, s in zip(table["Title"], table["Sub-community"], strict=True) if s == first
    ]
