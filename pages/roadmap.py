from roadmap.ui.guard import page_setup

actor = page_setup("roadmap")

import streamlit as st

from roadmap.services import catalog, item_reads
from roadmap.ui import board_view, roadmap_view, session, timeline_view

st.title("Roadmap")
st.caption(
    "What the project's paid staff may work on: items proposed in the open and put in "
    "scope by the executive body."
)
ctx = session.context()
chosen = roadmap_view.filters(catalog.list_subcommunities(ctx), catalog.list_themes(ctx))
view = st.segmented_control("View", roadmap_view.VIEWS, default="List", key="roadmap-view")
if view == "Board":
    board_view.board(ctx, actor, chosen)
elif view == "Timeline":
    timeline_view.timeline(ctx, actor, chosen)
else:
    roadmap_view.filtered_table(ctx, actor, item_reads.count_items(ctx, actor), chosen)
