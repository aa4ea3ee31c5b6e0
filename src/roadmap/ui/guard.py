"""The one call every page script begins with."""

from __future__ import annotations

from urllib.parse import quote

import streamlit as st

from roadmap.domain.access import Actor
from roadmap.ui import actions, password_form, session
from roadmap.ui.registry import BY_KEY
from roadmap.ui.text import plain


def page_setup(key: str) -> Actor:
    """Check that the current person may open page ``key``; otherwise stop the script.

    The router hides pages a person may not open, but a freshly started server runs a
    page script straight from its URL before any router has run, so the check is here.
    """
    spec = BY_KEY[key]
    actor = session.current_actor()
    if spec.allows(actor):
        actions.enter_page(key)
        password_form.require_own_password(actor)  # after an admin's reset: the form first
        return actor
    if spec.signed_out_only:
        st.info(f"You are signed in as {plain(actor.display_name)} ({plain(actor.username)}).")
    elif not actor.signed_in:
        sign_in_prompt(f"/{key}")
    else:
        st.error("You do not have a role that may open this page.")
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def sign_in_prompt(next_path: str = "/") -> None:
    st.title("Sign in")
    st.write("Sign in to take part: comment, propose items, signal priorities or plan.")
    st.link_button("Sign in", f"/auth/login?next={quote(next_path)}", type="primary")
    st.markdown("[Read the public roadmap](/)")
