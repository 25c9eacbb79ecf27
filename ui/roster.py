"""The roster: the table in use (the sample, an upload, a saved scenario's, as edited), its
upload (checked before it replaces the roster in use), review and edit, and what was left out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.text import md, md_lines
from dashboard.upload import limits_text, read_upload
from planner import RateCard, Roster, RosterError, Tiers, read_table
from ui import state
from ui.cache import SHARED, checked, roster_key, session_scope
from ui.state import PlannedRoster

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv"
SAMPLE_LABEL = "Sample roster (synthetic, 400 influencers)"
INCLUDE = "include"  # the roster table's column for leaving an influencer out


@st.cache_data(show_spinner=False, max_entries=1)
def sample_table() -> pd.DataFrame:
    return read_table(SAMPLE)


def sample_frame() -> pd.DataFrame:
    """The sample roster as the app holds it: every row included."""
    return sample_table().assign(**{INCLUDE: True})


def ticked(frame: pd.DataFrame) -> pd.Series:
    """The include box of each row: ticked only where it is (an empty box, as on a row just
    added in the editor, is shown unticked and leaves the row out); every row is included
    when the table has no include column."""
    if INCLUDE not in frame:
        return pd.Series(True, index=frame.index)
    return frame[INCLUDE].map(lambda v: v is True or v is np.True_).astype(bool)


def included(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a roster table whose include box is ticked, without that column."""
    keep = ticked(frame)
    return frame.loc[keep].drop(columns=INCLUDE, errors="ignore").reset_index(drop=True)


def scope_of(table: pd.DataFrame) -> str:
    """Whose results a roster table's may be: any session's for the sample roster or a saved
    scenario's roster as loaded (`RosterTable.shared`), else this session's only (an upload,
    or any table the editor made)."""
    in_use = state.app_state().roster
    return SHARED if in_use.shared and table is in_use.frame else session_scope()


def roster_in_use(
    table: pd.DataFrame, tiers: Tiers, rate_card: RateCard | None
) -> tuple[Roster, str] | RosterError:
    """The checked roster of the table in use (its included rows) with its cache key, or the
    error listing its problems. Kept for the session while the table and the settings it is
    checked under stay the same (tables are replaced, never changed in place): the check's cache
    would hash the whole table again on every run."""
    app = state.app_state()
    if app.checked is not None and app.checked[0] is table and app.checked[1] == (tiers, rate_card):
        return app.checked[2]
    scope = scope_of(table)
    roster, error = checked(included(table), tiers, rate_card, scope)
    answer = error if roster is None else (roster, roster_key(roster, scope))
    assert answer is not None
    app.remember_check(table, (tiers, rate_card), answer)
    return answer


def roster_for_plan(
    table: pd.DataFrame, tiers: Tiers, rate_card: RateCard | None
) -> PlannedRoster | None:
    """The roster to plan with: the table's, or, when it has problems (listed here), the last
    roster in use that had none; None when there is none."""
    app = state.app_state()
    in_use = roster_in_use(table, tiers, rate_card)
    if not isinstance(in_use, RosterError):
        app.remember_good(in_use, app.roster.label)
        assert app.last_good is not None
        return app.last_good
    if in_use.missing_prices:
        st.info(
            "This roster has no prices. Turn on **Estimate missing prices from the rate "
            "card** under *Assumptions* in the sidebar to plan with estimated prices; "
            "they are marked as estimates everywhere."
        )
    st.error(
        md_lines(in_use.summary())
        + (
            f"\n\nThe plan above still uses **{md(app.last_good.label)}**, the last roster "
            "without problems."
            if app.last_good is not None
            else ""
        )
    )
    return app.last_good


def roster_notice(planned: PlannedRoster | None) -> None:
    """At the top of the page, when what was loaded is not what the plan uses: which roster the
    plan still uses, and that the problems are listed under *Roster*."""
    app = state.app_state()
    problems: list[str] = []
    if app.upload_error is not None:
        name, error = app.upload_error
        problems.append(f"**{md(name)}** could not be used ({_count(error)})")
    checked = app.checked[2] if app.checked is not None else None
    if isinstance(checked, RosterError):
        what = (
            f"**{md(app.roster.label)}** as edited"
            if not app.roster.shared and planned is not None and planned.label == app.roster.label
            else f"**{md(app.roster.label)}**"
        )
        problems.append(f"{what} cannot be planned yet ({_count(checked)})")
    if not problems:
        return
    still = (
        f"Still planning with: **{md(planned.label)}**."
        if planned is not None
        else "There is no plan until a roster can be used."
    )
    st.warning(
        f"{'; '.join(problems)}. {still} The problems are listed under **Roster** below.",
        icon=":material/error:",
    )


def _count(error: RosterError) -> str:
    count = len(error.problems)
    return "1 problem" if count == 1 else f"{count} problems"


def roster_section(tiers: Tiers, rate_card: RateCard | None) -> tuple[pd.DataFrame, DeltaGenerator]:
    """Upload, review and edit the roster; returns the roster table as edited, and the place
    where `show_in_use` says which roster the plan uses."""
    app = state.app_state()
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
    if upload is not None and upload.file_id != app.upload_id:
        app.upload_read(upload.file_id)
        try:
            frame = read_upload(upload.getvalue(), filename=upload.name)
            _, problem = checked(frame, tiers, rate_card, session_scope())
            if problem is not None and not problem.missing_prices:
                raise problem
            app.use_roster(frame.assign(**{INCLUDE: True}), upload.name, shared=False)
            app.upload_error_seen()
        except RosterError as error:  # the roster in use stays
            app.upload_failed(upload.name, error)
    if app.upload_error is not None:
        name, error = app.upload_error
        st.error(f"**{md(name)}** could not be used.\n\n{md_lines(error.summary())}")
    in_use_slot = info_col.container()  # filled once the table is checked (`show_in_use`)
    if app.roster.label != SAMPLE_LABEL:
        info_col.button("Back to the sample roster", on_click=_back_to_sample)

    # The editor is drawn only while its section is open: a first page without a table loads
    # (and the browser evaluates) none of the table's code, so the charts come sooner. Edits
    # made while it was open become the roster in use when it closes.
    section = st.expander("Review and edit the roster", key=state.ROSTER_OPEN, on_change="rerun")
    if not section.open:
        app.close_editor()
        return app.roster.frame, in_use_slot
    with section:
        st.caption(
            "Change any cell, add rows at the bottom, delete rows, or untick **include** to "
            "leave an influencer out of the plan. Edits stay until you load another roster."
        )
        edited = st.data_editor(
            app.roster.frame,
            key=state.editor_key(app.editor_version),
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            column_config={
                INCLUDE: st.column_config.CheckboxColumn(
                    "include", help="Untick to leave this influencer out of the plan."
                )
            },
        )
    app.keep_edits(edited)
    return edited, in_use_slot


def show_in_use(slot: DeltaGenerator, planned: PlannedRoster | None) -> None:
    """Which roster the plan uses: the last one without problems when the one loaded has some."""
    loaded = state.app_state().roster.label
    with slot:
        st.markdown(f"**In use:** {md(planned.label if planned is not None else 'none yet')}")
        if planned is None or planned.label != loaded:
            st.caption(f"Loaded but not used: {md(loaded)} (its problems are listed below).")


def _back_to_sample() -> None:
    app = state.app_state()
    app.use_roster(sample_frame(), SAMPLE_LABEL, shared=True)
    app.upload_error_seen()


def left_out(roster: Roster) -> None:
    """Who the check left out of the plan, and why: drawn only while open, like the editor."""
    if not len(roster.excluded):
        return
    section = st.expander(
        f"{len(roster.excluded)} left out of the plan, and why",
        key=state.LEFT_OUT_OPEN,
        on_change="rerun",
    )
    if section.open:
        section.dataframe(roster.excluded, hide_index=True, width="stretch")
