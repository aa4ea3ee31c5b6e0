"""An audit event's before and after as a person reads them: "Status: draft → proposed",
not ``status: in_comment``, Python dict text or ISO timestamps."""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from enum import StrEnum
from typing import Any

from roadmap.domain.enums import (
    AllocationRule,
    ItemKind,
    ItemStatus,
    OrgBasis,
    OrgKind,
    OrgStatus,
    OrgTier,
    PeriodStatus,
    Privacy,
    Role,
    ScopeOutcome,
    SignalForm,
    UnspentPolicy,
    VoiceMode,
)
from roadmap.ui.dates import day, format_when

# Fields whose name does not read well with its underscores replaced.
_NAMES = {
    "effort_low": "Effort (low)",
    "effort_high": "Effort (high)",
    "depends_on": "Depends on",
    "closes_at": "Comment period closes",
    "subcommunity": "Sub-community",
    "term_start": "Term start",
    "term_end": "Term end",
    "capacity_weeks": "Capacity (person-weeks)",
    "signal_forms": "Signal forms",
    "voice": "Voice",
    "rule": "Allocation rule",
    "grants": "Roles",
    "active": "Active",
    "off": "Email turned off for",
}
# The enum a field's values come from, so its values read as their labels.
_ENUMS: dict[str, tuple[type[StrEnum], ...]] = {
    "status": (ItemStatus, PeriodStatus, OrgStatus),
    "kind": (ItemKind, OrgKind),
    "tier": (OrgTier,),
    "basis": (OrgBasis,),
    "privacy": (Privacy,),
    "signal_forms": (SignalForm,),
    "voice": (VoiceMode,),
    "rule": (AllocationRule,),
    "unspent_policy": (UnspentPolicy,),
    "outcome": (ScopeOutcome,),
    "role": (Role,),
}
_ACTIONS = {
    "comment": "Commented",
    "close_comment": "Closed the comment period",
    "grant_role": "Granted a role",
    "revoke_role": "Revoked a role",
    "set_active": "Changed whether the account is active",
    "change_password": "Changed the password",
    "reset_password": "Reset the password",
    "load_demo": "Loaded the demo data",
    "sign_in": "Signed in",
    "sign_out": "Signed out",
}
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def field_name(key: str) -> str:
    """A stored field's name in words: ``closes_at`` → "Comment period closes"."""
    if key in _NAMES:
        return _NAMES[key]
    words = key.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def action_words(action: str) -> str:
    """An audit action in words: ``grant_role`` → "Granted a role", ``update`` → "Update"."""
    if action in _ACTIONS:
        return _ACTIONS[action]
    words = action.replace("_", " ")
    return words[:1].upper() + words[1:]


def value_words(key: str, value: Any, zone: tzinfo) -> str:
    """A stored value in words: enum values as their labels, times in ``zone``, lists
    joined, nothing as "—"."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return format_when(value, zone)
    if isinstance(value, date):
        return day(value)
    if isinstance(value, list):
        if key == "grants":
            return ", ".join(_grant(g) for g in value) or "—"
        return ", ".join(value_words(key, v, zone) for v in value)
    if isinstance(value, dict):
        if key == "links" or {"url"} <= set(value):
            return str(value.get("url", ""))
        return "; ".join(f"{field_name(k)}: {value_words(k, v, zone)}" for k, v in value.items())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        for enum in _ENUMS.get(key, ()):
            if value in enum._value2member_map_:
                return str(getattr(enum(value), "label", value))
        if _MOMENT.match(value):
            try:
                return format_when(datetime.fromisoformat(value.replace("Z", "+00:00")), zone)
            except ValueError:
                return value
        if _DAY.match(value):
            try:
                return day(date.fromisoformat(value))
            except ValueError:
                return value
    return str(value)


def _grant(grant: Any) -> str:
    if isinstance(grant, list | tuple) and grant:
        role, scope = grant[0], grant[1] if len(grant) > 1 else None
        label = Role(role).label if role in Role._value2member_map_ else str(role)
        return f"{label} ({scope})" if scope else label
    return str(grant)


def change_lines(
    before: dict[str, Any] | None, after: dict[str, Any] | None, zone: tzinfo
) -> list[str]:
    """One line per field that an event set or changed: "Title: A → B" (a field set from
    nothing: "Title: B"; removed: "Title: A → —"). The internal version is left out."""
    before, after = before or {}, after or {}
    lines = []
    for key in [*before, *(k for k in after if k not in before)]:
        if key == "version":
            continue
        name = field_name(key)
        if key in after and key not in before:
            lines.append(f"{name}: {value_words(key, after[key], zone)}")
        elif key in before and key not in after:
            lines.append(f"{name}: {value_words(key, before[key], zone)} → —")
        else:
            old, new = value_words(key, before[key], zone), value_words(key, after[key], zone)
            lines.append(f"{name}: {old} → {new}" if old != new else f"{name}: {new}")
    return lines


def event_sentence(
    action: str,
    entity: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    zone: tzinfo,
) -> str:
    """What happened, in one line: a comment as "Commented on item #49 (comment 87)", else the
    action in words followed by its changes. An action named after the one field it changes
    (a status change) is only its change: "Status: planned → in scope", not "Status: Status: …"."""
    if action == "comment" and after and "comment" in after:
        return f"Commented on item #{entity_id} (comment {after['comment']})"
    changes = change_lines(before, after, zone)
    head = action_words(action)
    if changes and all(line.startswith(f"{head}: ") for line in changes):
        return "; ".join(changes)
    return head + (": " + "; ".join(changes) if changes else "")
