"""Delivery on the pages, on a demo database whose plan was published ten weeks ago and has
one progress report, a week old: the item page shows the progress and its history (and, at
100 %, the executive's "Close as done"), the plan page shows progress to everyone and the
overdue reports only to the executive, My plan shows the staff member's due dates and
reports, and the executive sets the report interval on the period page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from support import Clock

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus
from roadmap.services import delivery, demo, item_reads, periods, progress, publishing, staff
from roadmap.services.context import Context, default_context
from roadmap.services.sessions import authenticate
from roadmap.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]


def page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=30)


@pytest.fixture
def reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """The pages' database for this test only; yields the item reported at 100 % (by Jonah
    Whitcombe, the account "staff"; Halima Bensaïd, on it too, has not reported)."""
    monkeypatch.setenv("ROADMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'delivery.db'}")
    st.cache_resource.clear()
    default_context.cache_clear()
    engine = default_context().engine
    upgrade(engine)
    clock = Clock(datetime.now(UTC) - timedelta(weeks=10))
    past = Context(engine, clock)
    demo.load_demo(past, Actor.system(), config.demo_dir())
    execu, staff = authenticate(past, "exec", "demo"), authenticate(past, "staff", "demo")
    assert execu is not None and staff is not None
    plan = publishing.publish_plan(past, execu, periods.get_period(past).settings.envelope, "A")
    _, mine = progress.my_assignments(past, staff)
    item = min(a.item for a in mine)
    on_item = {a.staff for a in plan.snapshot.assignments if a.item == item}
    assert on_item == {"jonah-whitcombe", "halima-bensaid"}, "the demo's first shared item"
    clock.advance(weeks=9)  # a week ago
    progress.report_progress(past, staff, item, 100, "Released in 4.2.")
    yield item
    engine.dispose()
    default_context.cache_clear()
    st.cache_resource.clear()


def test_the_item_page_shows_progress_to_the_public_and_the_executive_closes_it(
    reported: int, as_user: Callable[[str | None], Actor]
) -> None:
    as_user(None)
    at = page("item")
    at.query_params["id"] = str(reported)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Progress" in [s.value for s in at.subheader]
    shown = " ".join(m.value for m in at.markdown)
    assert "**100 % done** — reported by Jonah Whitcombe on" in shown and "UTC" in shown
    assert "Released in 4.2." in shown
    assert list(at.dataframe[0].value["Done"]) == ["100 %"]  # the report history
    assert not [b for b in at.button if b.label == "Close as done"]

    execu = as_user("exec")
    at = page("item")
    at.query_params["id"] = str(reported)
    at.run()
    next(b for b in at.button if b.label == "Close as done").click().run()
    assert not at.exception, [e.value for e in at.exception]
    ctx = default_context()
    assert item_reads.get_item(ctx, execu, reported).status == ItemStatus.DONE


def test_closing_as_done_says_so_naming_the_item_and_keeps_its_progress_on_the_page(
    reported: int, as_user: Callable[[str | None], Actor]
) -> None:
    execu = as_user("exec")
    ctx = default_context()
    title = item_reads.get_item(ctx, execu, reported).title
    at = page("item")
    at.query_params["id"] = str(reported)
    at.run()
    next(b for b in at.button if b.label == "Close as done").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert item_reads.get_item(ctx, execu, reported).status == ItemStatus.DONE
    # The sentence names the item, where the button was; the page drawn after the write
    # shows the item done, its progress and history still there, and no button.
    assert [s.value for s in at.success] == [f"Closed #{reported} {title} as done."]
    assert "**done**" in at.caption[0].value  # the status in the header line
    assert "Progress" in [s.value for s in at.subheader]
    assert list(at.dataframe[0].value["Done"]) == ["100 %"]
    assert not [b for b in at.button if b.label == "Close as done"]
    # Shown once: the next run of the page (or another item's page) no longer shows it.
    at.run()
    assert not at.success


@pytest.mark.parametrize("username", ["exec", None])
def test_the_plan_page_shows_progress_to_all_and_overdue_reports_to_the_executive(
    username: str | None, reported: int, as_user: Callable[[str | None], Actor]
) -> None:
    as_user(username)
    at = page("plan").run()
    assert not at.exception, [e.value for e in at.exception]
    headings = [s.value for s in at.subheader]
    assert "Progress" in headings
    frames = [d.value for d in at.dataframe]
    progress_frame = next(f for f in frames if "Progress" in f.columns)
    progress_frame.index = [_item_id(x) for x in progress_frame["Item"]]  # title links
    line = progress_frame.loc[reported, "Progress"]
    assert line.startswith("100 % (") and line.endswith(")")
    assert ("Reports overdue" in headings) == (username == "exec")
    if username == "exec":
        # One line per person and item: the staff member's report cleared their own line
        # only; the other person on the item is still flagged.
        late = next(f for f in frames if "Days overdue" in f.columns)
        flagged = list(late["Overdue"])
        assert f"overdue: Jonah Whitcombe on #{reported}" not in flagged, "reported, yet overdue"
        assert f"overdue: Halima Bensaïd on #{reported}" in flagged
        assert len(late) > 0 and set(late["Last report"]) == {"none yet"}


def test_my_plan_shows_the_staff_members_due_dates_and_report_history(
    reported: int, as_user: Callable[[str | None], Actor]
) -> None:
    as_user("staff")
    at = page("my_plan").run()
    assert not at.exception, [e.value for e in at.exception]
    headings = [s.value for s in at.subheader]
    assert "Reports due" in headings and "My progress reports" in headings
    due = next(m.value for m in at.markdown if "report due on" in m.value)
    assert "**overdue**" in due  # the items not reported on since the plan, ten weeks ago
    assert next(w.value for w in at.warning).startswith("A progress report is overdue")
    history = at.dataframe[-1].value
    assert list(history["#"]) == [reported] and list(history["Note"]) == ["Released in 4.2."]


def test_the_executive_sets_how_often_funded_work_reports_on_the_period_page(
    reported: int, as_user: Callable[[str | None], Actor]
) -> None:
    as_user("exec")
    at = page("period").run()
    assert not at.exception, [e.value for e in at.exception]
    every = next(n for n in at.number_input if n.label == "Progress reports every N weeks")
    assert every.value == 8
    every.set_value(4)
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert periods.get_period(default_context()).settings.report_every_weeks == 4
    assert "Funded work reports progress every 4 weeks." in [c.value for c in at.caption]


def _item_id(link: object) -> int:
    """The item number of a title link cell (``/item?id=N#Title``)."""
    return int(str(link).removeprefix("/item?id=").split("#")[0])


def test_a_report_sent_without_an_item_is_refused_under_the_item_and_writes_nothing(
    reported: int, as_user: Callable[[str | None], Actor]
) -> None:
    staff = as_user("staff")
    ctx = default_context()
    before = delivery.my_reports(ctx, staff)
    at = page("my_plan").run()
    next(t for t in at.text_area if t.label == "Note").input("Half way there.")
    next(b for b in at.button if b.label == "Report").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Choose the item this report is about.",
        "Nothing was saved: the item needs fixing.",
    ]
    assert next(t for t in at.text_area if t.label == "Note").value == "Half way there."
    assert delivery.my_reports(ctx, staff) == before


def test_an_account_standing_for_two_people_reports_for_the_one_it_picks_on_my_plan(
    reported: int, as_user: Callable[[str | None], Actor]
) -> None:
    """Each report is one assignment's: when the account "staff" also stands for Halima
    Bensaïd, My plan asks whose report it is, and only her line on the item is cleared."""
    ctx = default_context()
    system = Actor.system()
    view = next(s for s in staff.list_staff(ctx, system) if s.member.key == "halima-bensaid")
    fields = view.member.model_dump() | {"username": "staff"}
    staff.save_staff(ctx, system, fields, view.version, view.capacity_by_subperiod)
    execu = authenticate(ctx, "exec", "demo")
    assert execu is not None

    def flagged() -> set[str]:
        schedule = delivery.reports_overdue(ctx, execu)
        assert schedule is not None
        return {d.staff_key or "" for d in schedule.overdue if d.item == reported}

    assert flagged() == {"halima-bensaid"}
    as_user("staff")
    at = page("my_plan").run()
    assert not at.exception, [e.value for e in at.exception]
    box = next(s for s in at.selectbox if s.label == "Item")
    assert any(
        o.startswith(f"#{reported} ") and o.endswith("(as Halima Bensaïd)") for o in box.options
    )
    box.set_value((reported, "halima-bensaid"))
    next(s for s in at.slider if s.label == "Percent done").set_value(50)
    next(b for b in at.button if b.label == "Report").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] == [
        "Reported. It shows on the item page and the published plan."
    ]
    assert flagged() == set()
    assert delivery.latest_progress(ctx, [reported])[reported].percent == 50
