"""Changing one's own password, and the change every page asks for after an admin's reset."""

from __future__ import annotations

import streamlit as st

from roadmap.domain.access import Actor
from roadmap.services import accounts, sessions
from roadmap.ui import session
from roadmap.ui.actions import Report, field_error, form_key, write_button
from roadmap.ui.text import plain

KEY = "change-password"
_CHANGED = "_roadmap_password_changed"


def change_password_form(actor: Actor, *, forced: bool = False) -> None:
    """Current password, the new one twice; each field's error under it. Other browsers
    signed in to the account are signed out; this one stays."""
    ctx = session.context()
    with st.form(form_key("change_password")):
        current = st.text_input(
            "The password you were given" if forced else "Current password",
            type="password",
            autocomplete="current-password",
        )
        field_error(KEY, "current_password")
        new = st.text_input(
            "New password (at least 8 characters)", type="password", autocomplete="new-password"
        )
        field_error(KEY, "new_password")
        again = st.text_input("New password, again", type="password", autocomplete="new-password")
        field_error(KEY, "repeated")

        def change(report: Report) -> None:
            cookie = st.context.cookies.get(sessions.COOKIE_NAME)
            elsewhere = accounts.change_password(ctx, actor, current, new, again, cookie)
            sentence = "Your password is changed."
            if elsewhere:
                sentence += f" Signed out {elsewhere} other browser(s) signed in to your account."
            report.success(sentence)

        def remember(report: Report) -> None:
            # The page drawn next may not be this form (after a forced change, it is the page
            # the person asked for): the sentence goes with the person to it.
            st.session_state[_CHANGED] = report.lines[-1][1]

        write_button(
            "Change password",
            KEY,
            change,
            submit=True,
            clears="change_password",
            then=remember,
            inline_errors=True,
            type="primary",
        )


def require_own_password(actor: Actor) -> None:
    """The guard's hook: after an admin reset this account's password, every page shows the
    change-password form instead of itself until the person has chosen their own."""
    changed = st.session_state.pop(_CHANGED, None)
    if changed:
        st.success(plain(changed))
    if not actor.must_change_password:
        return
    st.title("Choose your own password")
    st.write(
        f"An admin set a new password for {plain(actor.display_name)} "
        f"({plain(actor.username or '')}). Choose your own before going on."
    )
    change_password_form(actor, forced=True)
    st.link_button("Sign out", "/auth/logout", icon=":material/logout:")
    st.stop()
