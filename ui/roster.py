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
from planner import FIELDS, RateCard, Roster, RosterError, Tiers, read_table
from ui import a11y, state
from ui.cache import SHARED, checked, roster_key, session_scope
from ui.state import PlannedRoster

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv"
SAMPLE_LABEL = "Sample roster (synthetic, 400 influencers)"
INCLUDE = "include"  # the roster table's column for leaving an influencer out
PAGE_ROWS = 500  # a roster longer than this is edited a page of this many rows at a time
FIELD_RULES = {rule.name: rule for rule in FIELDS}
NO_COLUMN = "(no such column)"
DECIMAL_MARKS = {"point": "Decimal point (1,234.5)", "comma": "Decimal comma (1.234,5)"}


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
    """The rows of a roster table whose include box is ticked, without that column. The rows
    keep their index, which is how `check_roster` names each row's line in the file (a problem
    on the file's row 6 is said to be on row 6 whichever rows above it are left out)."""
    keep = ticked(frame)
    return frame.loc[keep].drop(columns=INCLUDE, errors="ignore")


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
    settings = (tiers, rate_card, app.reading)
    if app.checked is not None and app.checked[0] is table and app.checked[1] == settings:
        return app.checked[2]
    scope = scope_of(table)
    roster, error = checked(included(table), tiers, rate_card, scope, app.reading)
    answer = error if roster is None else (roster, roster_key(roster, scope))
    assert answer is not None
    app.remember_check(table, settings, answer)
    return answer


def roster_for_plan(
    table: pd.DataFrame, tiers: Tiers, rate_card: RateCard | None
) -> PlannedRoster | None:
    """The roster to plan with: the table's, or, when it has problems (listed here), the last
    roster in use that had none; None when there is none."""
    app = state.app_state()
    in_use = roster_in_use(table, tiers, rate_card)
    if not isinstance(in_use, RosterError):
        understood(in_use[0])
        app.remember_good(in_use, app.roster.label)
        assert app.last_good is not None
        return app.last_good
    reading_step(in_use)
    understood(in_use)
    if in_use.missing_prices:
        st.info(
            "No column of this roster was recognised as the price of one post. "
            + (
                "If one of its columns holds the prices, choose it above and press **Read the "
                "file this way**; if it has none, turn on "
                if "cost_per_post" in in_use.unmapped
                else "Turn on "
            )
            + "**Estimate missing prices from the rate card** under *Assumptions* in the "
            "sidebar to plan with estimated prices; they are marked as estimates everywhere."
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


def answerable(error: RosterError) -> bool:
    """Whether the page can ask the user what it needs to read the roster: prices to estimate,
    a decimal mark, or which column holds a field."""
    return bool(error.missing_prices or error.ambiguous or error.unmapped)


def reading_step(error: RosterError) -> None:
    """The questions that let the roster in use be read: the decimal mark of each column whose
    numbers can be read two ways, and the column of each required field not recognised (each
    select pre-filled with the planner's guess, used only once confirmed). The answers are kept
    for this roster, for files with the same headers in the session, and with a saved
    scenario."""
    if not (error.ambiguous or error.unmapped):
        return
    app = state.app_state()
    headers = [h for h in error.headers if h != INCLUDE]
    with st.form(state.READING_FORM, border=True):
        st.markdown("**How should this file be read?** Answer, then press the button below.")
        marks: dict[str, str | None] = {}
        for ambiguity in error.ambiguous:
            marks[ambiguity.column] = st.radio(
                md(ambiguity.message()),
                list(DECIMAL_MARKS),
                index=None,
                format_func=DECIMAL_MARKS.get,
                horizontal=True,
                key=state.decimal_key(ambiguity.column),
            )
        chosen: dict[str, str | None] = {}
        for name in error.unmapped:
            rule = FIELD_RULES[name]
            guess = error.suggestions.get(name)
            options = [NO_COLUMN, *headers]
            index = options.index(guess.header) if guess and guess.header in options else 0
            chosen[name] = st.selectbox(
                f"Which column holds **{rule.label}**?",
                options,
                index=index,
                key=state.column_key(name),
                help=(f"Suggested: {guess.reason}. " if guess else "")
                + (rule.doc or "")
                + " Nothing is used until you press the button.",
            )
        pressed = st.form_submit_button("Read the file this way", type="primary")
    if not pressed:
        return
    unanswered = [column for column, mark in marks.items() if mark is None]
    if unanswered:
        st.warning("Choose the decimal mark of " + ", ".join(f"'{md(c)}'" for c in unanswered))
        return
    app.read_with(
        app.reading.with_answers(
            {name: (None if header == NO_COLUMN else header) for name, header in chosen.items()},
            {column: mark for column, mark in marks.items() if mark is not None},  # type: ignore[misc]
        )
    )
    st.rerun()


def understood(answer: Roster | RosterError | None) -> None:
    """What was understood of the roster file (each field: the header it came from, how it
    was read, the first values as parsed), to check before trusting the plan: shown for any
    roster but the sample, drawn only while open."""
    app = state.app_state()
    if app.roster.label == SAMPLE_LABEL and app.roster.shared:
        return
    understanding = (
        answer.understood
        if isinstance(answer, Roster)
        else (answer.understood if isinstance(answer, RosterError) else None)
    )
    if understanding is None or not understanding.columns:
        return
    for check in understanding.checks:  # read one of two ways the file allows: in view
        st.warning(md(check), icon=":material/help:")
    section = st.expander(
        "What the planner read from this file", key=state.UNDERSTOOD_OPEN, on_change="rerun"
    )
    if section.open:
        with section:
            st.caption(
                md(understanding.currency_line())
                + "."
                + (" Your answers on how to read it are used." if app.reading else "")
            )
            a11y.named_table("What the planner read from this file").dataframe(
                understanding.frame(), hide_index=True, width="stretch"
            )
            for note in understanding.notes:
                st.caption(md(note))


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
            # Each step says what it does once it takes over half a second (a large file).
            with st.spinner(f"Reading {md(upload.name)} ({_size(upload.size)})…", show_time=True):
                frame = read_upload(upload.getvalue(), filename=upload.name)
            frame = frame.assign(**{INCLUDE: True})
            reading = app.reading_for(frame)
            scope = session_scope()
            with st.spinner(
                f"Checking the {len(frame):,} rows of {md(upload.name)}: every field of every "
                "row, the tiers and the prices…",
                show_time=True,
            ):
                roster, problem = checked(included(frame), tiers, rate_card, scope, reading)
            # A file the page can ask about (which column is which, which decimal mark, or
            # prices to estimate) is loaded, and asked about; any other problem refuses it.
            if problem is not None and not answerable(problem):
                raise problem
            app.use_roster(frame, upload.name, shared=False, reading=reading)
            app.upload_error_seen()
            # Checked once: the run goes on to plan with this check, not a second one.
            app.remember_check(
                frame,
                (tiers, rate_card, app.reading),
                problem if roster is None else (roster, roster_key(roster, scope)),
            )
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
        edited = _editor(app)
    app.keep_edits(edited)
    return app.edited if app.edited is not None else edited, in_use_slot


def _editor(app: state.AppState) -> pd.DataFrame:
    """The roster editor; returns the whole table as edited. A roster of over `PAGE_ROWS` rows
    is edited a page at a time (the browser would otherwise be sent, and draw, every row on
    every run): a page selector, the rows shown named, and the edits of every page kept (each
    page's editor starts from the table as edited so far: `AppState.turn_page`)."""
    column_config = {
        INCLUDE: st.column_config.CheckboxColumn(
            "include", help="Untick to leave this influencer out of the plan."
        )
    }
    whole = app.edited if app.edited is not None else app.roster.frame
    if len(whole) <= PAGE_ROWS and app.editor_base is None:
        return st.data_editor(
            app.roster.frame,
            key=state.editor_key(app.editor_version),
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            column_config=column_config,
        )
    pages = max(1, -(-len(whole) // PAGE_ROWS))
    if st.session_state.get(state.ROSTER_PAGE, 1) > pages:  # rows were deleted
        state.set_roster_page(pages)
    pick, shows = st.columns([1, 3], vertical_alignment="bottom")
    page = int(
        pick.number_input(
            f"Page (of {pages:,})",
            min_value=1,
            max_value=pages,
            step=1,
            key=state.ROSTER_PAGE,
            help=f"The roster is shown {PAGE_ROWS:,} rows at a time. Edits made on any page "
            "are kept when you turn to another.",
        )
    )
    if app.editor_base is None or page != app.editor_page:
        app.turn_page(page)
    base = app.editor_base
    assert base is not None
    start = (page - 1) * PAGE_ROWS
    stop = min(len(base), start + PAGE_ROWS)
    shows.caption(
        f"Showing rows {start + 1:,}–{stop:,} of {len(base):,}. Rows added here go after "
        "this page's last row."
    )
    shown = base.iloc[start:stop]
    edited = a11y.named_table("Roster").data_editor(
        shown,
        key=state.editor_key(app.editor_version),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config=column_config,
    )
    return with_page(base, start, stop, edited)


def with_page(base: pd.DataFrame, start: int, stop: int, page: pd.DataFrame) -> pd.DataFrame:
    """The whole table `base` with its rows `start`..`stop` (a page of the editor) replaced by
    `page` as edited (cells changed, rows added at its end or deleted); `base` itself when the
    page is unchanged."""
    if page.equals(base.iloc[start:stop]):
        return base
    return pd.concat([base.iloc[:start], page, base.iloc[stop:]], ignore_index=True)


def _size(size: int) -> str:
    """A file's size in words."""
    return f"{size / 1e6:,.1f} MB" if size >= 100_000 else f"{size / 1e3:,.0f} kB"


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
