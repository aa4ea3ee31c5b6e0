"""The router: sign-in routes, and the page list for the signed-in person's roles."""

import streamlit as st
from starlette.middleware import Middleware
from streamlit.runtime.scriptrunner import get_script_run_ctx

from roadmap.web.routes import routes
from roadmap.web.security import SecurityHeaders

# `streamlit run app.py` finds this App and serves it, with the sign-in routes beside it and
# the security headers on every response.
app = st.App(__file__, routes=routes, middleware=[Middleware(SecurityHeaders)])

if get_script_run_ctx() is not None:  # a browser session, not the server loading the App
    from roadmap.ui.router import run

    run()
