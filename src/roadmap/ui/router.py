"""Builds the navigation from the current person's roles and runs the chosen page."""

from __future__ import annotations

import streamlit as st

from roadmap.domain.enums import Role
from roadmap.services import setup
from roadmap.ui import session
from roadmap.ui.registry import SETUP_PAGE, pages_for


def run() -> None:
    st.set_page_config(page_title="Roadmap", page_icon=":material/map:", layout="wide")
    actor = session.current_actor()
    sections: dict[str, list[st.Page]] = {}
    # On a database not yet set up, an admin lands on the set-up checklist.
    home = SETUP_PAGE if actor.has(Role.ADMIN) and setup.needs_setup(session.context()) else None
    for spec in pages_for(actor):
        page = st.Page(
            f"pages/{spec.key}.py",
            title=spec.title,
            icon=spec.icon,
            url_path=spec.key,
            default=spec.key == home if home else spec.default,
            visibility="hidden" if spec.hidden else "visible",
        )
        sections.setdefault(spec.section, []).append(page)
    with st.sidebar:
        if actor.signed_in:
            st.caption(f"Signed in as **{actor.display_name}** ({actor.username})")
            st.link_button("Sign out", "/auth/logout", icon=":material/logout:")
    # expanded: every page listed (admins and the executive have more than the ten shown
    # before a "View more" button).
    st.navigation(sections, expanded=True).run()
