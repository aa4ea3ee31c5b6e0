"""The vocabulary of the domain, in the users' words."""

from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    """An enum whose members a person reads as ``label`` (``in_comment`` → "in comment"),
    never as the stored value; members with other words override it."""

    @property
    def label(self) -> str:
        return _LABELS.get(self, self.value.replace("_", " "))


class Role(Labelled):
    """What a person may do; see the role table in DOMAIN.md."""

    ADMIN = "admin"
    EXECUTIVE = "executive"
    LEAD = "lead"  # scoped to a sub-community
    REPRESENTATIVE = "representative"  # scoped to an organization
    STAFF = "staff"
    MEMBER = "member"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]

    @property
    def scoped(self) -> bool:
        """Whether a grant of this role names a sub-community or an organization."""
        return self in (Role.LEAD, Role.REPRESENTATIVE)


_ROLE_LABELS = {
    Role.ADMIN: "admin",
    Role.EXECUTIVE: "executive",
    Role.LEAD: "sub-community lead",
    Role.REPRESENTATIVE: "organization representative",
    Role.STAFF: "staff",
    Role.MEMBER: "member",
}


class ItemStatus(Labelled):
    """The lifecycle of a roadmap item."""

    DRAFT = "draft"
    PROPOSED = "proposed"
    IN_COMMENT = "in_comment"
    IN_SCOPE = "in_scope"
    OUT_OF_SCOPE = "out_of_scope"
    DEFERRED = "deferred"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    WITHDRAWN = "withdrawn"

    @property
    def is_open(self) -> bool:
        """Whether work on the item may still happen: not done, withdrawn or out of scope
        (an open item keeps its sub-community from being archived)."""
        return self not in (ItemStatus.DONE, ItemStatus.WITHDRAWN, ItemStatus.OUT_OF_SCOPE)


class ItemKind(Labelled):
    FEATURE = "feature"
    MAINTENANCE = "maintenance"
    SECURITY = "security"
    DOCS = "docs"
    INFRASTRUCTURE = "infrastructure"
    COMMUNITY = "community"


class LinkKind(Labelled):
    ISSUE = "issue"
    PULL_REQUEST = "pull_request"
    ENHANCEMENT_PROPOSAL = "enhancement_proposal"
    OTHER = "other"


class OrgKind(Labelled):
    COMPANY = "company"
    NON_PROFIT = "non_profit"
    UNIVERSITY = "university"


class OrgTier(Labelled):
    PREMIER = "premier"
    GENERAL = "general"
    ASSOCIATE = "associate"


class OrgBasis(Labelled):
    PAID = "paid"
    EXCEPTION = "exception"


class OrgStatus(Labelled):
    ACTIVE = "active"
    LAPSED = "lapsed"
    ENDED = "ended"


class SignalForm(Labelled):
    APPROVAL = "approval"
    POINTS = "points"
    RANKING = "ranking"
    PLEDGE = "pledge"


class VoiceMode(Labelled):
    """How much voice each organization has in a period's allocation."""

    EQUAL = "equal"
    CONTRIBUTION = "contribution"
    BLEND = "blend"

    @property
    def label(self) -> str:
        return {
            "equal": "Equal voice",
            "contribution": "By contribution",
            "blend": "Blend of equal and contribution",
        }[self.value]


class AllocationRule(Labelled):
    EQUAL_SHARES = "equal_shares"
    GREEDY = "greedy"
    PHRAGMEN = "phragmen"

    @property
    def label(self) -> str:
        return {
            "equal_shares": "Equal Shares",
            "greedy": "Greedy by support",
            "phragmen": "Sequential Phragmén",
        }[self.value]


class Privacy(Labelled):
    """Whether individual signals are visible to other organizations."""

    ATTRIBUTED = "attributed"
    AGGREGATE = "aggregate"


class PeriodStatus(Labelled):
    DRAFT = "draft"
    SIGNALLING = "signalling"
    PLANNING = "planning"
    PUBLISHED = "published"
    CLOSED = "closed"


class UnspentPolicy(Labelled):
    """What happens to effort a period leaves unallocated when the next period starts."""

    POOL = "pool"  # returned to the pool: the next period's budget includes it
    LAPSE = "lapse"  # it lapses with the period

    @property
    def label(self) -> str:
        return {"pool": "returned to the pool", "lapse": "lapses"}[self.value]


class GroupKind(Labelled):
    THEME = "theme"
    SUBCOMMUNITY = "subcommunity"


class ScopeOutcome(Labelled):
    IN_SCOPE = "in_scope"
    OUT_OF_SCOPE = "out_of_scope"
    DEFERRED = "deferred"


# The words for members whose value does not read well with its underscores replaced.
_LABELS: dict[StrEnum, str] = {
    ItemKind.DOCS: "documentation",
    OrgKind.NON_PROFIT: "non-profit",
    LinkKind.ENHANCEMENT_PROPOSAL: "enhancement proposal",
    SignalForm.APPROVAL: "approval",
    SignalForm.POINTS: "points",
    SignalForm.RANKING: "ranking",
    SignalForm.PLEDGE: "pledge",
    Privacy.ATTRIBUTED: "attributed",
    Privacy.AGGREGATE: "aggregate only",
    GroupKind.SUBCOMMUNITY: "sub-community",
}
