from roadmap.ui.guard import page_setup

actor = page_setup("staff_admin")

import pandas as pd
import streamlit as st

from roadmap.domain.errors import ValidationError
from roadmap.services import catalog, staff
from roadmap.ui import session
from roadmap.ui.actions import Report, field_error, write_button
from roadmap.ui.text import plain

ctx = session.context()
st.title("Staff")
people = staff.list_staff(ctx, actor)
st.dataframe(
    pd.DataFrame(
        [
            {
                "Short name": p.member.key,
                "Name": p.member.name,
                "Account": p.member.username or "",
                "Skills": ", ".join(f"{k} ({v})" for k, v in sorted(p.member.skills.items())),
                "Capacity (person-weeks)": p.member.capacity_weeks,
                "By month": ", ".join(f"{c:g}" for c in p.capacity_by_subperiod or []) or "even",
                "Paid by": p.member.paid_by or "",
                "Active": p.member.active,
            }
            for p in people
        ]
    ),
    hide_index=True,
    width="stretch",
)
skills = catalog.list_skills(ctx)
by_key = {p.member.key: p for p in people}
chosen = st.selectbox(
    "Edit",
    [None, *by_key],
    format_func=lambda k: "New staff member" if k is None else by_key[k].member.name,
)
current = by_key.get(chosen) if chosen else None
with st.form("staff"):
    key = st.text_input(
        "Short name", value=current.member.key if current else "", disabled=current is not None
    )
    field_error("save-staff", "key")
    name = st.text_input("Name", value=current.member.name if current else "")
    field_error("save-staff", "name")
    username = st.text_input(
        "Account (username, optional)", value=(current.member.username or "") if current else ""
    )
    field_error("save-staff", "username")
    levels = {}
    cols = st.columns(4)
    for n, skill in enumerate(skills):
        start = current.member.skills.get(skill, 0) if current else 0
        levels[skill] = cols[n % 4].selectbox(
            plain(skill), [0, 1, 2, 3], index=start, key=f"skill-{skill}"
        )
    capacity = st.number_input(
        "Capacity in the period (person-weeks)",
        min_value=0.0,
        value=float(current.member.capacity_weeks) if current else 0.0,
    )
    field_error("save-staff", "capacity_weeks")
    months = st.text_input(
        "Capacity by month (comma-separated, optional; lower a month for time off)",
        value=", ".join(f"{c:g}" for c in (current.capacity_by_subperiod or [])) if current else "",
    )
    field_error("save-staff", "capacity")
    paid_by = st.text_input(
        "Paid by (organization short name, optional)",
        value=(current.member.paid_by or "") if current else "",
    )
    field_error("save-staff", "paid_by")
    active = st.checkbox("Active", value=current.member.active if current else True)

    def save(report: Report) -> None:
        try:
            by_month = [float(x) for x in months.split(",") if x.strip()] or None
        except ValueError:
            sentence = "Capacity by month must be numbers separated by commas."
            raise ValidationError(
                sentence, {"capacity": sentence}, {"capacity": "capacity by month"}
            ) from None
        staff.save_staff(
            ctx,
            actor,
            {
                "key": current.member.key if current else key,
                "name": name,
                "username": username or None,
                "skills": {k: v for k, v in levels.items() if v},
                "capacity_weeks": capacity,
                "paid_by": paid_by or None,
                "active": active,
            },
            current.version if current else None,
            by_month,
        )
        report.success("Saved.")

    # A fresh run after a save: the table above shows the staff member just saved.
    write_button(
        "Save",
        "save-staff",
        save,
        inputs=chosen,
        submit=True,
        then=lambda report: None,
        inline_errors=True,
        type="primary",
    )
