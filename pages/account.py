from roadmap.ui.guard import page_setup

actor = page_setup("account")

import streamlit as st

from roadmap.ui.text import plain

st.title("My account")
st.write(f"**{plain(actor.display_name)}** · `{actor.username}`")
st.subheader("Roles")
for role in sorted(actor.roles):
    scopes = sorted(actor.scopes(role))
    st.write(f"- {role.label}" + (f": {', '.join(scopes)}" if scopes else ""))
st.link_button("Sign out", "/auth/logout", icon=":material/logout:")
