"""The one call every page script begins with."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import streamlit as st

from roadmap.domain.access import Actor
from roadmap.domain.enums import Role
from roadmap.ui import actions, password_form, session
from roadmap.ui.registry import BY_KEY, PageSpec
from roadmap.ui.text import plain


def page_setup(key: str) -> Actor:
    """Check that the current person may open page ``key``; otherwise say why, offer what
    they can do instead, and stop the script: nothing of the page runs.

    The router lists a page a person may not open as a hidden page, so that opening its URL
    runs this refusal rather than silently landing elsewhere; and a freshly started server
    runs a page script straight from its URL before any router has run, so the check is
    here, in the page itself.
    """
    spec = BY_KEY[key]
    actor = session.current_actor()
    if spec.allows(actor):
        actions.enter_page(key)
        password_form.require_own_password(actor)  # after an admin's reset: the form first
        return actor
    if spec.signed_out_only:
        st.title(spec.title)
        st.info(
            f"You are signed in as {plain(actor.display_name)} ({plain(actor.username)}). "
            "Sign out first to sign in as someone else."
        )
        st.markdown(HOME_LINK)
    elif not actor.signed_in:
        sign_in_prompt(_here(key), "Sign in to see this page.")
    else:
        st.title("Not for your roles")
        st.error(refusal(spec, actor))
        st.markdown(HOME_LINK)
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def refusal(spec: PageSpec, actor: Actor) -> str:
    """Why a signed-in person may not open ``spec``: the roles it is for, and theirs."""
    needed = " or ".join(_the(role) for role in sorted(spec.roles or (), key=_ORDER.index))
    held = ", ".join(role.label for role in sorted(actor.roles, key=_ORDER.index))
    return f"This page is for {needed}. You are signed in as {plain(actor.display_name)} ({held})."


_ORDER = list(Role)
# A plain link (not st.page_link): the page may run straight from its URL, before a router.
HOME_LINK = "[Go to your home page](/home)"


def _the(role: Role) -> str:
    """'the executive', 'an admin', 'a sub-community lead', 'staff'."""
    if role == Role.EXECUTIVE:
        return "the executive"
    if role == Role.STAFF:
        return "staff"
    return ("an " if role.label[0] in "aeiou" else "a ") + role.label


def _here(key: str) -> str:
    """This page's path with its query (an item page keeps its item), to return to."""
    query = {k: st.query_params.get_all(k) for k in st.query_params}
    pairs = [(k, v) for k, values in query.items() for v in values]
    return f"/{key}" + (f"?{urlencode(pairs)}" if pairs else "")


def sign_in_prompt(next_path: str = "/", why: str | None = None) -> None:
    st.title("Sign in")
    if why:
        st.info(why)
    st.write("Sign in to take part: comment, propose items, signal priorities or plan.")
    st.link_button("Sign in", f"/auth/login?next={quote(next_path)}", type="primary")
    st.markdown("[Read the public roadmap](/)")
