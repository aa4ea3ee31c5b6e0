"""A published plan's reproducible bundle on the demo data (SQLite and PostgreSQL): it
verifies for every rule, ``roadmap verify`` names what tampering broke, a private period's
public bundle names nobody and still verifies, and a plan published before bundles says it
has none."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support import Clock

from roadmap import cli, config
from roadmap.domain.access import Actor
from roadmap.domain.enums import AllocationRule, Privacy, Role
from roadmap.domain.errors import NotFound
from roadmap.services import bundles, demo, periods, publishing
from roadmap.services.context import Context
from roadmap.services.sessions import authenticate


@pytest.fixture
def demo_ctx(ctx: Context, clock: Clock) -> Context:
    demo.load_demo(ctx, Actor.system(), config.demo_dir())
    return ctx


def who(ctx: Context, username: str) -> Actor:
    actor = authenticate(ctx, username, "demo")
    assert actor is not None
    return actor


def _publish(ctx: Context, rule: AllocationRule = AllocationRule.EQUAL_SHARES) -> Any:
    envelope = periods.get_period(ctx).settings.envelope.model_copy(update={"rule": rule})
    return publishing.publish_plan(ctx, who(ctx, "exec"), envelope)


def _verify(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    status = cli.main(["verify", str(path), *extra])
    return status, capsys.readouterr().out


@pytest.mark.parametrize("rule", list(AllocationRule))
def test_the_bundle_of_a_published_demo_plan_verifies_for_every_rule(
    demo_ctx: Context, rule: AllocationRule, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = _publish(demo_ctx, rule)
    text = bundles.bundle_json(demo_ctx, who(demo_ctx, "exec"), plan.period, plan.version)
    assert bundles.missing_bundle(demo_ctx, plan.period, plan.version) is None
    bundle = bundles.read_bundle(text)
    # The bundle's outcome is the published plan's: the same items, in the same order.
    assert bundle.outcome.selected == [str(f.item) for f in plan.snapshot.funded]
    assert bundle.election.rule.startswith(
        {"equal_shares": "equal-shares", "greedy": "greedy", "phragmen": "phragmen"}[rule.value]
    )
    checks = bundles.verify(bundle)
    assert len(checks) >= 8 and all(c.holds for c in checks), [c.sentence() for c in checks]
    path = tmp_path / "bundle.json"
    path.write_text(text)
    status, out = _verify(path, capsys)
    assert status == 0, out
    assert out.count("ok: ") == len(checks) and "FAILED" not in out


def _payer_and_item(data: dict[str, Any]) -> tuple[str, str]:
    """An organization that paid in the rule stage, and the item (the first such)."""
    for f in data["outcome"]["funded"]:
        if f["stage"] == "rule":
            payers = [k for k in f["payments"] if not k.startswith("(")]
            if payers:
                return payers[0], f["item"]
    raise AssertionError("no rule-stage payment")


def _tamper_funded(data: dict[str, Any]) -> None:
    dropped = data["outcome"]["selected"].pop()
    data["outcome"]["funded"] = [f for f in data["outcome"]["funded"] if f["item"] != dropped]


def _tamper_payment(data: dict[str, Any]) -> None:
    org, item = _payer_and_item(data)
    line = next(f for f in data["outcome"]["funded"] if f["item"] == item)
    line["payments"][org] = "1/3"


def _tamper_cost(data: dict[str, Any]) -> None:
    first = data["outcome"]["selected"][0]
    item = next(i for i in data["election"]["items"] if i["id"] == first)
    item["cost"] = str(int(float(item["cost"])) + 5)


def _tamper_signal(data: dict[str, Any]) -> None:
    org, item = _payer_and_item(data)
    signal = next(s for s in data["election"]["signals"] if s["organization"] == org)
    n = int(item)
    signal["approvals"] = [i for i in signal["approvals"] if i != n]
    signal["ranking"] = [i for i in signal["ranking"] if i != n]
    signal["points"].pop(item, None)
    signal["pledges"] = [p for p in signal["pledges"] if p["item"] != n]


def _tamper_certificate(data: dict[str, Any]) -> None:
    cert = data["certificate"]
    if "equal_shares" in cert:
        cert["equal_shares"]["rounds"][0]["rho"] = "1/1000"
    elif "phragmen" in cert:
        cert["phragmen"]["rounds"][0]["time"] = "1/1000"
    else:
        cert["greedy"]["decisions"][0]["density"] = "1/1000"


TAMPERING: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "a funded item": (_tamper_funded, "recomputing"),
    "a payment": (_tamper_payment, "recomputing"),
    "a cost": (_tamper_cost, "recomputing"),
    "a signal": (_tamper_signal, "recomputing"),
    "a certificate value": (_tamper_certificate, "certificate: "),
}


@pytest.mark.parametrize("rule", list(AllocationRule))
@pytest.mark.parametrize("what", list(TAMPERING))
def test_roadmap_verify_catches_tampering_and_names_the_check(
    demo_ctx: Context,
    rule: AllocationRule,
    what: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan = _publish(demo_ctx, rule)
    data = json.loads(bundles.bundle_json(demo_ctx, who(demo_ctx, "exec"), plan.period, 1))
    tamper, named = TAMPERING[what]
    if what in ("a payment", "a signal") and rule == AllocationRule.GREEDY:
        # Greedy has no per-organization payments: the pool pays. Change a pledge instead.
        pledged = next(f for f in data["outcome"]["funded"] if f["pledges"])
        org = next(iter(pledged["pledges"]))
        if what == "a payment":
            pledged["pledges"][org] = "1/3"
        else:
            signal = next(s for s in data["election"]["signals"] if s["organization"] == org)
            signal["pledges"] = []
    else:
        tamper(data)
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(data))
    status, out = _verify(path, capsys)
    assert status == 1, out
    failed = [line for line in out.splitlines() if line.startswith("FAILED: ")]
    assert failed, out
    last = out.splitlines()[-1]
    assert last.startswith("The bundle does not check out: ") and named in last, out
    # With the recomputation skipped, the certificate alone still catches every change but
    # the cost of an item it keeps the payments of (a payment then no longer covers it).
    status, out = _verify(path, capsys, "--skip-recompute")
    assert status == 1, out
    assert "recomputing" not in out


def test_an_unreadable_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "not-a-bundle.json"
    path.write_text('{"bundle": "something else"}')
    assert cli.main(["verify", str(path)]) == 2
    assert "cannot be checked" in capsys.readouterr().err
    assert cli.main(["verify", str(tmp_path / "missing.json")]) == 2


def test_a_private_period_bundle_names_organizations_only_to_who_may_see_them(
    demo_ctx: Context, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    execu = who(demo_ctx, "exec")
    period = periods.get_period(demo_ctx)
    periods.update_period(
        demo_ctx, execu, period.key, {"privacy": Privacy.AGGREGATE.value}, period.version
    )
    plan = _publish(demo_ctx)
    full = bundles.plan_bundle(demo_ctx, execu, plan.period, 1).bundle
    assert full is not None and full.pseudonymised == []
    orgs = {o.id: o.name for o in full.election.organizations}
    # The public: every organization under a pseudonym, nowhere its key or name.
    public_text = bundles.bundle_json(demo_ctx, Actor.public(), plan.period, 1)
    public = bundles.read_bundle(public_text)
    assert len(public.pseudonymised) == len(orgs)
    assert {o.id for o in public.election.organizations} == set(public.pseudonymised)
    for key, name in orgs.items():
        assert f'"{key}"' not in public_text and name not in public_text
    assert all(s.submitted_at is None for s in public.election.signals)
    # A member: the same (the period is private); the arithmetic still verifies.
    member = bundles.read_bundle(
        bundles.bundle_json(demo_ctx, who(demo_ctx, "member"), "2027-H1", 1)
    )
    assert member.pseudonymised == public.pseudonymised
    assert member.election == public.election, "pseudonyms are the same on every download"
    checks = bundles.verify(public)
    assert all(c.holds for c in checks), [c.sentence() for c in checks]
    # The organization's representative sees its own name, the others' pseudonyms.
    rep = who(demo_ctx, "orgrep")
    own = next(iter(rep.scopes(Role.REPRESENTATIVE)))
    theirs = bundles.read_bundle(bundles.bundle_json(demo_ctx, rep, plan.period, 1))
    assert own in {o.id for o in theirs.election.organizations}
    assert len(theirs.pseudonymised) == len(orgs) - 1
    assert all(c.holds for c in bundles.verify(theirs))
    path = tmp_path / "public.json"
    path.write_text(public_text)
    assert cli.main(["verify", str(path)]) == 0, capsys.readouterr().out


def test_a_plan_published_before_bundles_says_it_has_none(
    demo_ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plan row without evidence (as every row written before migration 0009, whose
    column is null; plan rows cannot be updated, so this one is published without it)."""

    class NoEvidence:
        def model_dump(self, mode: str) -> None:
            return None

    monkeypatch.setattr(publishing, "evidence_of", lambda run: NoEvidence())
    plan = _publish(demo_ctx)
    found = bundles.plan_bundle(demo_ctx, Actor.public(), plan.period, plan.version)
    assert found.bundle is None
    assert "published before plans kept their election" in found.missing
    # The plan page asks without reading the row's evidence (it can be a period's election).
    missing = bundles.missing_bundle(demo_ctx, plan.period, plan.version)
    assert missing is not None and "published before plans kept their election" in missing
    with pytest.raises(NotFound, match="published before plans kept their election"):
        bundles.bundle_json(demo_ctx, Actor.public(), plan.period, plan.version)


# What the rules said of an item nobody asked for before they said "no support".
EARLIER_WORDS = {
    AllocationRule.EQUAL_SHARES: "no budget left",  # the completion's greedy fill
    AllocationRule.GREEDY: "no budget left",
    AllocationRule.PHRAGMEN: "too little support",
}


@pytest.mark.parametrize("rule", list(AllocationRule))
def test_a_bundle_that_gave_an_item_nobody_asked_for_an_earlier_reason_still_verifies(
    demo_ctx: Context, rule: AllocationRule, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Plans published before the reason "no support" state the reason the rule reached such
    an item with: the same outcome in older words, which ``roadmap verify`` accepts; any
    other reason for it is still caught."""
    plan = _publish(demo_ctx, rule)
    data = json.loads(bundles.bundle_json(demo_ctx, who(demo_ctx, "exec"), plan.period, 1))
    nobody = [u for u in data["outcome"]["unfunded"] if u["reason"] == "no support"]
    assert nobody, "the demo election leaves out an item nobody asked for"
    for line in nobody:
        line["reason"] = EARLIER_WORDS[rule]
    path = tmp_path / "earlier.json"
    path.write_text(json.dumps(data))
    status, out = _verify(path, capsys)
    assert status == 0, out
    nobody[0]["reason"] = "a cap"
    path.write_text(json.dumps(data))
    status, out = _verify(path, capsys)
    assert status == 1 and "it is not funded (a cap" in out, out
