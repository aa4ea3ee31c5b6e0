"""Builds the navigation from the current person's roles and runs the chosen page.

The menu is drawn here, from the page registry, and nowhere else: Streamlit's own sidebar
navigation is off in ``.streamlit/config.toml`` (``client.showSidebarNavigation``), so a
fresh server's first request, which Streamlit runs straight from ``pages/`` before any
router has run, lists no page file either.

An unexpected error in a page shows a sentence with an incident id, never a traceback;
the log holds the trace under that id (``roadmap.ui.incidents``).
"""

from __future__ import annotations

import streamlit as st

from roadmap.domain.enums import Role
from roadmap.services import notifications, setup
from roadmap.ui import incidents, session
from roadmap.ui.registry import SETUP_PAGE, pages_for
from roadmap.ui.text import plain


def run() -> None:
    st.set_page_config(page_title="Roadmap", page_icon=":material/map:", layout="wide")
    actor = session.current_actor()
    sections: dict[str, list[st.Page]] = {}
    menu: dict[str, list[st.Page]] = {}
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
        if not spec.hidden:  # an item page is reached by its link, not from the menu
            menu.setdefault(spec.section, []).append(page)
    chosen = st.navigation(sections, position="hidden")
    unread = notifications.unread_count(session.context(), actor) if actor.signed_in else 0
    with st.sidebar:
        for section, pages in menu.items():
            st.caption(section)
            for page in pages:
                if page.url_path == "inbox" and unread:
                    st.page_link(page, label=f"Inbox ({unread})")
                else:
                    st.page_link(page)
        if actor.signed_in:
            st.caption(f"Signed in as **{plain(actor.display_name)}** ({plain(actor.username)})")
            st.link_button("Sign out", "/auth/logout", icon=":material/logout:")
    try:
        chosen.run()
    except Exception as exc:  # st.stop() and st.rerun() are not Exceptions: they pass
        st.error(incidents.sentence(incidents.record(exc, f"/{chosen.url_path}")))
