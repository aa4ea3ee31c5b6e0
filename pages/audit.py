from roadmap.ui.guard import page_setup

actor = page_setup("audit")

import streamlit as st

from roadmap.domain import boundary
from roadmap.services import audit
from roadmap.services.csv_export import frame_csv
from roadmap.ui import session
from roadmap.ui.audit_view import audit_table, show_audit_table
from roadmap.ui.dates import viewer_zone, zone_note
from roadmap.ui.paging import page_of

ctx = session.context()
st.title("Audit log")
cols = st.columns(4)
person = cols[0].text_input("Person (username)")
if problem := boundary.text_problem(person, "person"):
    st.warning(problem)
    st.stop()
ENTITIES = {
    "item": "items",
    "user": "accounts",
    "organization": "organizations",
    "subcommunity": "sub-communities",
    "theme": "themes",
    "period": "periods",
    "staff": "staff",
    "database": "the database",
}
entity = cols[1].selectbox(
    "On",
    list(ENTITIES),
    format_func=lambda e: ENTITIES[e],
    index=None,
    placeholder="anything",
)
since = cols[2].date_input("From", value=None)
until = cols[3].date_input("Until", value=None)
filters = (person or None, entity, since, until)
PAGE = 200  # events per page of the table; the CSV has up to CSV_LIMIT, newest first
CSV_LIMIT = 5000


total = audit.count_events(ctx, actor, *filters)
st.write(f"{total} event(s)")
# Only the page shown is read; the page selector appears when there are more than PAGE.
start = page_of(range(total), "audit", PAGE)
offset = start[0] if start else 0
show_audit_table(audit.list_events(ctx, actor, *filters, limit=PAGE, offset=offset), viewer_zone())
st.caption(zone_note())
# The CSV is read and written when the button is pressed, not on every rerun.
st.download_button(
    "Download as CSV" + (f" (the newest {CSV_LIMIT:,})" if total > CSV_LIMIT else ""),
    lambda: frame_csv(audit_table(audit.list_events(ctx, actor, *filters, limit=CSV_LIMIT))),
    "audit.csv",
    mime="text/csv",
)
