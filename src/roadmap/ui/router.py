"""Builds the navigation from the current person's roles and runs the chosen page.

The menu is drawn here, from the page registry, and nowhere else: Streamlit's own sidebar
navigation is off in ``.streamlit/config.toml`` (``client.showSidebarNavigation``), so a
fresh server's first request, which Streamlit runs straight from ``pages/`` before any
router has run, lists no page file either.

Pages the person may not open are registered too, hidden: opening one's URL runs its
guard, which says why and offers sign-in (``ui.guard``), instead of Streamlit silently
landing on the default page. The menu lists only the pages they may open, with a count
beside those where something waits for them (``services.home.waiting``, once per run).

An unexpected error in a page shows a sentence with an incident id, never a traceback;
the log holds the trace under that id (``roadmap.ui.incidents``).
"""

from __future__ import annotations

import streamlit as st

from roadmap.domain.access import Actor
from roadmap.domain.enums import Role
from roadmap.services import home, notifications, setup
from roadmap.services.context import Context
from roadmap.ui import incidents, session
from roadmap.ui.registry import DEFAULT_PAGE, HOME_PAGE, PAGES, SETUP_PAGE
from roadmap.ui.text import plain

_NOTED = "_roadmap_visit_noted"  # when this browser session last noted the person's visit


def run() -> None:
    st.set_page_config(page_title="Roadmap", page_icon=":material/map:", layout="wide")
    actor = session.current_actor()
    ctx = session.context()
    _note_visit(ctx, actor)
    landing = landing_page(ctx, actor)
    counts = waiting_counts(ctx, actor)
    if actor.signed_in:  # "Inbox (3)": unread notifications
        counts["inbox"] = notifications.unread_count(ctx, actor)
    sections: dict[str, list[st.Page]] = {}
    menu: dict[str, list[tuple[st.Page, str]]] = {}
    by_key: dict[str, st.Page] = {}
    for spec in PAGES:
        allowed = spec.allows(actor)
        page = st.Page(
            f"pages/{spec.key}.py",
            title=spec.title,
            icon=spec.icon,
            url_path=spec.key,
            visibility="visible" if allowed and not spec.hidden else "hidden",
        )
        by_key[spec.key] = page
        sections.setdefault(spec.section, []).append(page)
        if allowed and not spec.hidden:  # an item page is reached by its link
            label = menu_label(spec.title, counts.get(spec.key, 0))
            menu.setdefault(spec.section, []).append((page, label))
    # The root URL only forwards to the person's first page. Streamlit serves its default
    # page at "/" and nowhere else, so were the landing page itself the default, its own
    # address (/roadmap for the public, /home when signed in) would say "Page not found".
    first = by_key[landing or DEFAULT_PAGE]
    index = st.Page(
        lambda: st.switch_page(first),
        title=first.title,
        url_path="index",
        default=True,
        visibility="hidden",
    )
    sections.setdefault(next(iter(sections)), []).insert(0, index)
    chosen = st.navigation(sections, position="hidden")
    with st.sidebar:
        for section, pages in menu.items():
            st.caption(section)
            for page, label in pages:
                st.page_link(page, label=label)
        if actor.signed_in:
            st.caption(f"Signed in as **{plain(actor.display_name)}** ({plain(actor.username)})")
            st.link_button("Sign out", "/auth/logout", icon=":material/logout:")
    try:
        chosen.run()
    except Exception as exc:  # st.stop() and st.rerun() are not Exceptions: they pass
        st.error(incidents.sentence(incidents.record(exc, f"/{chosen.url_path}")))


def landing_page(ctx: Context, actor: Actor) -> str | None:
    """The page a person lands on: the set-up checklist for an admin while it has open
    steps, the home page for everyone else signed in; ``None``: the registry's default
    (the public roadmap)."""
    if actor.has(Role.ADMIN) and setup.needs_setup(ctx):
        return SETUP_PAGE
    return HOME_PAGE if actor.signed_in else None


def waiting_counts(ctx: Context, actor: Actor) -> dict[str, int]:
    """What waits for the person, by page key (the menu shows it beside the page)."""
    if not actor.signed_in:
        return {}
    waiting = home.waiting(ctx, actor)
    return {
        HOME_PAGE: waiting.home,
        "review": waiting.review,
        "my_items": waiting.drafts,
        "signals": waiting.signal_changes,
    }


def menu_label(title: str, count: int) -> str:
    """ "Scope review (4)" where something waits, else the title."""
    return f"{title} ({count})" if count > 0 else title


def _note_visit(ctx: Context, actor: Actor) -> None:
    """Note the person's activity for "since your last visit", at most once per
    ``home.NOTE_EVERY`` in a browser session (a write, so not on every rerun)."""
    if not actor.signed_in:
        return
    now = ctx.now()
    noted = st.session_state.get(_NOTED)
    if isinstance(noted, tuple) and noted[0] == actor.user_id and now - noted[1] < home.NOTE_EVERY:
        return
    home.note_visit(ctx, actor)
    st.session_state[_NOTED] = (actor.user_id, now)
