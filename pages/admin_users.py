from roadmap.ui.guard import page_setup

actor = page_setup("admin_users")

import pandas as pd
import streamlit as st

from roadmap.domain.enums import Role
from roadmap.services import accounts
from roadmap.services.csv_export import frame_csv
from roadmap.ui import session
from roadmap.ui.actions import Report, form_key, write_button
from roadmap.ui.text import plain

ctx = session.context()
st.title("Users and roles")

users = accounts.list_users(ctx, actor)
frame = pd.DataFrame(
    [
        {
            "Username": u.username,
            "Name": u.display_name,
            "Active": u.active,
            "Roles": ", ".join(f"{r}{f' ({s})' if s else ''}" for r, s in u.grants),
        }
        for u in users
    ]
)
st.dataframe(frame, hide_index=True, width="stretch")
# The CSV is written when the button is pressed, not on every rerun.
st.download_button("Download as CSV", lambda: frame_csv(frame), "users.csv", mime="text/csv")

left, right = st.columns(2)
with left, st.form(form_key("create_user")):
    st.subheader("New account")
    username = st.text_input("Username")
    display_name = st.text_input("Display name")
    password = st.text_input("Initial password", type="password")

    def create(report: Report) -> None:
        created = accounts.create_user(ctx, actor, username, display_name, password)
        report.success(f"Created the account {created.username}.")

    write_button("Create account", "create-account", create, submit=True, clears="create_user")

with right, st.form("grant_role"):
    st.subheader("Grant or revoke a role")
    who = st.selectbox("Account", [u.username for u in users])
    role = st.selectbox("Role", [r.value for r in Role if r != Role.MEMBER])
    scope = st.text_input(
        "Scope", help="The sub-community of a lead, the organization of a representative."
    )
    grant, revoke = st.columns(2)

    def grant_it(report: Report) -> None:
        accounts.grant_role(ctx, actor, who or "", role or "", scope or None)
        report.success(f"Granted {role} to {who}.")

    def revoke_it(report: Report) -> None:
        accounts.revoke_role(ctx, actor, who or "", role or "", scope or None)
        report.success(f"Revoked {role} from {who}.")

    with grant:
        write_button("Grant", "grant-role", grant_it, submit=True)
    with revoke:
        write_button("Revoke", "revoke-role", revoke_it, submit=True)

st.subheader("Deactivate or reactivate")
target = st.selectbox("Account ", [u.username for u in users], key="active_target")
chosen = next((u for u in users if u.username == target), None)
if chosen is not None:
    label = "Deactivate" if chosen.active else "Reactivate"
    account = chosen

    def flip(report: Report) -> None:
        accounts.set_user_active(ctx, actor, account.username, not account.active, account.version)
        report.success(f"{account.username} is now {'inactive' if account.active else 'active'}.")

    write_button(f"{label} {plain(chosen.username)}", "set-active", flip, inputs=chosen.username)
