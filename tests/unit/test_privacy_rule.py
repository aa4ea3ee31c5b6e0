"""The privacy rule for member signals (``roadmap.domain.privacy``): who may see an
organization's individual signal, and a published plan as each reader sees it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from roadmap.domain.access import Actor
from roadmap.domain.enums import Privacy, Role
from roadmap.domain.plans import PlanSnapshot
from roadmap.domain.privacy import (
    ORGANIZATIONS,
    PRIVATE,
    plan_as_seen,
    sees_signal,
    sign_in_shows,
    signal_entry_as_seen,
)

BACKUP = Path(__file__).resolve().parents[1] / "fixtures" / "backup_0005_two_plans.json"

PUBLIC = Actor.public()
MEMBER = Actor(1, "member")
LEAD = Actor(2, "lead", grants=frozenset({(Role.LEAD, "jupyter-frontends")}))
STAFF = Actor(3, "staff", grants=frozenset({(Role.STAFF, None)}))
REP_A = Actor(4, "rep-a", grants=frozenset({(Role.REPRESENTATIVE, "a")}))
REP_B = Actor(5, "rep-b", grants=frozenset({(Role.REPRESENTATIVE, "b")}))
EXEC = Actor(6, "exec", grants=frozenset({(Role.EXECUTIVE, None)}))
ADMIN = Actor(7, "admin", grants=frozenset({(Role.ADMIN, None)}))
READERS = {
    "public": PUBLIC,
    "member": MEMBER,
    "lead": LEAD,
    "staff": STAFF,
    "rep-a": REP_A,
    "rep-b": REP_B,
    "exec": EXEC,
    "admin": ADMIN,
    "system": Actor.system(),  # the command line acts as an admin, not as the executive
}
# Who may see organization "a"'s signal in each kind of period.
SEES_A = {
    Privacy.AGGREGATE: {"rep-a", "exec"},
    Privacy.ATTRIBUTED: {"member", "lead", "staff", "rep-a", "rep-b", "exec", "admin", "system"},
}


@pytest.mark.parametrize("privacy", list(Privacy))
@pytest.mark.parametrize("reader", list(READERS))
def test_the_executive_and_the_organization_see_its_signal_others_only_when_attributed(
    privacy: Privacy, reader: str
) -> None:
    assert sees_signal(READERS[reader], privacy, "a") is (reader in SEES_A[privacy])


def test_asked_of_no_organization_a_representative_sees_no_one_elses() -> None:
    assert not sees_signal(REP_A, Privacy.AGGREGATE)
    assert sees_signal(REP_A, Privacy.ATTRIBUTED)
    assert sees_signal(EXEC, Privacy.AGGREGATE)
    assert not sees_signal(PUBLIC, Privacy.ATTRIBUTED)


def stored_plan() -> PlanSnapshot:
    tables = json.loads(BACKUP.read_text())["tables"]
    return PlanSnapshot.model_validate(tables["plans"][0]["snapshot"])


def test_a_reader_who_sees_every_organization_gets_the_plan_itself() -> None:
    snap = stored_plan()
    assert plan_as_seen(snap, lambda org: True) is snap


def test_hidden_payments_become_one_total_per_item_with_the_number_of_payers() -> None:
    snap = stored_plan()
    orgs = {a.org for a in snap.accounts}
    own = sorted(orgs)[0]
    seen = plan_as_seen(snap, lambda org: org == own)
    assert [f.item for f in seen.funded] == [f.item for f in snap.funded]
    for before, after in zip(snap.funded, seen.funded, strict=True):
        assert set(after.payments) <= {own, ORGANIZATIONS, "(pool)"}
        assert after.payments.get(own) == before.payments.get(own)
        hidden = sum(w for k, w in before.payments.items() if k in orgs and k != own)
        assert after.payments.get(ORGANIZATIONS, 0.0) == pytest.approx(hidden)
        assert after.payments.get("(pool)") == before.payments.get("(pool)")
        assert sum(after.payments.values()) == pytest.approx(sum(before.payments.values()))
        assert after.paying_organizations() == before.paying_organizations()
        assert (after.effort, after.stage, after.pledged) == (
            before.effort,
            before.stage,
            before.pledged,
        )
    assert any(ORGANIZATIONS in f.payments for f in seen.funded)
    for before_a, after_a in zip(snap.accounts, seen.accounts, strict=True):
        assert after_a.voice == before_a.voice
        if after_a.org == own:
            assert after_a == before_a
        else:
            assert after_a.private
            assert (after_a.paid, after_a.supported_effort, after_a.effort_share) == (0, 0, 0)


def test_the_reader_s_view_is_never_what_a_plan_stores() -> None:
    snap = stored_plan()
    seen = plan_as_seen(snap, lambda org: False)
    dumped = seen.model_dump(mode="json")
    assert all("payers" not in f for f in dumped["funded"])
    assert all("private" not in a for a in dumped["accounts"])
    assert (
        snap.model_dump(mode="json")
        == json.loads(BACKUP.read_text())["tables"]["plans"][0]["snapshot"]
    )


def test_a_hidden_signal_s_audit_entry_keeps_only_its_period() -> None:
    entry = {"period": "2027-H1", "approvals": [1, 2], "points": {"1": 40}, "pledges": []}
    assert signal_entry_as_seen(entry) == {"period": "2027-H1", "signal": PRIVATE}
    assert signal_entry_as_seen(None) is None


def test_hidden_pledges_are_summed_apart_from_hidden_payments() -> None:
    """An organization's pledge reveals its signal as its payments do: a reader who may not
    see it gets the pledges of hidden organizations as one total, kept apart from the rest,
    and still the number of organizations that paid (pledgers included)."""
    snap = stored_plan()
    line = snap.funded[0].model_copy(
        update={"pledged": 5.0, "pledges": {"a": 4.0, "b": 1.0}, "payments": {"(pool)": 2.0}}
    )
    snap = snap.model_copy(update={"format": 2, "funded": [line]})
    (seen,) = plan_as_seen(snap, lambda org: org == "a").funded
    assert seen.pledges == {"a": 4.0, ORGANIZATIONS: 1.0}
    assert seen.payments == {"(pool)": 2.0}
    assert seen.paying_organizations() == 2
    assert "(organizations): 1 person-week (pledge)" in seen.who_paid({})
    assert "b" not in seen.who_paid({}).replace("(pledge)", "")


def test_signing_in_shows_the_signals_only_of_an_attributed_period_to_a_reader_signed_out() -> None:
    assert sign_in_shows(Actor.public(), Privacy.ATTRIBUTED)
    assert not sign_in_shows(Actor.public(), Privacy.AGGREGATE)
    assert not sign_in_shows(MEMBER, Privacy.ATTRIBUTED)
