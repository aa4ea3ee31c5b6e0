"""The explanations on the scenarios page, the published-plan page and the item page
(AppTest on a demo database of this module's own, with a kept comparison and a published
plan): every item explained in sentences, and "what would fund it" worked out on request."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.domain.enums import Privacy
from roadmap.services import comparisons, demo, periods, publishing, scenarios
from roadmap.services.context import default_context
from roadmap.services.sessions import authenticate
from roadmap.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """A demo database with a kept comparison and a published plan in an aggregate-only
    period; yields the plan's snapshot and an item it left out."""
    before = os.environ.get("ROADMAP_DATABASE_URL")
    os.environ["ROADMAP_DATABASE_URL"] = (
        f"sqlite:///{tmp_path_factory.mktemp('explain') / 'roadmap.db'}"
    )
    st.cache_resource.clear()
    default_context.cache_clear()
    ctx = default_context()
    try:
        upgrade(ctx.engine)
        demo.load_demo(ctx, Actor.system(), config.demo_dir())
        execu = authenticate(ctx, "exec", "demo")
        assert execu is not None
        period = periods.get_period(ctx)
        periods.update_period(
            ctx, execu, period.key, {"privacy": Privacy.AGGREGATE}, period.version
        )
        envelope = period.settings.envelope
        kept = comparisons.keep_comparison(
            ctx, execu, [scenarios.scenario_result(ctx, execu, envelope, "A")]
        )
        plan = publishing.publish_plan(ctx, execu, envelope)
        # An item left out that someone asked for: its sentences measure its support.
        left_out = next(
            u.item
            for u in plan.snapshot.unfunded
            if u.reason not in ("a missing dependency", "no support")
        )
        yield {"snap": plan.snapshot, "left_out": left_out, "comparison": kept.id}
    finally:
        ctx.engine.dispose()
        if before is None:
            os.environ.pop("ROADMAP_DATABASE_URL", None)
        else:
            os.environ["ROADMAP_DATABASE_URL"] = before
        default_context.cache_clear()
        st.cache_resource.clear()


def run(name: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def why_column(at: AppTest) -> list[str]:
    frames = [d.value for d in at.dataframe if "Why" in d.value.columns]
    assert len(frames) == 1
    return list(frames[0]["Why"])


def test_the_scenarios_page_explains_every_item_and_works_out_what_would_fund_one(
    world: dict[str, object],
    as_user,  # type: ignore[no-untyped-def]
) -> None:
    as_user("exec")
    at = run("scenarios")
    assert "Why each item was or was not funded" in [h.value for h in at.subheader]
    why = why_column(at)
    assert len(why) >= 20 and all(w.startswith(("Funded", "Not funded")) for w in why)
    buttons = [b for b in at.button if b.label == "Work out what would fund it"]
    assert len(buttons) == 1  # the item chosen by default is one left out
    buttons[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    text = markdown(at)
    assert "What would fund it" in text
    assert "scope cut would fund it" in text or "No cut of its effort" in text


def test_the_plan_page_explains_every_item_without_naming_organizations_to_a_member(
    world: dict[str, object],
    as_user,  # type: ignore[no-untyped-def]
) -> None:
    snap = world["snap"]
    names = snap.names()  # type: ignore[attr-defined]
    as_user("member")
    at = run("plan")
    why = " ".join(why_column(at))
    assert "Funded by equal shares" in why
    assert not [n for n in names.values() if n in why]
    as_user("exec")
    why = " ".join(why_column(run("plan")))
    assert [n for n in names.values() if n in why]


def test_the_item_page_explains_the_item_in_the_latest_final_plan(
    world: dict[str, object],
    as_user,  # type: ignore[no-untyped-def]
) -> None:
    item = world["left_out"]
    as_user(None)
    at = run("item", id=str(item))
    assert "In the published plan" in [h.value for h in at.subheader]
    assert "Not funded:" in markdown(at)
    # The words its sentences use are explained beside them.
    [words] = [e for e in at.expander if e.label == "Words used here"]
    explained = "\n".join(str(m.value) for m in words.markdown)
    assert ("Effective support:" in markdown(at)) == ("**Effective support.**" in explained)
    [button] = [b for b in at.button if b.label == "Work out what would fund it"]
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    text = markdown(at)
    assert "What would fund it" in text
    names = world["snap"].names()  # type: ignore[attr-defined]
    assert not [n for n in names.values() if n in text]
