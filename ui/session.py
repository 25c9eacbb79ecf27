"""A session's first run: what the link it opened asks for."""

from __future__ import annotations

import streamlit as st

from dashboard import controls
from ui import scenarios, state
from ui.roster import SAMPLE_LABEL, sample_frame


def open_session() -> None:
    """Check the link the session opened (the page warns about each setting it cannot use),
    start with the sample roster, then put the saved scenario the link names in place. A link
    the check had to correct is rewritten (refused values dropped, the rest as the app writes
    them) and the page starts again from it: the settings' widgets read the link themselves, in
    their own way, so that each then shows what the warning says."""
    link = {key: st.query_params.get_all(key) for key in st.query_params}
    state.start(sample_frame(), SAMPLE_LABEL, controls.check_link(link))
    if st.query_params.get("scenario"):
        scenarios.open_link(st.query_params["scenario"])
    clean = controls.canonical_link(link)
    if clean != link:
        st.query_params.from_dict(clean)
        st.rerun()
