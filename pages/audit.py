from roadmap.ui.guard import page_setup

actor = page_setup("audit")

import pandas as pd
import streamlit as st

from roadmap.services import audit
from roadmap.ui import session

ctx = session.context()
st.title("Audit log")
cols = st.columns(4)
person = cols[0].text_input("Person (username)")
entity = cols[1].selectbox(
    "Entity", [None, "item", "user", "organization", "subcommunity", "theme", "database"]
)
since = cols[2].date_input("From", value=None)
until = cols[3].date_input("Until", value=None)
events = audit.list_events(ctx, actor, person or None, entity, since, until)
frame = pd.DataFrame(
    [
        {
            "When (UTC)": e.at.strftime("%Y-%m-%d %H:%M:%S"),
            "Who": e.actor,
            "Action": e.action,
            "Entity": e.entity,
            "Id": e.entity_id,
            "Before": "" if e.before is None else str(e.before),
            "After": "" if e.after is None else str(e.after),
            "Why": e.reason or "",
        }
        for e in events
    ],
    columns=["When (UTC)", "Who", "Action", "Entity", "Id", "Before", "After", "Why"],
)
st.write(f"{len(frame)} event(s)")
st.dataframe(frame, hide_index=True, width="stretch")
st.download_button("Download as CSV", frame.to_csv(index=False), "audit.csv", mime="text/csv")
