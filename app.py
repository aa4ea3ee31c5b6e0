"""The router: sign-in routes, and the page list for the signed-in person's roles."""

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from roadmap.web.routes import routes

# `streamlit run app.py` finds this App and serves it, with the sign-in routes beside it.
app = st.App(__file__, routes=routes)

if get_script_run_ctx() is not None:  # a browser session, not the server loading the App
    from roadmap.ui.router import run

    run()
