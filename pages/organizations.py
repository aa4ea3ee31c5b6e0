from roadmap.ui.guard import page_setup

actor = page_setup("organizations")

import streamlit as st

from roadmap.services import catalog
from roadmap.ui import session
from roadmap.ui.actions import Report, form_key, write_button
from roadmap.ui.organization_form import organization_fields

ctx = session.context()
st.title("Organizations")
orgs = {o.key: o for o in catalog.list_organizations(ctx)}
versions = catalog.organization_versions(ctx)
st.caption("The seat holder is set on the Users and roles page (grant the representative role).")
st.dataframe(
    [
        {
            "Short name": o.key,
            "Name": o.name,
            "Tier": o.tier.value,
            "Seat holder": o.representative or "—",
            "Status": o.status.value,
        }
        for o in orgs.values()
    ],
    hide_index=True,
    width="stretch",
)
edit, new = st.tabs(["Edit", "Register"])
with edit:
    key = st.selectbox("Organization", list(orgs), format_func=lambda k: orgs[k].name)
    if key is not None:
        with st.form("edit_org"):
            fields = organization_fields(
                f"edit-{key}", orgs[key], ctx.now().date(), errors_of="save-organization"
            )

            def save(report: Report, key: str = key, fields: dict = fields) -> None:
                catalog.update_organization(ctx, actor, key, fields, versions[key])
                report.success("Saved.")

            write_button(
                "Save",
                "save-organization",
                save,
                inputs=key,
                submit=True,
                inline_errors=True,
                type="primary",
            )
with new, st.form(form_key("new_org")):
    fields = organization_fields(
        form_key("new_org"), None, ctx.now().date(), errors_of="register-organization"
    )

    def register(report: Report) -> None:
        catalog.create_organization(ctx, actor, fields)
        report.success("Registered.")

    write_button(
        "Register organization",
        "register-organization",
        register,
        submit=True,
        clears="new_org",
        inline_errors=True,
        type="primary",
    )
