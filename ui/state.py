"""The session's state, in one typed place.

Streamlit keeps two kinds of state for a session:

- **Widgets' values**, under their keys: each setting under its URL name (`dashboard/controls.py`),
  the page's other widgets under the constants below. Widgets write them; the app writes them
  only here (`set_settings`, `follow_budget`, `budget_slider_follows`) and in widget callbacks.
- **What the app keeps between runs**: one `AppState`, made on a session's first run (`start`)
  and read with `app_state()`. Its fields change only through its methods.

Nothing else is stored: what can be worked out from these (the checked roster, the plan, the
figures) is worked out in each run, through the caches in `ui/cache.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import streamlit as st

from dashboard.reading import Reading

if TYPE_CHECKING:  # (this module loads before pandas: `streamlit_app.py`)
    import pandas as pd

    from dashboard.store import Scenario
    from planner import Roster, RosterError

# ---------------------------------------------------------------- widget keys
APP = "app"  # the AppState
BUDGET_SLIDER = "budget_slider"  # the budget's slider (its typed amount is `controls.BUDGET`)
TAB = "tab"  # the tab open (in the URL)
# The tabs' names, which the sidebar's words name too (the client view has no Compare).
TAB_PLAN, TAB_BUDGET, TAB_RISK, TAB_COMPARE = (
    "Plan",
    "Budget and roster",
    "Strategies and risk",
    "Compare",
)
EXPLORE = "explore"  # the client view's "Explore" switch
ROSTER_OPEN = "roster_open"  # "Review and edit the roster" is open
LEFT_OUT_OPEN = "left_out_open"  # "... left out of the plan, and why" is open
SHARE_OPEN = "share_open"  # the "Share the settings" popover is open
SAVE_OPEN = "save_open"  # the "Save and share" popover is open
REPLIES_OPEN = "replies_open"  # the sidebar's "Replies and risk" section is open
ASSUMPTIONS_OPEN = "assumptions_open"  # the sidebar's "Assumptions" section is open
SCENARIO_NAME = "scenario_name"  # the name typed in Save and share
COMPARE_LINK = "compare_link"  # a saved scenario's link pasted in the Compare tab
COMPARE_PICK = "compare_pick"  # the scenarios picked in the Compare tab
ROSTER_PAGE = "roster_page"  # the page of a large roster shown in the editor (from 1)
UNDERSTOOD_OPEN = "understood_open"  # "What the planner read from this file" is open
READING_FORM = "reading"  # the questions on how to read a roster file
PLAN_TABLE_TRIGGER = "plan_table_after_first_chart"  # `ui/speed.py`
BLANK_CHART = "chart_code"  # `ui/speed.py`


def decimal_key(column: str) -> str:
    """The answer to "which decimal mark does this column use?"."""
    return f"decimal_{column}"


def column_key(field_name: str) -> str:
    """The answer to "which column holds this field?"."""
    return f"column_{field_name}"


def editor_key(version: int) -> str:
    """The roster editor's key: a new version is a fresh editor, without the old one's edits."""
    return f"roster_editor_{version}"


# ---------------------------------------------------------------- what the app keeps
@dataclass(frozen=True)
class RosterTable:
    """A roster table as the app holds it: every row with its include box."""

    frame: pd.DataFrame
    label: str  # what the page calls it ("In use: ...")
    # The sample roster or a saved scenario's as loaded: anyone may open those, so their plans
    # are any session's to reuse (`ui/roster.scope_of`); an upload or an edit is this session's.
    shared: bool


@dataclass(frozen=True)
class PlannedRoster:
    """A checked roster the plan can use, with its cache key and what the page calls it."""

    roster: Roster
    key: str
    label: str


@dataclass
class AppState:
    """What the app keeps for one session between runs."""

    roster: RosterTable  # the roster in use, as last loaded or as edited
    link_problems: list[str]  # settings in the opened link (or its saved scenario) not used
    edited: pd.DataFrame | None = None  # the roster as edited, while the editor is open
    editor_version: int = 0  # `editor_key`
    # A large roster is edited a page at a time (`ui/roster.py`): the page open (from 1) and the
    # whole table as it was when that page was opened (with the edits made on other pages), of
    # which the editor shows that page.
    editor_page: int = 1
    editor_base: pd.DataFrame | None = None
    upload_id: str | None = None  # the upload last read
    upload_error: tuple[str, RosterError] | None = None  # (file name, why it was not used)
    last_good: PlannedRoster | None = None  # the last roster in use without problems
    scenario: Scenario | None = None  # the saved scenario the link opened
    scenario_error: str | None = None  # why the link's saved scenario could not be opened
    known_scenarios: dict[str, str] = field(default_factory=dict)  # id -> name, for Compare
    last_saved: tuple[str, str] | None = None  # (id, name) saved last in this session
    # The two budget widgets' values, and the link's settings with the widgets' values, as the
    # last run drew them (`ui/sidebar.py` tells a widget change from a browser back/forward).
    budget_seen: tuple[float | None, float] | None = None
    settings_seen: tuple[dict[str, list[str]], dict[str, object]] | None = None
    # The roster check of the table in use, kept while the table (never changed in place) and
    # the settings it is checked under stay the same: hashing a large table for the check's
    # cache on every run would cost more than the check (`ui/roster.roster_in_use`).
    checked: tuple[pd.DataFrame, object, tuple[Roster, str] | RosterError] | None = None
    # How to read the roster in use (the user's answers: columns, decimal marks), and the
    # answers given for each set of headers seen in this session, for the next such file.
    reading: Reading = field(default_factory=Reading)
    readings: dict[tuple[str, ...], Reading] = field(default_factory=dict)
    # The scenario whose macro reply rate sweep was asked for (a button: the sweep is slow), so
    # that it stays on screen over reruns of the same scenario (`ui/tab_strategies._sweep`).
    sweep_asked: object = None

    def ask_sweep(self, scenario: object) -> None:
        self.sweep_asked = scenario

    # --- the roster
    def use_roster(
        self, frame: pd.DataFrame, label: str, *, shared: bool, reading: Reading | None = None
    ) -> None:
        """Make `frame` (with its include column) the roster in use, with a fresh editor: edits
        to the roster it replaces are dropped with it. It is read with `reading`, else with the
        answers given for a file with the same headers in this session."""
        self.roster = RosterTable(frame, label, shared)
        self.reading = reading if reading is not None else self.reading_for(frame)
        self._fresh_editor()

    def _fresh_editor(self) -> None:
        self.edited = None
        self.editor_base = None
        self.editor_page = 1
        self.editor_version += 1

    def reading_for(self, frame: pd.DataFrame) -> Reading:
        """The answers given in this session for a file with these headers, if any."""
        return self.readings.get(tuple(str(c) for c in frame.columns), Reading())

    def read_with(self, reading: Reading) -> None:
        """The user's answers on how to read the roster in use (kept for its headers too)."""
        self.reading = reading
        self.readings[tuple(str(c) for c in self.roster.frame.columns)] = reading

    def keep_edits(self, edited: pd.DataFrame) -> None:
        """The roster as edited so far, while the editor is open. A table equal to the one kept
        leaves that one in place: the roster's check is kept by the table's identity
        (`ui/roster.roster_in_use`), and a run that changed no cell need not check it again."""
        if self.edited is not None and edited.equals(self.edited):
            return
        self.edited = edited

    def turn_page(self, page: int) -> None:
        """Show page `page` of a large roster in the editor: a fresh editor on the table as
        edited so far, so the edits made on every page stay."""
        self.editor_base = self.edited if self.edited is not None else self.roster.frame
        self.editor_page = page
        self.editor_version += 1

    def close_editor(self) -> None:
        """The editor closed: its edits become the roster in use (this session's own), named
        for what it is once it differs from the roster it was edited from."""
        if self.edited is not None:
            changed = not self.edited.equals(self.roster.frame)
            label = edited_label(self.roster.label) if changed else self.roster.label
            self.roster = RosterTable(self.edited, label, shared=False)
            self._fresh_editor()

    def upload_read(self, upload_id: str) -> None:
        self.upload_id = upload_id

    def upload_failed(self, name: str, error: RosterError) -> None:
        self.upload_error = (name, error)

    def upload_error_seen(self) -> None:
        self.upload_error = None

    def remember_check(
        self, table: pd.DataFrame, settings: object, answer: tuple[Roster, str] | RosterError
    ) -> None:
        self.checked = (table, settings, answer)

    def remember_good(self, in_use: tuple[Roster, str], label: str) -> None:
        self.last_good = PlannedRoster(*in_use, label)

    # --- saved scenarios
    def opened(
        self, scenario: Scenario, frame: pd.DataFrame, problems: list[str], reading: Reading
    ) -> None:
        """The link's saved scenario is on screen: its roster (anyone with the link has it),
        read as it was when saved."""
        self.use_roster(frame, scenario.roster_label, shared=True, reading=reading)
        self.link_problems += problems
        self.scenario = scenario
        self.known_scenarios[scenario.id] = scenario.name

    def not_opened(self, reason: str) -> None:
        self.scenario_error = reason

    def saved(self, scenario_id: str, name: str) -> None:
        self.last_saved = (scenario_id, name)
        self.known_scenarios[scenario_id] = name

    def known(self, scenario_id: str, name: str) -> None:
        self.known_scenarios[scenario_id] = name

    # --- the sidebar
    def drew_budget(self, budget: float | None, slider: float) -> None:
        self.budget_seen = (budget, slider)

    def drew_settings(self, link: dict[str, list[str]], values: dict[str, object]) -> None:
        self.settings_seen = (link, values)


def is_first_run() -> bool:
    """This session's first run (no AppState yet)."""
    return APP not in st.session_state


def edited_label(label: str) -> str:
    """The name of a roster edited from the one called `label`."""
    if label.startswith("Edited from "):
        return label
    return f"Edited from {label[:1].lower()}{label[1:]}"


def start(frame: pd.DataFrame, label: str, link_problems: list[str]) -> AppState:
    """The session's AppState, on its first run: `frame` (the sample roster) in use."""
    app = AppState(roster=RosterTable(frame, label, shared=True), link_problems=link_problems)
    st.session_state[APP] = app
    return app


def app_state() -> AppState:
    return st.session_state[APP]


# ---------------------------------------------------------------- widgets' values set by the app
def set_settings(values: Mapping[str, object]) -> None:
    """Set settings' widgets (by key) before they are drawn: a saved scenario's, or the link's
    for the sidebar's sections (`ui/sidebar.py`)."""
    for key, value in values.items():
        st.session_state[key] = value


def follow_budget(slider_value: object) -> None:
    """The typed budget takes the slider's value (the slider moved)."""
    from dashboard import controls

    st.session_state[controls.BUDGET.key] = float(slider_value)  # type: ignore[arg-type]


def budget_slider_follows(budget: float) -> None:
    """The budget slider moves to the typed budget (within the slider's range)."""
    from dashboard import controls

    st.session_state[BUDGET_SLIDER] = controls.clamp_to_slider(budget)


def set_roster_page(page: int) -> None:
    """The roster editor's page selector, set before it is drawn (a page that no longer
    exists after rows were deleted)."""
    st.session_state[ROSTER_PAGE] = page


def stop_exploring() -> None:
    """The client view's Explore switch, off."""
    st.session_state[EXPLORE] = False
