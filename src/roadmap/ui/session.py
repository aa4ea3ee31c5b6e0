"""The current person and the service context, as a Streamlit page sees them."""

from __future__ import annotations

import streamlit as st

from roadmap.domain.access import Actor
from roadmap.services import sessions
from roadmap.services.context import Context, migrated_context


@st.cache_resource(show_spinner=False)
def _ready_context() -> Context:
    """The process's context, with the schema migrated once when the server starts."""
    return migrated_context()


def context() -> Context:
    return _ready_context()


def current_actor() -> Actor:
    """The signed-in person behind this browser's session cookie, or the public.

    Read from the cookie on every rerun, so a reload keeps the sign-in and a sign-out or a
    deactivated account takes effect at once.
    """
    cookie = st.context.cookies.get(sessions.COOKIE_NAME)
    return sessions.actor_for_cookie(context(), cookie)
