from roadmap.ui.guard import page_setup

actor = page_setup("admin_users")

import pandas as pd
import streamlit as st

from roadmap.domain.enums import Role
from roadmap.services import accounts
from roadmap.ui import session
from roadmap.ui.feedback import user_errors

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
st.download_button(
    "Download as CSV", lambda: frame.to_csv(index=False), "users.csv", mime="text/csv"
)

left, right = st.columns(2)
with left, st.form("create_user", clear_on_submit=True):
    st.subheader("New account")
    username = st.text_input("Username")
    display_name = st.text_input("Display name")
    password = st.text_input("Initial password", type="password")
    if st.form_submit_button("Create account"):
        with user_errors():
            created = accounts.create_user(ctx, actor, username, display_name, password)
            st.success(f"Created the account {created.username}.")

with right, st.form("grant_role"):
    st.subheader("Grant or revoke a role")
    who = st.selectbox("Account", [u.username for u in users])
    role = st.selectbox("Role", [r.value for r in Role if r != Role.MEMBER])
    scope = st.text_input(
        "Scope", help="The sub-community of a lead, the organization of a representative."
    )
    grant, revoke = st.columns(2)
    if grant.form_submit_button("Grant"):
        with user_errors():
            accounts.grant_role(ctx, actor, who or "", role or "", scope or None)
            st.success(f"Granted {role} to {who}.")
    if revoke.form_submit_button("Revoke"):
        with user_errors():
            accounts.revoke_role(ctx, actor, who or "", role or "", scope or None)
            st.success(f"Revoked {role} from {who}.")

st.subheader("Deactivate or reactivate")
target = st.selectbox("Account ", [u.username for u in users], key="active_target")
chosen = next((u for u in users if u.username == target), None)
if chosen is not None:
    label = "Deactivate" if chosen.active else "Reactivate"
    if st.button(f"{label} {chosen.username}"):
        with user_errors():
            accounts.set_user_active(ctx, actor, chosen.username, not chosen.active, chosen.version)
            st.success(f"{chosen.username} is now {'inactive' if chosen.active else 'active'}.")
