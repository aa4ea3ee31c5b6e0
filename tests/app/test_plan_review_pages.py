"""The objection window on the pages, on a demo database of each test's own: a proposed
version says so; a representative objects with a reason (an empty reason is refused and
nothing is written); the executive sees the objection, may not finalize before the window
closes, and finalizes after it; the scenarios page shows the difference against the final
version and publishes only once the executive confirms."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest
from support import Clock, dump

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.services import demo, periods, publishing
from roadmap.services.context import Context, default_context
from roadmap.services.sessions import authenticate
from roadmap.store.engine import reading
from roadmap.store.migrate import upgrade
from roadmap.store.tables import PlanObjectionRow, PlanRow
from roadmap.ui import session

ROOT = Path(__file__).resolve().parents[2]


def page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=60)


@pytest.fixture
def own_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    """A demo database for this test only, with a 7-day objection window."""
    monkeypatch.setenv("ROADMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'review.db'}")
    st.cache_resource.clear()
    default_context.cache_clear()
    ctx = default_context()
    upgrade(ctx.engine)
    demo.load_demo(ctx, Actor.system(), config.demo_dir())
    execu = authenticate(ctx, "exec", "demo")
    assert execu is not None
    period = periods.get_period(ctx)
    periods.update_period(ctx, execu, period.key, {"review_days": 7}, period.version)
    yield ctx
    ctx.engine.dispose()
    default_context.cache_clear()
    st.cache_resource.clear()


def _propose(ctx: Context, days_ago: float) -> None:
    """The executive proposes a version ``days_ago`` days before now."""
    then = Context(ctx.engine, lambda: datetime.now(UTC) - timedelta(days=days_ago))
    execu = authenticate(ctx, "exec", "demo")
    assert execu is not None
    envelope = periods.get_period(ctx).settings.envelope
    publishing.publish_plan(then, execu, envelope, "Proposal")


def _count(table: type) -> int:
    with reading(default_context().engine) as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_a_representative_objects_to_a_proposal_and_the_executive_sees_it(
    own_demo: Context, as_user: Callable[[str | None], Actor]
) -> None:
    _propose(own_demo, days_ago=1)
    as_user("orgrep")
    at = page("plan").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Version 1 is proposed" in w.value for w in at.warning)
    # An objection without a reason is refused, and nothing is written.
    next(b for b in at.button if b.label == "Record the objection").click().run()
    assert any("Say why the organization objects" in e.value for e in at.error)
    assert _count(PlanObjectionRow) == 0
    next(t for t in at.text_area if t.label.startswith("Reason")).input("Fund security first.")
    next(b for b in at.button if b.label == "Record the objection").click().run()
    assert not at.exception
    assert any("objection is recorded" in s.value for s in at.success)
    assert _count(PlanObjectionRow) == 1

    as_user("exec")
    at = page("plan").run()
    assert not at.exception
    assert "Objections" in [s.value for s in at.subheader]
    assert any("Fund security first." in m.value for m in at.markdown)
    # The window is still open: no finalize button, a sentence saying when.
    assert not [b for b in at.button if b.label.startswith("Finalize")]
    assert any("You can finalize version 1 after" in c.value for c in at.caption)

    as_user(None)  # the public sees the proposal but neither the objection nor the form
    at = page("plan").run()
    assert not at.exception
    assert not any("Fund security first." in m.value for m in at.markdown)
    assert not [b for b in at.button if b.label == "Record the objection"]


def test_an_objection_sent_after_the_window_closed_is_refused_with_a_sentence_and_writes_nothing(
    own_demo: Context, as_user: Callable[[str | None], Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    _propose(own_demo, days_ago=1)  # objections until six days from now
    clock = Clock(datetime.now(UTC))
    monkeypatch.setattr(session, "context", lambda: Context(own_demo.engine, clock))
    as_user("orgrep")
    at = page("plan").run()
    assert not at.exception, [e.value for e in at.exception]
    # The representative writes an objection; the window closes before it is sent.
    next(t for t in at.text_area if t.label.startswith("Reason")).input("Fund security first.")
    clock.advance(days=6, minutes=1)
    before = dump(own_demo.engine)
    next(b for b in at.button if b.label == "Record the objection").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (sentence,) = [e.value for e in at.error]
    assert sentence.startswith("The objection window for version 1 closed on ")
    assert sentence.endswith("Nothing was recorded.")
    assert not at.success
    assert any(c.value.startswith("The objection window closed on ") for c in at.caption)
    assert dump(own_demo.engine) == before
    assert _count(PlanObjectionRow) == 0
    # A representative who opens the page now is offered no form.
    at = page("plan").run()
    assert not at.exception
    assert not [b for b in at.button if b.label == "Record the objection"]


def test_the_executive_finalizes_after_the_window_and_staff_then_see_the_plan(
    own_demo: Context, as_user: Callable[[str | None], Actor]
) -> None:
    _propose(own_demo, days_ago=8)
    as_user("staff")
    at = page("my_plan").run()
    assert [i.value for i in at.info] == ["No plan has been published yet."]
    as_user("orgrep")
    at = page("plan").run()
    assert not [b for b in at.button if b.label == "Record the objection"], "window closed"
    as_user("exec")
    at = page("plan").run()
    next(b for b in at.button if b.label == "Finalize version 1").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Version 1 is final" in s.value for s in at.success)
    as_user("staff")
    at = page("my_plan").run()
    assert not at.exception
    assert next(c.value for c in at.caption).endswith("plan version 1")


def test_publishing_shows_the_difference_first_and_needs_a_confirmation(
    own_demo: Context, as_user: Callable[[str | None], Actor]
) -> None:
    as_user("exec")
    at = page("scenarios").run()
    next(r for r in at.radio if r.label == "Scenarios").set_value(1).run()
    next(b for b in at.button if b.label == "Run scenarios").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("No version is final yet" in i.value for i in at.info)
    propose = next(b for b in at.button if b.label.startswith("Propose"))
    assert propose.label == "Propose Scenario A as the plan"
    propose.click().run()
    assert any("Tick the box" in w.value for w in at.warning)
    assert _count(PlanRow) == 0, "published without a confirmation"
    next(c for c in at.checkbox if c.label.startswith("I have reviewed")).check().run()
    next(b for b in at.button if b.label.startswith("Propose")).click().run()
    assert not at.exception
    assert any("Proposed version 1" in s.value for s in at.success)
    assert _count(PlanRow) == 1


def test_pages_keep_the_last_plan_and_settings_reachable_once_the_next_period_signals(
    own_demo: Context, as_user: Callable[[str | None], Actor]
) -> None:
    from datetime import date

    from roadmap.services import period_setup

    _propose(own_demo, days_ago=0)
    execu = authenticate(own_demo, "exec", "demo")
    assert execu is not None
    period_setup.new_period_from(
        own_demo,
        execu,
        "2027-H1",
        "2027-H2",
        "2027, second half",
        date(2027, 7, 1),
        date(2027, 12, 31),
    )
    second = periods.get_period(own_demo, "2027-H2")
    periods.update_period(own_demo, execu, "2027-H2", {"review_days": 3}, second.version)
    period_setup.close_period(own_demo, execu, "2027-H1")
    period_setup.open_signalling(own_demo, execu, "2027-H2")
    assert periods.get_period(own_demo).key == "2027-H2"

    as_user(None)  # 2027-H2 takes signals and has no plan: the page shows 2027-H1's
    at = page("plan").run()
    assert not at.exception, [e.value for e in at.exception]
    assert next(c.value for c in at.caption).startswith("2027-H1, version 1")

    as_user("exec")  # the settings page opens on the current period; any other is a pick away
    at = page("period").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Planning period 2027, second half"
    assert next(n for n in at.number_input if n.label.startswith("Objection window")).value == 3
    at.selectbox(key="period-settings").set_value("2027-H1").run()
    assert at.title[0].value == "Planning period 2027, first half"
    review = next(n for n in at.number_input if n.label.startswith("Objection window"))
    assert review.value == 7  # 2027-H1's own setting, not a field left from 2027-H2


def test_two_comparisons_kept_in_the_same_second_are_told_apart_by_their_id(
    own_demo: Context, as_user: Callable[[str | None], Actor]
) -> None:
    from roadmap.services import comparisons
    from roadmap.services.scenarios import scenario_result

    frozen = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    same_second = Context(own_demo.engine, lambda: frozen)
    execu = authenticate(own_demo, "exec", "demo")
    assert execu is not None
    envelope = periods.get_period(own_demo).settings.envelope
    roomy = scenario_result(own_demo, execu, envelope, "A")
    tight = scenario_result(
        own_demo, execu, envelope.model_copy(update={"reserve_weeks": 120.0}), "A"
    )
    assert roomy.snapshot.funded != tight.snapshot.funded, "the test needs two fundings"
    older = comparisons.keep_comparison(same_second, execu, [roomy]).id
    newer = comparisons.keep_comparison(same_second, execu, [tight]).id

    as_user("exec")
    at = page("scenarios").run()
    picker = next(s for s in at.selectbox if s.label.startswith("Comparison"))
    labels = list(picker.options)  # as the person reads them
    assert len(set(labels)) == len(labels) == 2
    assert labels[0].startswith(f"Comparison #{newer}:")
    picker.set_value(older).run()
    assert not at.exception, [e.value for e in at.exception]
    funded = next(d for d in at.dataframe if "Item" in d.value.columns).value
    shown = sorted(int(str(x).removeprefix("/item?id=").split("#")[0]) for x in funded["Item"])
    assert shown == sorted(f.item for f in roomy.snapshot.funded)
