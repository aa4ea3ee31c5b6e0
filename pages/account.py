from roadmap.ui.guard import page_setup

actor = page_setup("account")

import streamlit as st

from roadmap.services import notifications
from roadmap.ui import session
from roadmap.ui.actions import Report, form_key, write_button
from roadmap.ui.password_form import change_password_form
from roadmap.ui.text import plain

st.title("My account")
st.write(f"**{plain(actor.display_name)}** · `{actor.username}`")
st.subheader("Roles")
for role in sorted(actor.roles):
    scopes = sorted(actor.scopes(role))
    st.write(f"- {role.label}" + (f": {', '.join(scopes)}" if scopes else ""))
st.link_button("Sign out", "/auth/logout", icon=":material/logout:")

st.subheader("Change password")
st.caption("Every other browser signed in to your account is signed out; this one stays.")
change_password_form(actor)

st.subheader("Email")
ctx = session.context()
mine = notifications.email_settings(ctx, actor)
if not mine.mail_on:
    st.caption(
        "This server sends no email (ROADMAP_SMTP_URL is not set); your inbox has everything. "
        "Your choices here apply once it does."
    )
with st.form(form_key("email_settings")):
    email = st.text_input("Email address", value=mine.email or "", placeholder="name@example.org")
    st.caption("Email me when:")
    wanted = [
        kind
        for kind in mine.kinds
        if st.checkbox(kind.label, value=kind in mine.wanted, key=f"email_{kind.value}")
    ]
    none_at_all = st.checkbox("No email at all", value=mine.none_at_all)

    def save(report: Report) -> None:
        notifications.save_email_settings(ctx, actor, email, wanted, none_at_all)
        report.success("Saved your email settings.")

    write_button(
        "Save email settings",
        "save-email-settings",
        save,
        submit=True,
        inputs=[email, [k.value for k in wanted], none_at_all],
    )
