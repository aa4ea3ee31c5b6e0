"""The router: sign-in routes, and the page list for the signed-in person's roles."""

import streamlit as st
from starlette.middleware import Middleware
from streamlit.runtime.scriptrunner import get_script_run_ctx

from roadmap.web import notify
from roadmap.web.routes import routes
from roadmap.web.security import SecurityHeaders
from roadmap.web.worker import lifespan

# `streamlit run app.py` finds this App and serves it, with the sign-in routes, the
# unsubscribe link and the feed beside it, the security headers on every response, and the
# background worker (reminders, the mail outbox) running while it serves.
app = st.App(
    __file__,
    routes=[*routes, *notify.routes],
    middleware=[Middleware(SecurityHeaders)],
    lifespan=lifespan,
)

if get_script_run_ctx() is not None:  # a browser session, not the server loading the App
    from roadmap.ui.router import run

    run()
