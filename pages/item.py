from roadmap.ui.guard import page_setup

actor = page_setup("item")

import streamlit as st

from roadmap.domain import boundary
from roadmap.domain.errors import NotFound, ValidationError
from roadmap.services import audit, governance, item_reads
from roadmap.ui import delivery_view, explanation_view, item_view, session

ctx = session.context()
raw = st.query_params.get("id", "")
try:
    item = item_reads.get_item(ctx, actor, boundary.parse_id(raw))
except (ValidationError, NotFound):
    st.title("Item not found")
    st.write("There is no such item. [Back to the roadmap](/)")
    st.stop()

item_view.header(item)
item_view.decision(governance.decisions(ctx, item.id))
delivery_view.item_progress(ctx, actor, item)
explanation_view.item_section(ctx, actor, item.id)
item_view.comments(ctx, actor, item.id, governance.comment_period(ctx, item.id))
item_view.history(audit.item_history(ctx, item.id))
