"""Periods in sequence on the pages: the periods page starts the next period from the one
chosen, with its key, name and dates suggested; the signals page offers a representative
one click to start from the organization's signal in the period the open one came from.

Each test runs on a demo database of its own (these tests close and open periods, which
would change what the other app tests see)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.domain.accounting import plan_accounting
from roadmap.domain.enums import Role
from roadmap.services import demo, period_setup, periods, publishing, signals
from roadmap.services.context import Context
from roadmap.services.sessions import authenticate
from roadmap.store.engine import make_engine
from roadmap.store.migrate import upgrade
from roadmap.ui import session

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def own_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    """A fresh demo database that the pages use instead of the shared one."""
    ctx = Context(make_engine(f"sqlite:///{tmp_path / 'sequence.db'}"))
    upgrade(ctx.engine)
    demo.load_demo(ctx, Actor.system(), config.demo_dir())
    monkeypatch.setattr(session, "context", lambda: ctx)
    yield ctx
    ctx.engine.dispose()


def page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=30)


def by_label(widgets, label: str):  # type: ignore[no-untyped-def]
    (widget,) = [w for w in widgets if w.label == label]
    return widget


def test_the_next_period_form_suggests_the_next_half_and_creates_it_from_the_source(
    own_demo: Context, as_user: Callable[[str | None], Actor]
) -> None:
    as_user("exec")
    at = page("periods").run()
    assert not at.exception
    assert by_label(at.selectbox, "Start the next period from").value == "2027-H1"
    assert "Start the next period from 2027-H1" in [s.value for s in at.subheader]
    # Suggested: the half after 2027-H1, from the day after it ends, as long.
    assert by_label(at.text_input, "Next period's key").value == "2027-H2"
    assert by_label(at.text_input, "Next period's name").value == "2027, second half"
    assert by_label(at.date_input, "Next period's first day").value == date(2027, 7, 1)
    assert by_label(at.date_input, "Next period's last day").value == date(2027, 12, 31)
    by_label(at.button, "Start the next period").click().run()
    assert not at.exception and not at.error
    assert at.success[0].value == "Started 2027, second half from 2027-H1, in draft."
    made = {p.key: p for p in period_setup.list_periods(own_demo)}["2027-H2"]
    assert (made.source, made.start, made.end, made.status.value) == (
        "2027-H1",
        date(2027, 7, 1),
        date(2027, 12, 31),
        "draft",
    )
    # 2027-H1 now has its next period: the form offers to follow 2027-H2 instead.
    assert by_label(at.selectbox, "Start the next period from").options == [
        "2027, second half (2027-H2)"
    ]
    assert by_label(at.text_input, "Next period's key").value == "2028-H1"


def _signalling_h2(ctx: Context) -> None:
    execu = authenticate(ctx, "exec", "demo")
    assert execu is not None
    period_setup.new_period_from(
        ctx, execu, "2027-H1", "2027-H2", "2027, second half", date(2027, 7, 1), date(2027, 12, 31)
    )
    period_setup.close_period(ctx, execu, "2027-H1")
    period_setup.open_signalling(ctx, execu, "2027-H2")


def test_the_signals_page_starts_from_the_earlier_signal_in_one_click(
    own_demo: Context, as_user: Callable[[str | None], Actor]
) -> None:
    rep = as_user("orgrep")
    (org,) = rep.scopes(Role.REPRESENTATIVE)
    # 2027-H1 was not started from another period: nothing to start from.
    at = page("signals").run()
    assert not at.exception
    assert not [b for b in at.button if b.label.startswith("Start from our")]

    _signalling_h2(own_demo)
    earlier, _ = signals.my_signal(own_demo, rep, org, "2027-H1")
    assert earlier is not None
    at = page("signals").run()
    assert not at.exception
    assert by_label(at.multiselect, "Items we support").value == []
    by_label(at.button, "Start from our 2027-H1 signal").click().run()
    assert not at.exception and not at.error
    assert at.success[0].value.startswith("Saved our 2027-H1 signal as our signal for this period.")
    now, _ = signals.my_signal(own_demo, rep, org)
    assert now is not None and now.approvals == sorted(earlier.approvals)
    # The form already shows the copied signal, and the button is gone at once (it once
    # stayed until the next click, offering a second copy).
    assert sorted(by_label(at.multiselect, "Items we support").value) == sorted(earlier.approvals)
    assert not [b for b in at.button if b.label.startswith("Start from our")]
    # The answer shows once; with a signal in the period, the button is not offered again.
    at.run()
    assert not at.success
    at = page("signals").run()
    assert not [b for b in at.button if b.label.startswith("Start from our")]


def test_the_period_page_says_what_the_source_left_and_carried_over(
    own_demo: Context, as_user: Callable[[str | None], Actor]
) -> None:
    execu = as_user("exec")
    envelope = periods.get_period(own_demo).settings.envelope
    plan = publishing.publish_plan(own_demo, execu, envelope).snapshot
    _signalling_h2(own_demo)
    at = page("period").run()
    assert not at.exception
    unallocated = round(plan_accounting(plan).step("Left unallocated").weeks, 3)
    assert plan.reserve == 23
    assert [i.value for i in at.info] == [
        f"2027-H1 left {round(unallocated + 23, 3):g} person-weeks unspent: the final plan "
        f"left {unallocated:g} person-weeks unallocated, and the reserve of 23 person-weeks "
        "counts as unspent too (no plan allots the reserve, and the app records no use of "
        "it). This effort was returned to the pool of 2027-H2 (its budget includes it)."
    ]
    assert "Carried over from 2027-H1" in [s.value for s in at.subheader]
    (table,) = at.dataframe
    shown = sorted(
        int(str(x).removeprefix("/item?id=").split("#")[0]) for x in table.value["Title"]
    )
    assert shown == sorted(f.item for f in plan.funded)  # each title links to its item
    policy = by_label(
        at.radio, "Effort this period leaves unallocated, when the next period is started from it"
    )
    policy.set_value("lapse")
    by_label(at.button, "Save").click().run()
    assert not at.exception and not at.error
    assert periods.get_period(own_demo).settings.unspent_policy.value == "lapse"


def test_the_period_page_says_where_signalling_is_opened_and_the_period_closed(
    own_demo: Context, as_user: Callable[[str | None], Actor]
) -> None:
    """The caption must not read as if the period were closed ("... and the period closed
    on the Planning periods page")."""
    as_user("exec")
    at = page("period").run()
    assert not at.exception
    caption = next(c.value for c in at.caption if c.value.startswith("Status: "))
    assert caption == (
        f"Status: {periods.get_period(own_demo).settings.status.label}. Here you change the "
        "period's settings; to open signalling or to close the period, go to the "
        "[Planning periods](/periods) page."
    )
