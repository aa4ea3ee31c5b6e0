"""The parts of an item page: what it is, its decision, its comments, its history."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemKind
from roadmap.domain.governance import CommentPeriod
from roadmap.domain.items import RoadmapItem
from roadmap.services import governance
from roadmap.services.audit import AuditEventView
from roadmap.services.context import Context
from roadmap.services.governance import DecisionView
from roadmap.ui.actions import form_key, write_button
from roadmap.ui.changes import event_sentence
from roadmap.ui.dates import format_when, viewer_zone, when, zone_note
from roadmap.ui.text import link_target, plain, safe_markdown


def item_link(item_id: int, title: str) -> str:
    return f"[{plain(title)}](/item?id={item_id})"


def _kind(kind: str) -> str:
    return ItemKind(kind).label if kind in ItemKind._value2member_map_ else kind


def header(item: RoadmapItem) -> None:
    st.title(plain(item.title), anchor=False)
    st.caption(
        f"#{item.id} · {plain(item.subcommunity_name)} · {_kind(item.kind)} · "
        f"**{item.status.label}**"
        + (f" · theme: {plain(item.theme_name)}" if item.theme_name else "")
    )
    st.markdown(
        f"**Effort:** {item.effort_low:g}–{item.effort_high:g} person-weeks · "
        f"**Skills:** {plain(', '.join(item.skills)) or '—'} · **Depends on:** "
        + (", ".join(f"[#{d}](/item?id={d})" for d in item.depends_on) or "—")
    )
    st.markdown(safe_markdown(item.summary) or "_No summary._")
    for link in item.links:
        label = plain(link.get("title") or link["url"])
        kind = plain(str(link.get("kind", "link")).replace("_", " "))
        st.markdown(f"- {kind}: [{label}]({link_target(link['url'])})")


KIND = {"decision": "decided", "amendment": "rationale amended", "reversal": "reversed"}


def decision(decisions: list[DecisionView]) -> None:
    """The standing decision, then (once it was amended or reversed) the whole history,
    newest first: who, when, what, the outcome, the rationale as written then, and the
    reason given for each change."""
    st.subheader("Scope decision")
    if not decisions:
        st.write("No decision yet.")
        return
    latest = decisions[0]
    st.markdown(
        f"**{latest.outcome.label}** — {KIND[latest.kind]} by "
        f"{plain(latest.decided_by)} on {when(latest.decided_at)}"
    )
    st.markdown(f"> {safe_markdown(latest.rationale)}")
    if latest.reason:
        st.caption(f"Reason for the change: {plain(latest.reason)}")
    if len(decisions) > 1:
        with st.expander(f"Decision history ({len(decisions)} entries, newest first)"):
            for entry in decisions:
                st.markdown(
                    f"**{when(entry.decided_at)} · {plain(entry.decided_by)} · "
                    f"{KIND[entry.kind]}: {entry.outcome.label}**"
                )
                st.markdown(f"> {safe_markdown(entry.rationale)}")
                if entry.reason:
                    st.markdown(f"Reason: {plain(entry.reason)}")


def comments(ctx: Context, actor: Actor, item_id: int, period: CommentPeriod | None) -> None:
    st.subheader("Comments")
    now = ctx.now()
    if period is None:
        st.caption("This item has not been open for comment.")
    elif period.is_open(now):
        st.info(f"Open for comment until {when(period.closes_at)}.")
    else:
        st.caption(f"The comment period closed on {when(period.closes_at)}.")
    for comment in governance.comments(ctx, item_id):
        with st.chat_message("user"):
            st.caption(f"{plain(comment.author_name)} · {when(comment.created_at)}")
            st.markdown(safe_markdown(comment.body))
    # The text stays when the comment is refused; a posted comment empties the box, which is
    # a new one after each post. A text sent just as the period closed still gets its form
    # and the sentence, instead of vanishing with it.
    box = f"{form_key('comment')}-{item_id}"
    is_open = period is not None and period.is_open(now)
    if not is_open and not st.session_state.get(box):
        return
    if not actor.signed_in:
        st.markdown("[Sign in](/auth/login) to comment.")
        return
    with st.form(form_key("comment")):
        body = st.text_area("Your comment", max_chars=10_000, key=box)
        write_button(
            "Post comment",
            "post-comment",
            lambda _: governance.add_comment(ctx, actor, item_id, body),
            inputs=item_id,
            submit=True,
            clears="comment",
        )


def history(events: list[AuditEventView]) -> None:
    st.subheader("History")
    zone = viewer_zone()
    frame = pd.DataFrame(
        [
            {
                "When": format_when(e.at, zone),
                "Who": e.actor,
                "What happened": event_sentence(
                    e.action, e.entity, e.entity_id, e.before, e.after, zone
                ),
                "Why": e.reason or "",
            }
            for e in events
        ],
        columns=["When", "Who", "What happened", "Why"],
    )
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={"What happened": st.column_config.TextColumn(width="large")},
    )
    st.caption(zone_note())
