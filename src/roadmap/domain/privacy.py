"""The privacy rule for member signals, and the plan as a reader may see it.

One rule decides who sees an organization's individual signal, and everything that reveals
it: its payments per funded item in a plan, its fairness account (what it paid, the effort
of the items it asked for), a counterfactual naming it, and the before and after of its
audit entries. The executive and the organization's own representative always see it;
everyone else sees it only in a period whose signals are attributed, and only when signed
in. Otherwise the reader sees totals: per funded item the pool's, the pledges' and the
organizations' person-weeks and how many organizations paid; per organization its share of
voice (which is public) and nothing it paid or asked for.
"""

from __future__ import annotations

from collections.abc import Callable

from roadmap.domain.access import Actor
from roadmap.domain.enums import Privacy, Role
from roadmap.domain.plans import AccountLine, FundedLine, PlanSnapshot

# What a reader sees in place of a hidden signal or audit value.
PRIVATE = "(private)"
# The payment key under which the organizations a reader may not see are summed.
ORGANIZATIONS = "(organizations)"


def sees_signal(actor: Actor, privacy: Privacy, organization: str | None = None) -> bool:
    """Whether ``actor`` may see ``organization``'s individual signal and what reveals it
    (its payments per item, its fairness account, counterfactuals naming it, its audit
    entries), in a period whose privacy setting is ``privacy``.

    The executive: always. The organization's representative: its own, always. Anyone else
    signed in: only when the period is attributed. The public: never, only totals.
    ``organization=None`` asks about every organization at once (no own one counts).
    """
    if actor.has(Role.EXECUTIVE):
        return True
    if organization is not None and actor.has(Role.REPRESENTATIVE, organization):
        return True
    return actor.signed_in and privacy == Privacy.ATTRIBUTED


def sign_in_shows(actor: Actor, privacy: Privacy) -> bool:
    """Whether signing in would show ``actor`` every signal it may not see now: a reader
    signed out, in a period whose signals are attributed."""
    return not actor.signed_in and privacy == Privacy.ATTRIBUTED


def plan_as_seen(
    snap: PlanSnapshot, sees: Callable[[str], bool], members_see: bool = False
) -> PlanSnapshot:
    """``snap`` as a reader sees it who may see an organization's signal when ``sees(key)``;
    ``members_see``: what is hidden is shown to members who sign in (:func:`sign_in_shows`),
    so the funded items say so instead of calling it private.

    Each funded item keeps its effort, stage, pledged person-weeks and pool payment; the
    payments, and apart from them the pledges, of the organizations the reader may not see
    are summed under :data:`ORGANIZATIONS`, and the line says how many organizations paid.
    Each hidden organization's account keeps its voice; what it paid and the effort it
    asked for are zero and marked private. When the reader sees every organization,
    ``snap`` itself is returned.
    """
    orgs = {a.org for a in snap.accounts}
    orgs |= {
        k
        for f in snap.funded
        for table in (f.payments, f.pledges)
        for k in table
        if not k.startswith("(")
    }
    if all(sees(org) for org in orgs):
        return snap
    return snap.model_copy(
        update={
            "funded": [_funded_as_seen(f, orgs, sees, members_see) for f in snap.funded],
            "accounts": [_account_as_seen(a, sees) for a in snap.accounts],
        }
    )


def _funded_as_seen(
    line: FundedLine, orgs: set[str], sees: Callable[[str], bool], members_see: bool
) -> FundedLine:
    payers = {
        k
        for table in (line.payments, line.pledges)
        for k, w in table.items()
        if k in orgs and w > 0
    }
    return line.model_copy(
        update={
            "payments": _summed(line.payments, orgs, sees),
            "pledges": _summed(line.pledges, orgs, sees),
            "payers": len(payers),
            "members_see": members_see,
        }
    )


def _summed(
    weeks_by: dict[str, float], orgs: set[str], sees: Callable[[str], bool]
) -> dict[str, float]:
    """``weeks_by`` with the organizations the reader may not see summed under
    :data:`ORGANIZATIONS`."""
    shown: dict[str, float] = {}
    hidden = 0.0
    for key, weeks in weeks_by.items():
        if key in orgs and not sees(key):
            hidden += weeks
        else:
            shown[key] = weeks
    if hidden:
        shown[ORGANIZATIONS] = hidden
    return shown


def _account_as_seen(line: AccountLine, sees: Callable[[str], bool]) -> AccountLine:
    if sees(line.org):
        return line
    return line.model_copy(
        update={
            "paid": 0.0,
            "supported_effort": 0.0,
            "effort_share": 0.0,
            "supported": None if line.supported is None else [],
            "private": True,
        }
    )


def signal_entry_as_seen(values: dict[str, object] | None) -> dict[str, object] | None:
    """A signal's audit before/after as a reader who may not see it sees it: the period
    it belongs to, and nothing of what it named."""
    if values is None:
        return None
    return {"period": values.get("period"), "signal": PRIVATE}
