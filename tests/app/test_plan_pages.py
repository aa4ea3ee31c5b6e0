"""The plan pages on a database holding two published plans, a kept comparison and a
progress report (restored from tests/fixtures/backup_0005_two_plans.json): the plan page's
Markdown and CSV downloads work for the executive (who also sees the overdue reports) and for
a member; a staff member sees their part of the latest plan."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from support import backup_0005

from roadmap.domain.access import Actor
from roadmap.services import backup
from roadmap.services.context import default_context
from roadmap.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
BACKUP = ROOT / "tests" / "fixtures" / "backup_0005_two_plans.json"


def page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=30)


@pytest.fixture
def two_plans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The pages' database for this test only: the backup's two plans, restored."""
    monkeypatch.setenv("ROADMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'plans.db'}")
    # The pages keep the process's context in Streamlit's resource cache: drop it, so that
    # they see this database, and again after, so that later tests see theirs.
    st.cache_resource.clear()
    default_context.cache_clear()
    ctx = default_context()
    upgrade(ctx.engine)
    backup.import_backup(ctx, Actor.system(), backup_0005(BACKUP))
    yield
    ctx.engine.dispose()
    default_context.cache_clear()
    st.cache_resource.clear()


@pytest.mark.parametrize("username", ["exec", "member"])
def test_the_plan_page_downloads_the_report_and_the_assignments(
    username: str,
    two_plans: None,
    downloads: dict[str, Callable[[], Any]],
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user(username)
    at = page("plan").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [b.label for b in at.download_button] == [
        "Download the plan as a Markdown report",
        "Download the assignments as CSV",
    ]
    assert set(downloads) == {"plan-2027-H1-v2.md", "plan-2027-H1-v2.csv"}
    # The backup's plans were published before plans kept their election: no bundle, said so.
    assert any("published before plans kept their election" in c.value for c in at.caption)

    markdown = downloads["plan-2027-H1-v2.md"]()
    assert markdown.startswith("# Staff plan 2027-H1, version 2\n")
    assert "Published 2026-11-02 by exec (scenario second, rule phragmen" in markdown
    assert "## Funded items" in markdown and "## Fairness" in markdown
    rows = downloads["plan-2027-H1-v2.csv"]().splitlines()
    assert rows[0] == "period,version,item,title,staff,name,skill,month,weeks,who_paid"
    assert len(rows) == 1 + 13  # the second plan's assignments in the backup
    assert all(row.startswith("2027-H1,2,") for row in rows[1:])

    at.download_button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    overdue_shown = any(s.value == "Reports overdue" for s in at.subheader)
    assert overdue_shown == (username == "exec")


def test_the_capacity_chart_of_a_six_month_plan_labels_months_jan_2027_to_jun_2027(
    two_plans: None, as_user: Callable[[str | None], Actor]
) -> None:
    """Plan version 2's capacity chart: a category axis of the six months, labelled
    "Jan 2027" ... in time order (plotly took "2027-01" for dates and ticked by weeks)."""
    as_user("member")
    at = page("plan").run()
    assert not at.exception, [e.value for e in at.exception]
    (chart,) = [
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if "Capacity use" in json.loads(c.proto.spec)["layout"]["title"]["text"]
    ]
    months = ["Jan 2027", "Feb 2027", "Mar 2027", "Apr 2027", "May 2027", "Jun 2027"]
    assert chart["layout"]["xaxis"]["type"] == "category"
    assert chart["layout"]["xaxis"]["categoryarray"] == months
    assert {x for trace in chart["data"] for x in trace["x"]} <= set(months)


def test_a_staff_member_sees_their_assignments_in_the_latest_plan(
    two_plans: None, as_user: Callable[[str | None], Actor]
) -> None:
    as_user("staff")
    at = page("my_plan").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [c.value for c in at.caption] == ["2027-H1, plan version 2"]
    items = next(s for s in at.selectbox if s.label == "Item")
    assert len(items.options) == 1 and items.options[0].startswith("#7 ")  # Jonah's one item


def test_the_executive_sees_the_kept_comparison_laid_out(
    two_plans: None, as_user: Callable[[str | None], Actor]
) -> None:
    as_user("exec")
    at = page("scenarios").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header] == ["Comparison"]
    assert next(i.value for i in at.info) == "baseline funds 23 items."
    assert [s.value for s in at.subheader][:5] == [
        "Items funded",
        "Effort per sub-community",
        "Effort per theme",
        "Each organization: share of voice and of funded effort on items it asked for",
        "Coverage and gaps",
    ]
    funded = at.dataframe[0].value
    assert list(funded.columns) == ["Item", "baseline"]  # the title links to its item
    assert all(str(link).startswith("/item?id=") for link in funded["Item"])
    assert set(funded["baseline"]) == {"✓"}
    assert [b.label for b in at.button if b.label.startswith("Publish")] == [
        "Publish baseline as the plan"
    ]


def waterfalls(at: AppTest) -> list[dict[str, Any]]:
    return [
        spec
        for c in at.get("plotly_chart")
        if (spec := json.loads(c.proto.spec))["data"][0]["type"] == "waterfall"
    ]


def assert_adds_up(chart: dict[str, Any], table: Any) -> None:
    """The waterfall's bars add up to each subtotal, and the table beside it shows the same
    steps with the same figures."""
    trace = chart["data"][0]
    level = 0.0
    for label, value, measure in zip(trace["y"], trace["x"], trace["measure"], strict=True):
        if measure == "absolute":
            level = value
        elif measure == "relative":
            level = round(level + value, 1)
        else:
            assert value == pytest.approx(level, abs=1e-9), label
    assert list(table["Step"]) == trace["y"]
    shown = [float(str(x).removeprefix("= ")) for x in table["Person-weeks"]]
    assert shown == pytest.approx(trace["x"])


def test_the_plan_page_s_waterfall_and_its_table_add_up_from_capacity_to_staffed_effort(
    two_plans: None, as_user: Callable[[str | None], Actor]
) -> None:
    """Version 2 of the backup's plan (format 1: its budget is its start)."""
    as_user("member")
    at = page("plan").run()
    assert not at.exception, [e.value for e in at.exception]
    (chart,) = waterfalls(at)
    table = next(
        t.value for t in at.dataframe if list(t.value.columns)[:2] == ["Step", "Person-weeks"]
    )
    assert_adds_up(chart, table)
    steps = chart["data"][0]["y"]
    assert steps[:3] == ["Budget", "Reserve", "Shared budget"]
    assert steps[-3:] == ["Funded effort", "Uncovered (skill gaps)", "Staffed effort"]
    assert "Words used here" in [e.label for e in at.expander]


def test_each_scenario_has_its_waterfall_its_table_and_every_organization_s_outcome(
    two_plans: None, as_user: Callable[[str | None], Actor]
) -> None:
    as_user("exec")
    at = page("scenarios").run()
    assert not at.exception, [e.value for e in at.exception]
    (chart,) = waterfalls(at)
    table = next(
        t.value for t in at.dataframe if list(t.value.columns)[:2] == ["Step", "Person-weeks"]
    )
    assert_adds_up(chart, table)
    outcome = next(t.value for t in at.dataframe if "Items it asked for, funded" in t.value.columns)
    assert len(outcome) == 8  # the executive sees every organization's row
    assert outcome["Paid in all (person-weeks)"].sum() > 0
    rule = next(s for s in at.selectbox if s.label == "Rule")
    assert rule.options == ["Equal Shares", "Greedy by support", "Sequential Phragmén"]
