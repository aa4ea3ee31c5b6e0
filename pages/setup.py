from roadmap.ui.guard import page_setup

actor = page_setup("setup")

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from roadmap.services import setup
from roadmap.ui import session
from roadmap.ui.registry import BY_KEY

ctx = session.context()
st.title("Set-up checklist")
steps = setup.checklist(ctx, actor)
done = sum(step.done for step in steps)
st.progress(done / len(steps), text=f"{done} of {len(steps)} steps done")
if done == len(steps):
    st.success(
        "Everything a foundation needs to plan is in place. Leads can propose items; "
        "the executive takes it from the Scope review."
    )
else:
    st.caption(
        "Each step ticks itself off when the database holds what it asks for. "
        "On the command line: `roadmap setup-status` (see docs/operations.md)."
    )
for number, step in enumerate(steps, start=1):
    with st.container(border=True):
        mark = ":material/check_circle:" if step.done else ":material/radio_button_unchecked:"
        state = ":green[done]" if step.done else ":orange[to do]"
        st.markdown(f"{mark} **{number}. {step.title}** · {state}")
        st.caption(step.detail)
        for key in step.pages:
            spec = BY_KEY[key]
            try:
                st.page_link(f"pages/{key}.py", label=spec.title, icon=spec.icon)
            except StreamlitPageNotFoundError:  # run alone, outside the router (AppTest)
                st.markdown(f"[{spec.title}](/{key})")
