from roadmap.ui.guard import page_setup

actor = page_setup("inbox")

import streamlit as st

from roadmap.services import notifications
from roadmap.ui import dates, session
from roadmap.ui.actions import Report, write_button
from roadmap.ui.text import plain, safe_markdown

ctx = session.context()
st.title("Inbox")
st.caption(
    "What happened that concerns you: comment periods, decisions, signalling, plans, "
    "objections and progress reports. Choose what also comes by email on My account."
)

only_unread = st.toggle("Only unread", key="inbox_only_unread")
entries = notifications.inbox(ctx, actor, unread_only=only_unread)
unread = sum(1 for n in entries if not n.read)


def _refresh(report: Report) -> None:
    """A write that succeeded starts a fresh run, so the menu's count follows."""


def mark_all(report: Report) -> None:
    count = notifications.mark_all_read(ctx, actor)
    report.success(f"Marked {count} notification{'s' * (count != 1)} read.")


if unread:
    write_button("Mark all read", "inbox-mark-all", mark_all, then=_refresh)
if not entries:
    st.info("Nothing here yet." if not only_unread else "No unread notifications.")

for note in entries:
    with st.container(border=True):
        marker = "" if note.read else ":blue[●] "
        title = plain(note.title)
        st.markdown(f"{marker}**{title}**" if not note.read else title)
        st.caption(f"{note.kind.label} · {dates.when(note.created_at)}")
        if note.body:
            st.markdown(safe_markdown(note.body))
        left, right = st.columns([1, 1])
        with left:
            st.markdown(f"[Open]({note.link})")
        with right:
            if not note.read:

                def mark(report: Report, note_id: int = note.id) -> None:
                    notifications.mark_read(ctx, actor, note_id)

                write_button("Mark read", f"inbox-read-{note.id}", mark, then=_refresh)
