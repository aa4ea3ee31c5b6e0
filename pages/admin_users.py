from roadmap.ui.guard import page_setup

actor = page_setup("admin_users")

import pandas as pd
import streamlit as st

from roadmap.domain.enums import Role
from roadmap.services import accounts, catalog, mail
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

with right:
    # Not a form: the scope offered follows the role chosen.
    st.subheader("Grant or revoke a role")
    who = st.selectbox("Account", [u.username for u in users], key="grant_who")
    role = st.selectbox("Role", [r.value for r in Role if r != Role.MEMBER], key="grant_role")
    held = next((u.grants for u in users if u.username == who), ())
    scopes: dict[str, str] = {}
    if role == Role.LEAD.value:
        # Archived sub-communities take no new leads, but a lead of one can be revoked.
        active = {s.slug for s in catalog.list_subcommunities(ctx, active_only=True)}
        mine = {s for r, s in held if r == role}
        scopes = {
            s.slug: s.name for s in catalog.list_subcommunities(ctx) if s.slug in active | mine
        }
    elif role == Role.REPRESENTATIVE.value:
        scopes = {o.key: o.name for o in catalog.list_organizations(ctx)}
    scope = None
    if role in (Role.LEAD.value, Role.REPRESENTATIVE.value):
        what = "Sub-community" if role == Role.LEAD.value else "Organization"
        if not scopes:
            page = "Sub-communities, themes, skills" if role == Role.LEAD.value else "Organizations"
            st.info(f"There is no {what.lower()} to choose yet: create one on the {page} page.")
        scope = st.selectbox(
            what, list(scopes), format_func=lambda k: scopes[k], key=f"grant_scope_{role}"
        )
    grant, revoke = st.columns(2)
    chosen_grant = f"{who}|{role}|{scope}"

    def grant_it(report: Report) -> None:
        accounts.grant_role(ctx, actor, who or "", role or "", scope or None)
        where = f" ({scopes[scope]})" if scope else ""
        report.success(f"Granted {role}{where} to {who}.")

    def revoke_it(report: Report) -> None:
        accounts.revoke_role(ctx, actor, who or "", role or "", scope or None)
        where = f" ({scopes[scope]})" if scope else ""
        report.success(f"Revoked {role}{where} from {who}.")

    with grant:
        write_button("Grant", "grant-role", grant_it, inputs=chosen_grant)
    with revoke:
        write_button("Revoke", "revoke-role", revoke_it, inputs=chosen_grant)

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

st.subheader("Undelivered mail")
if mail.settings() is None:
    st.caption("This server sends no email: ROADMAP_SMTP_URL is not set.")
failed = mail.undelivered(ctx, actor)
st.caption(f"{mail.pending_count(ctx)} message(s) waiting to be sent.")
if failed:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "To": m.to,
                    "Subject": m.subject,
                    "Written (UTC)": m.created_at,
                    "Tries": m.attempts,
                    "Next try (UTC)": m.next_attempt_at,
                    "Last error": m.last_error,
                }
                for m in failed
            ]
        ),
        hide_index=True,
        width="stretch",
    )

    def retry(report: Report) -> None:
        count = mail.retry_undelivered(ctx, actor)
        report.success(f"{count} message(s) will be tried again at the sender's next round.")

    write_button("Try them again now", "retry-mail", retry, inputs=[m.id for m in failed])
else:
    st.caption("Every message tried so far was delivered.")
