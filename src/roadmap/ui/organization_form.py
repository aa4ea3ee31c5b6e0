"""The form for one member organization's record, new or edited."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from roadmap.domain.enums import OrgBasis, OrgKind, OrgStatus, OrgTier
from roadmap.domain.organizations import Organization
from roadmap.ui.actions import field_error


def organization_fields(
    prefix: str, org: Organization | None, today: date, errors_of: str | None = None
) -> dict[str, Any]:
    """Draw the fields (inside a form) and return what was entered; a new organization's
    term runs from ``today`` (the app's clock) for a year. ``errors_of``: the key of the
    form's write button, whose refusal's sentences are drawn under their fields."""

    def under(name: str, where: Any = None) -> None:
        if errors_of is not None:
            field_error(errors_of, name, where)

    fields: dict[str, Any] = {}
    if org is None:
        fields["key"] = st.text_input("Short name", key=f"{prefix}-key")
        under("key")
    fields["name"] = st.text_input("Name", value=org.name if org else "", key=f"{prefix}-name")
    under("name")
    kinds, tiers = [k.value for k in OrgKind], [t.value for t in OrgTier]
    fields["kind"] = st.selectbox(
        "Kind",
        kinds,
        index=kinds.index(org.kind.value) if org else 0,
        format_func=lambda k: OrgKind(k).label,
        key=f"{prefix}-kind",
    )
    fields["tier"] = st.selectbox(
        "Tier",
        tiers,
        index=tiers.index(org.tier.value) if org else 1,
        format_func=lambda t: OrgTier(t).label,
        key=f"{prefix}-tier",
    )
    cols = st.columns(2)
    fields["annual_commitment"] = cols[0].number_input(
        "Annual commitment",
        min_value=0.0,
        step=1000.0,
        value=float(org.annual_commitment) if org else 0.0,
        key=f"{prefix}-money",
    )
    under("annual_commitment", cols[0])
    fields["currency"] = cols[1].text_input(
        "Currency", value=org.currency if org else "USD", key=f"{prefix}-cur"
    )
    under("currency", cols[1])
    fields["term_start"] = cols[0].date_input(
        "Term start", value=org.term_start if org else today, key=f"{prefix}-ts"
    )
    under("term_start", cols[0])
    fields["term_end"] = cols[1].date_input(
        "Term end",
        value=org.term_end if org else a_year_after(today),
        key=f"{prefix}-te",
    )
    under("term_end", cols[1])
    bases, statuses = [b.value for b in OrgBasis], [s.value for s in OrgStatus]
    fields["basis"] = st.selectbox(
        "Basis",
        bases,
        index=bases.index(org.basis.value) if org else 0,
        format_func=lambda b: OrgBasis(b).label,
        key=f"{prefix}-basis",
    )
    fields["exception_reason"] = (
        st.text_input(
            "Exception reason",
            value=(org.exception_reason or "") if org else "",
            key=f"{prefix}-why",
        )
        or None
    )
    under("exception_reason")
    fields["status"] = st.selectbox(
        "Status",
        statuses,
        index=statuses.index(org.status.value) if org else 0,
        format_func=lambda v: OrgStatus(v).label,
        key=f"{prefix}-status",
    )
    return fields


def a_year_after(day: date) -> date:
    """The same day a year later; 29 February gives 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)
