"""The explanation sentences (``roadmap.services.explanations``): pure functions from a plan
snapshot to sentences, each stage and reason in words, who paid, effective support, what
would fund it, and what a reader who may not see the organizations' signals reads."""

from __future__ import annotations

from roadmap.domain.enums import AllocationRule, GroupKind
from roadmap.domain.periods import Envelope, GroupConstraint
from roadmap.domain.plans import (
    AccountLine,
    FundedLine,
    PlanSnapshot,
    SolverOutcome,
    UnfundedLine,
)
from roadmap.domain.privacy import plan_as_seen
from roadmap.services.explanations import WhatWouldFund, as_seen, explain_plan

NAMES = {"acme": "Acme Corp", "beta": "Beta Labs", "gamma": "Gamma University"}


def _line(item: int, stage: str, **kw: object) -> FundedLine:
    base: dict[str, object] = {
        "item": item,
        "title": f"Item {item}",
        "subcommunity": "hub",
        "theme": None,
        "effort": 6.0,
        "stage": stage,
        "pledged": 0.0,
        "payments": {},
    }
    return FundedLine.model_validate(base | kw)


def _snapshot(rule: AllocationRule = AllocationRule.EQUAL_SHARES) -> PlanSnapshot:
    envelope = Envelope(
        rule=rule,
        constraints=[
            GroupConstraint(group_kind=GroupKind.THEME, group="security", floor_weeks=6.0)
        ],
    )
    return PlanSnapshot(
        format=3,
        name="A",
        envelope=envelope,
        budget=40,
        reserve=0,
        spent=30,
        subperiods=["2027-01"],
        funded=[
            _line(1, "pledges", pledged=6.0, pledges={"acme": 6.0}),
            _line(2, "floor", theme="security", payments={"(pool)": 6.0}),
            _line(3, "rule", payments={"acme": 2.0, "beta": 2.0, "gamma": 2.0}),
            _line(4, "completion", payments={"(pool)": 6.0}),
            _line(5, "rule", pledged=2.0, pledges={"beta": 2.0}, payments={"acme": 4.0}),
        ],
        unfunded=[
            UnfundedLine(
                item=6, title="Six", effort=9, reason="too little support", effective_support=40
            ),
            UnfundedLine(item=7, title="Seven", effort=9, reason="a cap", effective_support=100),
            UnfundedLine(item=8, title="Eight", effort=9, reason="a missing dependency"),
            UnfundedLine(
                item=9, title="Nine", effort=9, reason="no budget left", effective_support=0
            ),
        ],
        accounts=[
            AccountLine(org=k, name=n, voice=1 / 3, paid=0, supported_effort=0, effort_share=0)
            for k, n in NAMES.items()
        ],
        assignments=[],
        coverage=[],
        gaps=[],
        solver=SolverOutcome(status="optimal", gap=None, message=None),
    )


def _by_item(snap: PlanSnapshot) -> dict[int, str]:
    groups = {"theme:security": "Security and trust"}
    return {e.item: " ".join(e.sentences) for e in explain_plan(snap, groups)}


def test_every_item_is_explained_once_funded_first() -> None:
    items = explain_plan(_snapshot())
    assert [e.item for e in items] == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert [e.funded for e in items] == [True] * 5 + [False] * 4
    assert all(e.sentences for e in items)


def test_each_stage_is_said_in_words_with_who_paid() -> None:
    text = _by_item(_snapshot())
    assert text[1].startswith("Funded by an earmarked pledge from Acme Corp.")
    assert "Acme Corp by an earmarked pledge, 6 person-weeks" in text[1]
    assert text[2].startswith("Funded by the floor the executive set for Security and trust")
    assert "the pool, 6 person-weeks" in text[2]
    assert text[3].startswith("Funded by equal shares: 3 organizations paid.")
    assert "Acme Corp, 2 person-weeks; Beta Labs, 2 person-weeks; Gamma University" in text[3]
    assert text[4].startswith("Funded in the completion step that spends what equal shares left")
    assert "Beta Labs by an earmarked pledge, 2 person-weeks; Acme Corp, 4 person-weeks" in text[5]
    for words in text.values():
        for slug in ("floor)", "(rule)", "(pledges)", "completion)"):
            assert slug not in words


def test_each_reason_and_effective_support_is_said_in_words() -> None:
    text = _by_item(_snapshot())
    assert text[6].startswith("Not funded: too little support.")
    assert "Effective support: 40%" in text[6] and "40% of its effort" in text[6]
    assert text[7].startswith("Not funded: a cap.") and "Effective support: 100%" in text[7]
    assert text[8] == "Not funded: an item it depends on was not funded."
    assert "Effective support: 0%" in text[9]


def test_greedy_says_the_item_did_not_fit_and_pays_from_the_pool() -> None:
    snap = _snapshot(AllocationRule.GREEDY)
    snap = snap.model_copy(update={"funded": [_line(3, "rule", payments={"(pool)": 6.0})]})
    text = _by_item(snap)
    assert text[3].startswith("Funded by greedy by support, paid from the pool.")
    assert text[9].startswith("Not funded: no budget left. It did not fit")


def test_a_reader_who_may_not_see_the_signals_reads_totals_and_counts_only() -> None:
    hidden = plan_as_seen(_snapshot(), lambda org: False)
    text = _by_item(hidden)
    everything = " ".join(text.values())
    for name in NAMES.values():
        assert name not in everything
    assert text[3].startswith("Funded by equal shares: 3 organizations paid.")
    assert "3 organizations in all, 6 person-weeks (who paid what is private" in text[3]
    assert "earmarked pledges, 2 person-weeks" in text[5]


def test_a_reader_signed_out_of_an_attributed_period_is_told_members_see_who_paid() -> None:
    hidden = plan_as_seen(_snapshot(), lambda org: False, members_see=True)
    text = _by_item(hidden)[3]
    assert "3 organizations in all, 6 person-weeks (members who sign in see who paid what)" in text
    assert "private" not in text


def test_a_representative_reads_its_own_organization_by_name_and_the_rest_summed() -> None:
    text = _by_item(plan_as_seen(_snapshot(), lambda org: org == "beta"))
    assert "Beta Labs, 2 person-weeks" in text[3]
    assert "Acme Corp" not in text[3] and "Gamma University" not in text[3]
    assert "2 organizations in all, 4 person-weeks" not in text[3]  # the count is all payers
    assert "3 organizations in all, 4 person-weeks" in text[3]


def test_what_would_fund_it_in_words_with_and_without_a_rate() -> None:
    full = WhatWouldFund(
        6,
        max_effort=5,
        pledge_weeks=3,
        pledge_money=1500.0,
        has_rate=True,
        approvals={"acme": True, "beta": False},
    )
    text = " ".join(as_seen(full, NAMES, lambda org: True).sentences())
    assert "at 5 person-weeks of effort or less" in text
    assert "pledge of 3 person-weeks, about 1,500 in money at the period's rate" in text
    assert "If Acme Corp approved it, it would be funded." in text
    assert "Approving it alone would not fund it for Beta Labs." in text
    no_rate = WhatWouldFund(6, max_effort=None, pledge_weeks=None, approvals={})
    words = " ".join(no_rate.sentences())
    assert "No cut of its effort" in words and "No additional earmarked pledge" in words
    rate_less = WhatWouldFund(6, pledge_weeks=2)
    assert "(this period has no rate for money pledges)" in " ".join(rate_less.sentences())


def test_what_would_fund_it_hides_the_organizations_a_reader_may_not_see() -> None:
    full = WhatWouldFund(6, max_effort=5, approvals={"acme": True, "beta": False})
    seen = as_seen(full, NAMES, lambda org: org == "beta")
    text = " ".join(seen.sentences())
    assert "Acme Corp" not in text and "Beta Labs" in text
    assert "What 1 other organization could change is private" in text
    nobody = " ".join(as_seen(full, NAMES, lambda org: False).sentences())
    assert "Acme Corp" not in nobody and "Beta Labs" not in nobody


def test_an_item_nobody_asked_for_says_so_under_every_rule() -> None:
    nobody = UnfundedLine(item=10, title="Ten", effort=5, reason="no support", effective_support=0)
    for rule in AllocationRule:
        snap = _snapshot(rule)
        snap = snap.model_copy(update={"unfunded": [*snap.unfunded, nobody]})
        assert _by_item(snap)[10] == "Not funded: no member organization asked for it.", rule
