"""Explanations and "what would fund it" on the demo data (SQLite and PostgreSQL): every
item of a scenario is explained; each counterfactual shown is re-checked by applying it and
running the rule again; in an aggregate-only period only the executive and an organization's
own representative read organization names in a published plan's explanations; an item
page explains an item by the final plan that funded it (and says it is done), not by a
later period's plan."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest
from support import Clock

from roadmap import config
from roadmap.allocation import Earmark, Project, allocate
from roadmap.domain.access import Actor
from roadmap.domain.enums import Privacy, Role
from roadmap.services import (
    delivery,
    demo,
    explanations,
    period_setup,
    periods,
    planning,
    progress,
    publishing,
)
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


def test_an_attributed_plan_read_signed_out_says_members_who_sign_in_see_who_paid(
    demo_ctx: Context,
) -> None:
    """Who paid what is shown to every member in an attributed period, so a reader signed
    out is told to sign in, not that it is private; in an aggregate period it is private."""
    execu = who(demo_ctx, "exec")
    period = periods.get_period(demo_ctx)
    periods.update_period(
        demo_ctx, execu, period.key, {"privacy": Privacy.ATTRIBUTED}, period.version
    )
    publishing.publish_plan(demo_ctx, execu, period.settings.envelope)

    def who_paid(actor: Actor) -> str:
        (seen,) = [p for p in publishing.published_plans(demo_ctx, actor) if p.version == 1]
        words = [s for e in explanations.explain_plan(seen.snapshot) for s in e.sentences]
        return " ".join(s for s in words if s.startswith("Who paid:"))

    public = who_paid(Actor.public())
    assert "(members who sign in see who paid what)" in public
    assert "private" not in public
    member = who_paid(who(demo_ctx, "member"))
    assert "members who sign in" not in member and "private" not in member


def test_what_would_fund_it_read_signed_out_of_an_attributed_period_says_members_see_it(
    demo_ctx: Context,
) -> None:
    """In an attributed period every member sees which organizations' signals would fund an
    item left out: a reader signed out is told that members who sign in see it (it is not
    private), and a member sees the organizations by name."""
    execu = who(demo_ctx, "exec")
    period = periods.get_period(demo_ctx)
    periods.update_period(
        demo_ctx, execu, period.key, {"privacy": Privacy.ATTRIBUTED}, period.version
    )
    snap = publishing.publish_plan(demo_ctx, execu, period.settings.envelope).snapshot
    left_out = next(u.item for u in snap.unfunded if u.reason != "a missing dependency")

    def answer(actor: Actor) -> str:
        found = explanations.what_would_fund_in_plan(demo_ctx, actor, period.key, 1, left_out)
        return " ".join(found.sentences())

    public = answer(Actor.public())
    assert "could change is shown to members who sign in." in public
    assert "private" not in public
    member = answer(who(demo_ctx, "member"))
    assert "members who sign in" not in member and "private" not in member


def _h1_then_h2(ctx: Context) -> tuple[set[int], set[int], set[int]]:
    """2027-H1's plan published (final), then 2027-H2's while 2027-H1 is under way, as a
    foundation plans its next half: the items each funds, and those H2 left out."""
    execu = who(ctx, "exec")
    h1 = publishing.publish_plan(
        ctx, execu, periods.get_period(ctx, "2027-H1").settings.envelope, "H1", "2027-H1"
    ).snapshot
    period_setup.new_period_from(
        ctx, execu, "2027-H1", "2027-H2", "2027, second half", date(2027, 7, 1), date(2027, 12, 31)
    )
    h2 = publishing.publish_plan(
        ctx, execu, periods.get_period(ctx, "2027-H2").settings.envelope, "H2", "2027-H2"
    ).snapshot
    return (
        {f.item for f in h1.funded},
        {f.item for f in h2.funded},
        {u.item for u in h2.unfunded},
    )


def test_an_item_funded_in_h1_and_done_is_explained_by_h1s_plan_not_h2s(
    demo_ctx: Context,
) -> None:
    h1, _, h2_left_out = _h1_then_h2(demo_ctx)
    staff = who(demo_ctx, "staff")
    _, mine = progress.my_assignments(demo_ctx, staff)
    # An H1 item H2 left out (it carried over unfinished, and nobody asked for it again),
    # finished under H1's plan.
    item = next(a.item for a in mine if a.item in h1 & h2_left_out)
    progress.report_progress(demo_ctx, staff, item, 100, "Shipped.")
    delivery.close_as_done(demo_ctx, who(demo_ctx, "exec"), item)

    found = explanations.item_in_its_plan(demo_ctx, Actor.public(), item)
    assert found is not None
    assert (found.period, found.version, found.explanation.funded) == ("2027-H1", 1, True)
    assert found.summary() == "Funded in 2027-H1's final plan (version 1); done."
    assert found.explanation.sentences[0].startswith("Funded by")
    assert not [s for s in found.explanation.sentences if "Not funded" in s]
    assert found.later is None  # done: what a later plan left out does not concern it


def test_an_unfinished_item_keeps_its_funding_plan_and_one_never_funded_reads_the_latest(
    demo_ctx: Context,
) -> None:
    h1, h2, h2_left_out = _h1_then_h2(demo_ctx)
    # Funded by H1, left out by H2, not done: explained by H1's plan, with H2's decision
    # on what is left of it said beside it.
    carried = min(h1 & h2_left_out)
    found = explanations.item_in_its_plan(demo_ctx, Actor.public(), carried)
    assert found is not None
    assert (found.period, found.explanation.funded) == ("2027-H1", True)
    assert found.summary() == "Funded in 2027-H1's final plan (version 1)."
    assert found.later is not None
    assert found.later.startswith("2027-H2's final plan (version 1) does not fund it again: ")
    # Funded by both: the newer plan, which funds the work now.
    both = min(h1 & h2)
    found = explanations.item_in_its_plan(demo_ctx, Actor.public(), both)
    assert found is not None and (found.period, found.explanation.funded) == ("2027-H2", True)
    assert found.later is None
    # Never funded: the newest plan that left it out, in its words.
    never = min(h2_left_out - h1)
    found = explanations.item_in_its_plan(demo_ctx, Actor.public(), never)
    assert found is not None and (found.period, found.explanation.funded) == ("2027-H2", False)
    assert found.summary() == "Not funded in 2027-H2's final plan (version 1)."
    assert found.explanation.sentences[0].startswith("Not funded: ")
