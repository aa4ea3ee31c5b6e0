"""The vocabulary of the domain, in the users' words."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
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


class ItemStatus(StrEnum):
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
    def label(self) -> str:
        return self.value.replace("_", " ")

    @property
    def is_open(self) -> bool:
        """Whether work on the item may still happen: not done, withdrawn or out of scope
        (an open item keeps its sub-community from being archived)."""
        return self not in (ItemStatus.DONE, ItemStatus.WITHDRAWN, ItemStatus.OUT_OF_SCOPE)


class ItemKind(StrEnum):
    FEATURE = "feature"
    MAINTENANCE = "maintenance"
    SECURITY = "security"
    DOCS = "docs"
    INFRASTRUCTURE = "infrastructure"
    COMMUNITY = "community"


class LinkKind(StrEnum):
    ISSUE = "issue"
    PULL_REQUEST = "pull_request"
    ENHANCEMENT_PROPOSAL = "enhancement_proposal"
    OTHER = "other"


class OrgKind(StrEnum):
    COMPANY = "company"
    NON_PROFIT = "non_profit"
    UNIVERSITY = "university"


class OrgTier(StrEnum):
    PREMIER = "premier"
    GENERAL = "general"
    ASSOCIATE = "associate"


class OrgBasis(StrEnum):
    PAID = "paid"
    EXCEPTION = "exception"


class OrgStatus(StrEnum):
    ACTIVE = "active"
    LAPSED = "lapsed"
    ENDED = "ended"


class SignalForm(StrEnum):
    APPROVAL = "approval"
    POINTS = "points"
    RANKING = "ranking"
    PLEDGE = "pledge"


class VoiceMode(StrEnum):
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


class AllocationRule(StrEnum):
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


class Privacy(StrEnum):
    """Whether individual signals are visible to other organizations."""

    ATTRIBUTED = "attributed"
    AGGREGATE = "aggregate"


class PeriodStatus(StrEnum):
    DRAFT = "draft"
    SIGNALLING = "signalling"
    PLANNING = "planning"
    PUBLISHED = "published"
    CLOSED = "closed"


class UnspentPolicy(StrEnum):
    """What happens to effort a period leaves unallocated when the next period starts."""

    POOL = "pool"  # returned to the pool: the next period's budget includes it
    LAPSE = "lapse"  # it lapses with the period

    @property
    def label(self) -> str:
        return {"pool": "returned to the pool", "lapse": "lapses"}[self.value]


class GroupKind(StrEnum):
    THEME = "theme"
    SUBCOMMUNITY = "subcommunity"


class ScopeOutcome(StrEnum):
    IN_SCOPE = "in_scope"
    OUT_OF_SCOPE = "out_of_scope"
    DEFERRED = "deferred"
