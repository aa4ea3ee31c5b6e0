from roadmap.ui.guard import page_setup

actor = page_setup("roadmap")

import streamlit as st

from roadmap.services import catalog, item_reads
from roadmap.ui import roadmap_view, session

st.title("Roadmap")
st.caption(
    "What the project's paid staff may work on: items proposed in the open and put in "
    "scope by the executive body."
)
ctx = session.context()
roadmap_view.filtered_table(
    ctx,
    actor,
    item_reads.count_items(ctx, actor),
    catalog.list_subcommunities(ctx),
    catalog.list_themes(ctx),
)
