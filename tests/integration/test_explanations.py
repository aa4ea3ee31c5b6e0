"""Explanations and "what would fund it" on the demo data (SQLite and PostgreSQL): every
item of a scenario is explained; each counterfactual shown is re-checked by applying it and
running the rule again; in an aggregate-only period only the executive and an organization's
own representative read organization names in a published plan's explanations."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from support import Clock

from roadmap import config
from roadmap.allocation import Earmark, Project, allocate
from roadmap.domain.access import Actor
from roadmap.domain.enums import Privacy, Role
from roadmap.services import demo, explanations, periods, planning, publishing
from roadmap.services.context import Context
from roadmap.services.planning import FundingInput
from roadmap.services.scenarios import scenario_result
from roadmap.services.sessions import authenticate


@pytest.fixture
def demo_ctx(ctx: Context, clock: Clock) -> Context:
    demo.load_demo(ctx, Actor.system(), config.demo_dir())
    return ctx


def who(ctx: Context, username: str) -> Actor:
    actor = authenticate(ctx, username, "demo")
    assert actor is not None
    return actor


def funds(run: FundingInput, item: int, *, cost: int | None = None, pledge: int = 0) -> bool:
    """Whether the scenario's rule funds ``item`` with its effort set to ``cost`` or with an
    additional pledge of ``pledge`` person-weeks, everything else unchanged."""
    election, constraints = run.election, run.constraints
    if cost is not None:
        projects = tuple(
            Project(p.id, Fraction(cost)) if p.id == str(item) else p for p in election.projects
        )
        election = replace(election, projects=projects)
    if pledge:
        extra = Earmark(election.voters[0].id, str(item), pledge)
        constraints = replace(constraints, pledges=(*constraints.pledges, extra))
    selected = allocate(
        election, run.rule, weights=run.weights, constraints=constraints, explain=False
    ).selected
    return str(item) in selected


def test_every_item_of_a_scenario_is_explained_and_each_answer_holds(demo_ctx: Context) -> None:
    execu = who(demo_ctx, "exec")
    envelope = periods.get_period(demo_ctx).settings.envelope
    snap = scenario_result(demo_ctx, execu, envelope, "A").snapshot
    items = explanations.explain_plan(snap, explanations.group_names(demo_ctx))
    assert {e.item for e in items} == {f.item for f in snap.funded} | {
        u.item for u in snap.unfunded
    }
    assert all(e.sentences and e.sentences[0].startswith(("Funded", "Not funded")) for e in items)
    assert any(u.effective_support is not None for u in snap.unfunded)

    run = planning.funding_input(demo_ctx, envelope)
    funded = [f.item for f in snap.funded]
    checked = 0
    for line in snap.unfunded:
        if line.reason == "a missing dependency" or checked >= 2:
            continue
        answer = explanations.what_would_fund_in_scenario(
            demo_ctx, execu, envelope, line.item, funded
        )
        assert answer.stale is None
        if answer.max_effort is not None:  # cut to it: funded; one more (below its own): not
            assert funds(run, line.item, cost=answer.max_effort)
            if answer.max_effort + 1 < line.effort:
                assert not funds(run, line.item, cost=answer.max_effort + 1)
        if answer.pledge_weeks is not None:  # pledge it: funded; one less: not
            assert funds(run, line.item, pledge=answer.pledge_weeks)
            if answer.pledge_weeks > 1:
                assert not funds(run, line.item, pledge=answer.pledge_weeks - 1)
            assert answer.pledge_money is None or answer.pledge_money > 0
        names = {v: k for k, v in run.names.items()}
        for name, yes in answer.approvals.items():  # approving it funds it exactly when said
            org = names[name]
            assert org not in run.supporters.get(line.item, set())
            k = [v.id for v in run.election.voters].index(org)
            voter = run.election.voters[k]
            ballot = voter._replace(items=(*voter.items, str(line.item)))
            voters = (*run.election.voters[:k], ballot, *run.election.voters[k + 1 :])
            changed = replace(run, election=replace(run.election, voters=voters))
            assert funds(changed, line.item) == yes, (line.item, name)
        checked += 1
    assert checked == 2


def test_an_aggregate_only_plan_names_organizations_only_to_the_executive_and_their_own(
    demo_ctx: Context,
) -> None:
    execu = who(demo_ctx, "exec")
    period = periods.get_period(demo_ctx)
    periods.update_period(
        demo_ctx, execu, period.key, {"privacy": Privacy.AGGREGATE}, period.version
    )
    plan = publishing.publish_plan(demo_ctx, execu, period.settings.envelope)
    snap = plan.snapshot
    names = snap.names()
    rep = who(demo_ctx, "orgrep")
    (own,) = [key for role, key in rep.grants if role == Role.REPRESENTATIVE]
    assert own in names
    left_out = next(u.item for u in snap.unfunded if u.reason != "a missing dependency")

    def read(actor: Actor) -> str:
        (seen,) = [p for p in publishing.published_plans(demo_ctx, actor) if p.version == 1]
        words = [s for e in explanations.explain_plan(seen.snapshot) for s in e.sentences]
        answer = explanations.what_would_fund_in_plan(demo_ctx, actor, period.key, 1, left_out)
        return " ".join(words + answer.sentences())

    for username in ("member", None):
        text = read(who(demo_ctx, username) if username else Actor.public())
        assert not [n for n in names.values() if n in text], username
    assert "private" in read(Actor.public())
    everyone = read(execu)
    paying = {k for f in snap.funded for k in f.payments if not k.startswith("(")}
    assert all(names[k] in everyone for k in paying)
    mine = read(rep)
    assert not [n for k, n in names.items() if k != own and n in mine]
    if own in paying:
        assert names[own] in mine
