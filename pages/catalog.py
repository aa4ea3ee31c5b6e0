from roadmap.ui.guard import page_setup

actor = page_setup("catalog")

import streamlit as st

from roadmap.domain.enums import Role
from roadmap.services import catalog, catalog_edits
from roadmap.services.catalog_edits import Entry, Subject
from roadmap.ui import session
from roadmap.ui.actions import Report, field_error, form_key, write_button

ctx = session.context()
st.title("Sub-communities, themes and skills")
st.caption(
    "Nothing here is deleted: what records name is archived instead. An archived entry stays "
    "on the items, grants and staff that name it but is no longer offered for new ones."
)

WORDS = {"subcommunity": "sub-community", "theme": "theme", "skill": "skill"}


def create(subject: Subject, slug: str, name: str, description: str) -> None:
    if subject == "subcommunity":
        catalog.create_subcommunity(ctx, actor, slug, name, description)
    elif subject == "theme":
        catalog.create_theme(ctx, actor, slug, name, description)
    else:
        catalog_edits.create_skill(ctx, actor, slug, name)


def table(entries: list[Entry], subject: Subject) -> None:
    if not entries:
        st.info(f"There is no {WORDS[subject]} yet.")
        return
    st.dataframe(
        [
            {
                "Name": e.name,
                "Short name": e.slug,
                **({} if subject == "skill" else {"Description": e.description}),
                "Items": e.items,
                "Open items": e.open_items,
                "Status": "archived" if e.archived else "active",
            }
            for e in entries
        ],
        hide_index=True,
        width="stretch",
    )


def section(subject: Subject, may_write: bool) -> None:
    word = WORDS[subject]
    entries = catalog_edits.list_entries(ctx, subject)
    table(entries, subject)
    if not may_write:
        st.caption(f"Only admins manage {word} entries.")
        return
    new, rename, archive = st.columns(3)
    form = form_key(f"new-{subject}")  # a new key after a create: the fields start empty
    with new, st.form(form):
        st.subheader(f"New {word}")
        name = st.text_input("Name", key=f"{form}-name")
        field_error(f"create-{subject}", "name")
        slug = st.text_input(
            "Short name",
            key=f"{form}-slug",
            help="Lower-case letters, digits and dashes; used in links, grants and CSV files. "
            "It cannot change later.",
        )
        field_error(f"create-{subject}", "slug")
        description = "" if subject == "skill" else st.text_area("Description", key=f"{form}-desc")
        field_error(f"create-{subject}", "description")

        def add(report: Report) -> None:
            create(subject, slug.strip(), name, description)
            report.success(f"Created the {word} {name.strip()}.")

        write_button(
            f"Create {word}",
            f"create-{subject}",
            add,
            submit=True,
            clears=f"new-{subject}",
            inline_errors=True,
            type="primary",
        )
    by_slug = {e.slug: e for e in entries}
    with rename:
        st.subheader(f"Rename a {word}")
        chosen = st.selectbox(
            word.capitalize(),
            list(by_slug),
            format_func=lambda s: by_slug[s].name,
            key=f"rename-{subject}-which-{len(by_slug)}",  # starts at the first when one is added
        )
        if chosen is not None:
            with st.form(f"rename-{subject}-{chosen}"):
                new_name = st.text_input("New name", value=by_slug[chosen].name)
                new_description = (
                    ""
                    if subject == "skill"
                    else st.text_area("Description", value=by_slug[chosen].description)
                )

                def save(report: Report, slug: str = chosen) -> None:
                    catalog_edits.rename(ctx, actor, subject, slug, new_name, new_description)
                    report.success(f"Renamed to {new_name.strip()}.")

                write_button("Rename", f"rename-{subject}", save, inputs=chosen, submit=True)
    with archive:
        st.subheader("Archive or restore")
        target = st.selectbox(
            word.capitalize(),
            list(by_slug),
            format_func=lambda s: by_slug[s].name + (" (archived)" if by_slug[s].archived else ""),
            key=f"archive-{subject}-which-{len(by_slug)}",
        )
        if target is not None:
            entry = by_slug[target]
            if entry.archived:

                def bring_back(report: Report, slug: str = target) -> None:
                    catalog_edits.restore(ctx, actor, subject, slug)
                    report.success(f"{entry.name} is offered again.")

                write_button(
                    f"Restore {entry.name}", f"restore-{subject}", bring_back, inputs=target
                )
            else:
                if subject == "subcommunity" and entry.open_items:
                    st.caption(
                        f"{entry.open_items} open item(s): they must be done, withdrawn or out "
                        "of scope first."
                    )

                def put_away(report: Report, slug: str = target) -> None:
                    catalog_edits.archive(ctx, actor, subject, slug)
                    report.success(f"Archived {entry.name}.")

                write_button("Archive", f"archive-{subject}", put_away, inputs=target)


admin = actor.has(Role.ADMIN)
subs_tab, themes_tab, skills_tab = st.tabs(["Sub-communities", "Themes", "Skills"])
with subs_tab:
    section("subcommunity", admin)
with themes_tab:
    section("theme", True)
with skills_tab:
    section("skill", True)
