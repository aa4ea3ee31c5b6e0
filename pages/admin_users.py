from roadmap.ui.guard import page_setup

actor = page_setup("admin_users")

import pandas as pd
import streamlit as st

from roadmap.domain.enums import Role
from roadmap.domain.errors import ValidationError
from roadmap.services import accounts, catalog, mail
from roadmap.services.csv_export import frame_csv
from roadmap.ui import dates, session
from roadmap.ui.actions import Report, field_error, form_key, write_button
from roadmap.ui.text import plain

ctx = session.context()
st.title("Users and roles")

users = accounts.list_users(ctx, actor)
# Scopes by name: a lead's sub-community, a representative's organization.
scope_names = {s.slug: s.name for s in catalog.list_subcommunities(ctx)} | {
    o.key: o.name for o in catalog.list_organizations(ctx)
}


def grant_words(role: str, scope: str | None) -> str:
    where = f" ({scope_names.get(scope, scope)})" if scope else ""
    return f"{Role(role).label}{where}"


frame = pd.DataFrame(
    [
        {
            "Username": u.username,
            "Name": u.display_name,
            "Active": u.active,
            "Roles": ", ".join(grant_words(r, s) for r, s in u.grants),
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
    field_error("create-account", "username")
    display_name = st.text_input("Display name")
    field_error("create-account", "display_name")
    password = st.text_input("Initial password", type="password")
    field_error("create-account", "password")

    def create(report: Report) -> None:
        created = accounts.create_user(ctx, actor, username, display_name, password)
        report.success(f"Created the account {created.username}.")

    write_button(
        "Create account",
        "create-account",
        create,
        submit=True,
        clears="create_user",
        inline_errors=True,
    )

with right:
    # Not a form: the scope offered follows the role chosen.
    st.subheader("Grant or revoke a role")
    who = st.selectbox("Account", [u.username for u in users], key="grant_who")
    role = st.selectbox(
        "Role",
        [r.value for r in Role if r != Role.MEMBER],
        format_func=lambda r: Role(r).label,
        key="grant_role",
    )
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
        # Picked by name from the valid ones only, starting empty (no slug to type).
        scope = st.selectbox(
            what,
            list(scopes),
            format_func=lambda k: scopes[k],
            index=None,
            placeholder=f"Choose a {what.lower()}",
            key=f"grant_scope_{role}",
        )
    grant, revoke = st.columns(2)
    chosen_grant = f"{who}|{role}|{scope}"

    def grant_it(report: Report) -> None:
        accounts.grant_role(ctx, actor, who or "", role or "", scope or None)
        where = f" ({scopes[scope]})" if scope else ""
        report.success(f"Granted {Role(role or '').label}{where} to {who}.")

    def revoke_it(report: Report) -> None:
        accounts.revoke_role(ctx, actor, who or "", role or "", scope or None)
        where = f" ({scopes[scope]})" if scope else ""
        report.success(f"Revoked {Role(role or '').label}{where} from {who}.")

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

st.subheader("Reset a password")
st.caption(
    "For someone who forgot theirs: set a password to hand over. Their other sessions are "
    "signed out, and after signing in with it every page asks them to choose their own."
)
with st.form(form_key("reset_password")):
    reset_who = st.selectbox(
        "Account  ",
        [u.username for u in users],
        index=None,
        placeholder="Choose an account",
        key="reset_who",
    )
    temporary = st.text_input(
        "New password to hand over (at least 8 characters)",
        type="password",
        autocomplete="new-password",
    )
    field_error("reset-password", "new_password")
    reset_account = next((u for u in users if u.username == reset_who), None)

    def reset(report: Report) -> None:
        if reset_account is None:
            raise ValidationError("Choose the account whose password to reset.")
        accounts.reset_password(
            ctx, actor, reset_account.username, temporary, reset_account.version
        )
        report.success(
            f"Reset the password of {reset_account.username}: at the next sign-in they "
            "choose their own."
        )

    write_button(
        "Reset password",
        "reset-password",
        reset,
        submit=True,
        clears="reset_password",
        inline_errors=True,
    )

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
                    "Written": dates.when(m.created_at),
                    "Tries": m.attempts,
                    "Next try": dates.when(m.next_attempt_at) if m.next_attempt_at else "",
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
