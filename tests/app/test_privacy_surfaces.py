"""One privacy rule, every surface: every surface that could show an organization's
individual signal, or the payments that reveal it, for every role, in an aggregate-only and
in an attributed period, on SQLite and PostgreSQL (issue 14, item 2; the rule is in the
README's "Privacy" section and ``roadmap.domain.privacy``).

The demo data, plus a second representative (of Cirrovane Compute), both representatives'
signals saved again through the service (so the audit log holds them), and a published
plan in which A (Lanternfish Analytics, ``orgrep``'s), B (Cirrovane Compute, ``orgrep_b``'s)
and C (Orbisome Genomics, nobody's here) pay for items. What each reader must see is
written out below, not computed with the rule under test.

Surfaces: the published plan page (text, tables, every chart's spec with its hover data),
its Markdown report and CSV, My plan, the item page of an item A, B and C paid for, the
member-signals page and its CSV, the representatives' own signals page, the members page,
and the audit log page, its CSV and rows. The scenarios page is the executive's alone.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Node
from support import pg_schema

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.domain.enums import Privacy
from roadmap.domain.errors import PermissionDenied
from roadmap.domain.signals import PledgeInput
from roadmap.services import accounts, audit, demo, periods, publishing, signals
from roadmap.services.context import Context, default_context
from roadmap.services.sessions import authenticate
from roadmap.store.migrate import upgrade
from roadmap.ui.registry import BY_KEY

ROOT = Path(__file__).resolve().parents[2]
A, B, C = "lanternfish-analytics", "cirrovane-compute", "orbisome-genomics"
NAMES = {A: "Lanternfish Analytics", B: "Cirrovane Compute", C: "Orbisome Genomics"}
REP_B = ("orgrep_b", "demo-password-b")
ROLES = {  # role -> demo username (None: signed out)
    "public": None,
    "member": "member",
    "lead": "lead",
    "staff": "staff",
    "rep_a": "orgrep",
    "rep_b": "orgrep_b",
    "exec": "exec",
    "admin": "admin",
}
# Whose individual signals and payments each role sees. The admin is not the executive; the
# public sees totals in both kinds of period.
SEES = {
    Privacy.AGGREGATE: {
        "public": set(),
        "member": set(),
        "lead": set(),
        "staff": set(),
        "rep_a": {A},
        "rep_b": {B},
        "exec": {A, B, C},
        "admin": set(),
    },
    Privacy.ATTRIBUTED: {
        "public": set(),
        "member": {A, B, C},
        "lead": {A, B, C},
        "staff": {A, B, C},
        "rep_a": {A, B, C},
        "rep_b": {A, B, C},
        "exec": {A, B, C},
        "admin": {A, B, C},
    },
}
CASES = [(p, role) for p in (Privacy.AGGREGATE, Privacy.ATTRIBUTED) for role in ROLES]
IDS = [f"{p.value}-{role}" for p, role in CASES]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def plan_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[int]:
    """The pages' database for this module: the demo, rep B, both signals saved again, and
    a published plan; yields an item that A, B and C paid for."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('privacy') / 'roadmap.db'}"
        yield from _world(url)
    else:
        with pg_schema("privacy") as url:
            yield from _world(url)


def _world(url: str) -> Iterator[int]:
    before = os.environ.get("ROADMAP_DATABASE_URL")
    os.environ["ROADMAP_DATABASE_URL"] = url
    st.cache_resource.clear()
    default_context.cache_clear()
    ctx = default_context()
    try:
        upgrade(ctx.engine)
        system = Actor.system()
        demo.load_demo(ctx, system, config.demo_dir())
        accounts.create_user(ctx, system, REP_B[0], "Rep of Cirrovane", REP_B[1])
        accounts.grant_role(ctx, system, REP_B[0], "representative", B)
        for (username, password), org in ((("orgrep", "demo"), A), (REP_B, B)):
            rep = _actor(ctx, username, password)
            current, _ = signals.my_signal(ctx, rep, org)
            assert current is not None
            signals.save_signal(
                ctx,
                rep,
                org,
                current.approvals,
                current.points,
                current.ranking,
                [PledgeInput(i, w, 0.0, n) for i, w, n in current.pledges],
            )
        execu = _actor(ctx, "exec", "demo")
        plan = publishing.publish_plan(ctx, execu, periods.get_period(ctx).settings.envelope)
        shared = [f.item for f in plan.snapshot.funded if {A, B, C} <= set(f.payments)]
        assert shared, "the demo plan should have an item that A, B and C paid for"
        paid_by = {k for f in plan.snapshot.funded for k in f.payments}
        assert {A, B, C} <= paid_by
        yield shared[0]
    finally:
        ctx.engine.dispose()
        if before is None:
            os.environ.pop("ROADMAP_DATABASE_URL", None)
        else:
            os.environ["ROADMAP_DATABASE_URL"] = before
        default_context.cache_clear()
        st.cache_resource.clear()


def _actor(ctx: Context, username: str, password: str) -> Actor:
    actor = authenticate(ctx, username, password)
    assert actor is not None, username
    return actor


def _set_privacy(privacy: Privacy) -> Context:
    ctx = default_context()
    period = periods.get_period(ctx)
    if period.settings.privacy != privacy:
        execu = _actor(ctx, "exec", "demo")
        periods.update_period(ctx, execu, period.key, {"privacy": privacy}, period.version)
    return ctx


def run(key: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{key}.py"), default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def elements(node: Node) -> Iterator[Node]:
    if isinstance(node, Block):
        for child in node.children.values():
            yield from elements(child)
    else:
        yield node


def rendered(at: AppTest) -> str:
    """Everything the page drew, as text: each table's cells, each chart's spec (its data,
    labels and hover data), every other element's message."""
    parts = []
    for node in elements(at._tree):
        if node.type == "arrow_data_frame":
            parts.append(node.value.to_csv())  # type: ignore[attr-defined]
        elif node.type == "plotly_chart":
            parts.append(node.proto.spec)  # type: ignore[attr-defined]
        elif hasattr(node, "proto"):
            parts.append(str(node.proto))
    return "\n".join(parts)


def charts(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def opens(key: str, actor: Actor) -> bool:
    return BY_KEY[key].allows(actor)


@pytest.mark.parametrize(("privacy", "role"), CASES, ids=IDS)
def test_the_published_plan_shows_payments_only_to_those_who_may_see_them(
    plan_world: int,
    privacy: Privacy,
    role: str,
    as_user: Callable[[str | None], Actor],
    downloads: dict[str, Callable[[], Any]],
) -> None:
    """The plan page (tables, Sankey, fairness chart, outcome table), its Markdown and CSV,
    My plan and the item page: an organization's name appears among who paid (page,
    Markdown, CSV) and as a payer in the Sankey, its fairness account (effort it asked for)
    is drawn, and its row of the outcome table is shown, exactly for those who may see its
    signal; its key is drawn for no one."""
    _set_privacy(privacy)
    actor = as_user(ROLES[role])
    sees = SEES[privacy][role]
    at = run("plan")
    page = rendered(at)
    markdown = downloads["plan-2027-H1-v1.md"]()
    plan_csv = downloads["plan-2027-H1-v1.csv"]()
    outcome = next(t.value for t in at.dataframe if "Items it asked for, funded" in t.value.columns)
    rows = set(outcome["Organization"])
    bars = {
        name
        for figure in charts(at)
        for trace in figure["data"]
        if trace.get("name") == "Share of funded effort on items it asked for"
        for name in trace.get("y", [])
    }
    payers = {
        label
        for figure in charts(at)
        for trace in figure["data"]
        if trace.get("type") == "sankey"
        for label in trace["node"]["customdata"]
    }
    funded = next(t.value for t in at.dataframe if "Who paid" in t.value.columns)
    shared = funded[funded["Item"].str.startswith(f"/item?id={plan_world}#")].iloc[0]
    assert shared["Paying organizations"] == 3, "everyone sees how many organizations paid"
    shared_row = next(ln for ln in markdown.splitlines() if ln.startswith(f"| {plan_world} | "))
    for org in (A, B, C):
        seen = org in sees
        assert org not in page, f"{role} sees {org}'s key on the page"
        assert (NAMES[org] in payers) is seen, f"{role}: {org} among the Sankey's payers"
        assert (NAMES[org] in shared["Who paid"]) is seen
        assert (NAMES[org] in shared_row) is seen, f"{role} in the Markdown report: {org}"
        account = next(ln for ln in markdown.splitlines() if ln.startswith(f"| {NAMES[org]} |"))
        assert account.endswith("| (private) |") is not seen, f"{role}: {account}"
        assert (NAMES[org] in rows) is seen, f"{role}: {org}'s row of the outcome table"
        assert (NAMES[org] in bars) is seen, f"{role}: fairness chart bar of {org}"
        assert org not in plan_csv  # who paid names an organization by its name
        assert (NAMES[org] in plan_csv) is seen, f"{role} in the CSV's who paid: {org}"
    if not sees >= {A, B, C}:
        assert "(organizations)" in page and "(organizations)" in markdown
        assert "Organizations (private)" in payers
        assert "outcomes are private in this period" in page

    if opens("my_plan", actor):
        staff_page = rendered(run("my_plan"))
        assert not [org for org in (A, B, C) if org not in sees and org in staff_page]
    item_page = rendered(run("item", id=str(plan_world)))
    assert not [org for org in (A, B, C) if org not in sees and org in item_page]


@pytest.mark.parametrize(("privacy", "role"), CASES, ids=IDS)
def test_the_explanations_name_an_organization_only_to_those_who_may_see_it(
    plan_world: int,
    privacy: Privacy,
    role: str,
    as_user: Callable[[str | None], Actor],
) -> None:
    """The plan page's explanation of the item A, B and C paid for names each of them
    exactly for those who may see its signal (the others read the total and "3
    organizations"); the item page's explanation too; and "what would fund it" for an item
    left out names no organization the reader may not see."""
    ctx = _set_privacy(privacy)
    as_user(ROLES[role])
    sees = SEES[privacy][role]
    at = run("plan")
    why = next(t.value for t in at.dataframe if "Why" in t.value.columns)
    shared = why[why["Item"].str.startswith(f"/item?id={plan_world}#")].iloc[0]["Why"]
    assert "3 organizations paid" in shared
    item_page = rendered(run("item", id=str(plan_world)))
    for org in (A, B, C):
        seen = org in sees
        assert (NAMES[org] in shared) is seen, f"{role} {'misses' if seen else 'sees'} {org}"
        assert (NAMES[org] in item_page) is seen, f"{role}: {org} on the item page"
    (plan,) = publishing.published_plans(ctx, Actor.public())
    left_out = next(u.item for u in plan.snapshot.unfunded if u.reason != "a missing dependency")
    item = run("item", id=str(left_out))
    [button] = [b for b in item.button if b.label == "Work out what would fund it"]
    button.click().run()
    answer = "\n".join(m.value for m in item.markdown)
    assert "What would fund it" in answer
    assert not [o for o in (A, B, C) if o not in sees and NAMES[o] in answer], role


@pytest.mark.parametrize(("privacy", "role"), CASES, ids=IDS)
def test_member_signals_show_an_organization_s_signal_only_to_those_who_may_see_it(
    plan_world: int,
    privacy: Privacy,
    role: str,
    as_user: Callable[[str | None], Actor],
    downloads: dict[str, Callable[[], Any]],
) -> None:
    """The member-signals page (its signal table, heatmap and agreement chart) and its CSV,
    the representatives' own page and the members page. Who cannot open the page gets, from
    the service itself, the totals only."""
    ctx = _set_privacy(privacy)
    actor = as_user(ROLES[role])
    sees = SEES[privacy][role]
    if opens("signals_overview", actor):
        at = run("signals_overview")
        shown: set[str] = set()
        for table in at.dataframe:
            if {"Organization", "Item"} <= set(table.value.columns):
                shown |= set(table.value["Organization"])
        for figure in charts(at):
            for trace in figure["data"]:
                if trace.get("type") == "heatmap":
                    shown |= set(trace.get("y", [])) | set(trace.get("x", []))
        csv_text = downloads["signals.csv"]()
    else:
        csv_text = signals.signals_csv(ctx, actor)
        shown = {NAMES.get(s.organization, "") for s in signals.signal_board(ctx, actor).signals}
    for org in (A, B, C):
        seen = org in sees
        assert (NAMES[org] in shown) is seen, f"{role} {'misses' if seen else 'sees'} {org}"
        assert (org in csv_text) is seen, f"{role}: {org} in the signals CSV"
    for key in ("signals", "members"):
        if opens(key, actor):
            text = rendered(run(key))
            assert not [org for org in (A, B, C) if org not in sees and org in text], key


@pytest.mark.parametrize(("privacy", "role"), CASES, ids=IDS)
def test_the_audit_log_shows_a_signal_only_to_those_who_may_see_it(
    plan_world: int,
    privacy: Privacy,
    role: str,
    as_user: Callable[[str | None], Actor],
    downloads: dict[str, Callable[[], Any]],
) -> None:
    """The audit log page, its CSV and its rows: a signal's before and after are its
    period and "(private)" for whoever may not see that organization's signal."""
    ctx = _set_privacy(privacy)
    actor = as_user(ROLES[role])
    sees = SEES[privacy][role]
    if not opens("audit", actor):
        with pytest.raises(PermissionDenied):
            audit.list_events(ctx, actor)
        return
    rows = {e.entity_id: e for e in audit.list_events(ctx, actor) if e.action == "signal"}
    at = run("audit")
    # The page reads an event as a sentence ("Signal: Period: 2027-H1; Approvals: ..."), on
    # "organization <key>"; the CSV keeps the stored action, id and values.
    table = next(t.value for t in at.dataframe if "What happened" in t.value.columns)
    shown = table[table["What happened"].str.startswith("Signal")].copy()
    shown["Id"] = shown["On"].str.removeprefix("organization ")
    shown = shown.set_index("Id").rename(columns={"What happened": "After"})
    exported = pd.read_csv(io.StringIO(downloads["audit.csv"]()))
    exported = exported[exported["Action"] == "signal"].set_index("Id")
    assert set(rows) == set(shown.index) == set(exported.index) == {A, B}
    for org in (A, B):
        seen = org in sees
        assert ("approvals" in (rows[org].after or {})) is seen, f"{role}: {org}'s row"
        assert rows[org].after is not None and rows[org].after["period"] == "2027-H1"
        for where in (shown, exported):
            after = str(where.loc[org, "After"]).lower()  # the page writes "Approvals"
            assert ("approvals" in after) is seen, f"{role}: {org}'s signal in the audit"
            assert ("(private)" in after) is not seen
