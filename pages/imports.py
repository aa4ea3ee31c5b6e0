from roadmap.ui.guard import page_setup

actor = page_setup("imports")

import pandas as pd
import streamlit as st

from roadmap import config
from roadmap.services import imports
from roadmap.services.csv_export import frame_csv
from roadmap.ui import session
from roadmap.ui.actions import Report, write_button
from roadmap.ui.feedback import user_errors
from roadmap.ui.text import plain

ctx = session.context()
st.title("Import from CSV")
st.write(
    "Check a whole file first: every bad row and column is listed, and nothing is written "
    "until the file is clean. Then the file is imported in one go, all rows or none."
)
done = st.session_state.pop("imports-done", None)
if done:
    st.success(plain(done))  # it names the uploaded file

kinds = imports.allowed_kinds(actor)
kind = st.radio(
    "What to import",
    kinds,
    format_func=lambda k: imports.KINDS[k].label.capitalize(),
    horizontal=True,
)
spec = imports.KINDS[kind]
if kind == "items":
    st.caption(
        "Items arrive as drafts of their sub-community, ready for its leads to edit and submit. "
        "A lead imports only into the sub-communities they lead."
    )
with st.expander("Columns and a template"):
    st.dataframe(
        pd.DataFrame(
            [
                {"Column": c.name, "Required": "yes" if c.required else "", "What": c.help}
                for c in spec.columns
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    st.download_button(
        "Download a template", spec.template(), file_name=f"{kind}-template.csv", mime="text/csv"
    )

generation = st.session_state.setdefault("imports-generation", 0)
upload = st.file_uploader(
    f"CSV file (UTF-8, up to {imports.size_text(config.max_upload_bytes())})",
    type=["csv"],
    key=f"imports-{kind}-{generation}",
)
if upload is not None:
    data = upload.getvalue()
    with user_errors():
        checked = imports.preview(ctx, actor, kind, data)
        if checked.problems:
            st.error(plain(checked.summary()))
            problems = pd.DataFrame(
                [
                    {"Line": p.line, "Column": p.column, "Problem": p.problem}
                    for p in checked.problems
                ]
            )
            st.dataframe(problems, hide_index=True, width="stretch")
            st.download_button(
                "Download the problems (CSV)",
                frame_csv(problems),
                file_name=f"{kind}-problems.csv",
                mime="text/csv",
            )
        elif not checked.rows:
            st.warning(plain(checked.summary()))
        else:
            st.info(plain(checked.summary()))
            st.dataframe(
                pd.DataFrame(imports.display_rows(checked)), hide_index=True, width="stretch"
            )

            def run_import(report: Report, name: str = upload.name) -> None:
                result = imports.import_csv(ctx, actor, kind, data)
                report.success(f"Imported {result.count} {spec.label} from {name}.")

            def fresh_uploader(report: Report) -> None:
                # The sentence is shown above a new, empty uploader.
                st.session_state["imports-done"] = report.lines[0][1]
                st.session_state["imports-generation"] = generation + 1

            write_button(
                f"Import {len(checked.rows)} {spec.label}",
                f"import-{kind}",
                run_import,
                inputs=[generation, upload.name],
                then=fresh_uploader,
                type="primary",
            )
