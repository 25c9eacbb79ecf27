"""The roster: upload (checked before it replaces the roster in use), review and edit."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.text import md, md_lines
from dashboard.upload import limits_text, read_upload
from planner import RateCard, Roster, RosterError, Tiers
from ui.cache import INCLUDE, SAMPLE_LABEL, SHARED, checked, roster_key, sample_table, session_scope
from ui.scenarios import included


def use_frame(frame: pd.DataFrame, label: str, *, shared: bool = False) -> None:
    """Make `frame` the roster in use (every row included) and start a fresh editor; `shared`
    for the sample roster, whose plans any session may reuse (`scope_of`)."""
    state = st.session_state
    state.roster_frame = frame.assign(**{INCLUDE: True})
    state.shared_frame = state.roster_frame if shared else None
    state.roster_label = label
    state.roster_edited = None  # edits to the roster it replaces are dropped with it
    state.editor_version += 1


def scope_of(table: pd.DataFrame) -> str:
    """Whose results a roster table's may be: any session's for the sample roster or a saved
    scenario's roster as loaded (`shared_frame`), else this session's only (an upload, or any
    table the editor made)."""
    return SHARED if table is st.session_state.get("shared_frame") else session_scope()


def roster_in_use(
    table: pd.DataFrame, tiers: Tiers, rate_card: RateCard | None
) -> tuple[Roster, str] | RosterError:
    """The checked roster of the table in use (its included rows) with its cache key, or the
    error listing its problems. Kept for the session while the table and the settings it is
    checked under stay the same (tables are replaced, never changed in place): the check's cache
    would hash the whole table again on every run."""
    state = st.session_state
    kept = state.get("roster_in_use")
    if kept is not None and kept[0] is table and kept[1] == (tiers, rate_card):
        return kept[2]
    scope = scope_of(table)
    roster, error = checked(included(table), tiers, rate_card, scope)
    answer = error if roster is None else (roster, roster_key(roster, scope))
    assert answer is not None
    state.roster_in_use = (table, (tiers, rate_card), answer)
    return answer


def roster_section(tiers: Tiers, rate_card: RateCard | None) -> pd.DataFrame:
    """Upload, review and edit the roster; returns the roster table as edited."""
    state = st.session_state
    st.subheader("Roster")
    upload_col, info_col = st.columns([3, 2])
    upload = upload_col.file_uploader(
        "Upload your roster (CSV or Excel)",
        type=["csv", "txt", "xlsx"],
        help="One row per influencer with name, followers, engagement_rate and cost_per_post "
        "(platform, niche, max_posts, audience_quality, reply_rate, engagement_spread "
        "optional). Formats like 12.5K, 3.5% "
        f"and $1,200 are fine. {limits_text()}",
    )
    if upload is not None and upload.file_id != state.upload_id:
        state.upload_id = upload.file_id
        try:
            frame = read_upload(upload.getvalue(), filename=upload.name)
            _, problem = checked(frame, tiers, rate_card, session_scope())
            if problem is not None and not problem.missing_prices:
                raise problem
            use_frame(frame, upload.name)
            state.upload_error = None
        except RosterError as error:  # the roster in use stays
            state.upload_error = (upload.name, error)
    if state.upload_error is not None:
        name, error = state.upload_error
        st.error(
            f"**{md(name)}** could not be used, so the plan still uses "
            f"**{md(state.roster_label)}**.\n\n{md_lines(error.summary())}"
        )
    with info_col:
        st.markdown(f"**In use:** {md(state.roster_label)}")
        if state.roster_label != SAMPLE_LABEL and st.button("Back to the sample roster"):
            use_frame(sample_table(), SAMPLE_LABEL, shared=True)
            state.upload_error = None
            st.rerun()

    # The editor is drawn only while its section is open: a first page without a table loads
    # (and the browser evaluates) none of the table's code, so the charts come sooner. Edits
    # made while it was open become the roster in use when it closes.
    section = st.expander("Review and edit the roster", key="roster_open", on_change="rerun")
    if not section.open:
        if state.roster_edited is not None:
            state.roster_frame = state.roster_edited
            state.roster_edited = None
            state.editor_version += 1
        return state.roster_frame
    with section:
        st.caption(
            "Change any cell, add rows at the bottom, delete rows, or untick **include** to "
            "leave an influencer out of the plan. Edits stay until you load another roster."
        )
        edited = st.data_editor(
            state.roster_frame,
            key=f"roster_editor_{state.editor_version}",
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            column_config={
                INCLUDE: st.column_config.CheckboxColumn(
                    "include", help="Untick to leave this influencer out of the plan."
                )
            },
        )
    state.roster_edited = edited
    return edited
