"""What people are told, and who is told it: the kinds of notification, who receives each
kind, and the checks on an email address. No I/O: the service ``services.notifications``
writes the inbox rows and the outbox, ``services.mail`` sends the mail."""

from __future__ import annotations

import re
from enum import StrEnum

from roadmap.domain.enums import Role


class EventKind(StrEnum):
    """One kind of event people are told about (in the inbox, and by email if they wish)."""

    COMMENT_OPEN = "comment_open"  # an item opened for comment, with its deadline
    COMMENT = "comment"  # a comment on an item of the lead's sub-community
    DECISION = "decision"  # a scope decision, amendment or reversal on the lead's item
    SIGNALLING_OPEN = "signalling_open"
    SIGNALLING_CLOSING = "signalling_closing"  # signalling closes in 3 days or fewer
    PLAN_PROPOSED = "plan_proposed"  # a plan version open to objections
    PLAN_FINAL = "plan_final"  # a plan version published final, or finalized
    OBJECTION = "objection"  # a representative objected to a proposed version
    REPORT_DUE = "report_due"  # a progress report falls due within 3 days
    REPORT_OVERDUE = "report_overdue"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def roles(self) -> frozenset[Role]:
        """The roles whose holders receive this kind (what the email preferences offer)."""
        return RECIPIENT_ROLES[self]


_LABELS = {
    EventKind.COMMENT_OPEN: "An item opens for comment",
    EventKind.COMMENT: "A comment on an item of my sub-community",
    EventKind.DECISION: "A scope decision on an item of my sub-community",
    EventKind.SIGNALLING_OPEN: "Signalling opens",
    EventKind.SIGNALLING_CLOSING: "Signalling closes in 3 days",
    EventKind.PLAN_PROPOSED: "A plan version is proposed (objection window)",
    EventKind.PLAN_FINAL: "A plan version is final",
    EventKind.OBJECTION: "A representative objects to a proposed plan",
    EventKind.REPORT_DUE: "A progress report is due",
    EventKind.REPORT_OVERDUE: "A progress report is overdue",
}

# Who receives each kind (the person who acted is never told of their own act):
RECIPIENT_ROLES: dict[EventKind, frozenset[Role]] = {
    EventKind.COMMENT_OPEN: frozenset({Role.MEMBER}),  # every active account
    EventKind.COMMENT: frozenset({Role.LEAD}),  # its sub-community's leads, and its author
    EventKind.DECISION: frozenset({Role.LEAD}),  # the same
    EventKind.SIGNALLING_OPEN: frozenset({Role.REPRESENTATIVE}),
    EventKind.SIGNALLING_CLOSING: frozenset({Role.REPRESENTATIVE}),
    EventKind.PLAN_PROPOSED: frozenset({Role.REPRESENTATIVE}),
    EventKind.PLAN_FINAL: frozenset({Role.STAFF, Role.REPRESENTATIVE, Role.LEAD}),
    EventKind.OBJECTION: frozenset({Role.EXECUTIVE}),
    EventKind.REPORT_DUE: frozenset({Role.STAFF}),  # the staff assigned to the item
    EventKind.REPORT_OVERDUE: frozenset({Role.EXECUTIVE, Role.STAFF}),  # and the assigned staff
}

# The opt-out that stops every email to a person (beside one row per kind).
ALL_MAIL = "*"
# Days before the end of signalling, or before a report falls due, that people are told.
WARN_DAYS = 3

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
EMAIL = re.compile(rf"^[^@\s<>()\[\],;:\"\\]+@{_LABEL}(?:\.{_LABEL})+$")


def check_email(value: str) -> str:
    """``value`` as an email address (trimmed), or a sentence saying what is wrong."""
    value = value.strip()
    if len(value) > 254 or not EMAIL.match(value):
        raise ValueError(
            "The email address must look like name@example.org (one @, a domain with a dot, "
            "no spaces)."
        )
    return value


def kinds_for(roles: frozenset[Role]) -> list[EventKind]:
    """The kinds a person holding ``roles`` may receive, in the order of :class:`EventKind`."""
    return [kind for kind in EventKind if kind.roles & roles]
