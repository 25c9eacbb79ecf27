"""The sidebar: every setting as a widget whose value the URL carries (`dashboard/controls.py`
holds their names, defaults, bounds and help). The settings always in view are bound to the URL
by Streamlit; those in the two collapsed sections (`SECTIONS`) are drawn only while their section
is open and kept in the URL here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from dashboard import controls
from planner import Tiers
from planner.money import DEFAULT_CURRENCY, money, table_money
from ui import state


class Settings:
    """The settings of this run, and the sidebar that shows them.

    Once a session's widgets have been drawn, their values are in session state before the
    widgets are drawn again, so a run can answer first and draw the sidebar after the headline
    figures: the browser then gets the new figures before the widgets it redraws. On a
    session's first run the widgets take their values from the link as they are drawn, so they
    are drawn at once. `draw` must run in every run, also one that stops early: a sidebar left
    out of a run disappears from the page."""

    def __init__(self, *, locked: bool) -> None:
        self.locked = locked  # settings are shown disabled
        self.drawn = False
        widgets = st.session_state
        app = state.app_state()
        # The browser's back or forward button brings back an earlier URL: this run sees other
        # settings in the link than the last one left, with the same values in session state (a
        # bound widget changed in the browser changes both). Streamlit sets the bound widgets
        # from the link as they are drawn, so then the sidebar is drawn first, and the section
        # settings are read from the link again.
        link, values = app.settings_seen or (None, None)
        self.navigated = (
            link is not None
            and link != _settings_in_link()
            and values == {s.key: widgets.get(s.key) for s in controls.ALL}
        )
        _reconcile_budget()  # once a run, before either budget widget is drawn
        _read_link(again=self.navigated)
        if (
            not self.navigated
            and app.budget_seen is not None
            and all(s.key in widgets for s in controls.ALL)
        ):
            self.values: dict[str, object] = {s.key: widgets[s.key] for s in controls.ALL}
        else:
            self.draw()

    def draw(self) -> None:
        """Draw the sidebar, once a run."""
        if not self.drawn:
            self.values = _draw(locked=self.locked, navigated=self.navigated)
            self.drawn = True


def _currency() -> str:
    """The currency of the roster in use (the last one planned with), which the money settings
    are shown in; US dollars before there is one."""
    planned = state.app_state().last_good
    return planned.roster.currency if planned is not None else DEFAULT_CURRENCY


def _reconcile_budget() -> None:
    """The budget has two widgets, a typed amount (bound to the URL) and a slider. Whichever
    changed since the last run wins, written into the other before either is drawn. The slider
    is checked first: during quick key presses the typed amount's value in the browser can lag
    a run behind."""
    widgets = st.session_state
    seen = state.app_state().budget_seen
    if controls.BUDGET.key in widgets and state.BUDGET_SLIDER in widgets and seen is not None:
        budget, slider = widgets[controls.BUDGET.key], widgets[state.BUDGET_SLIDER]
        seen_budget, seen_slider = seen
        if slider != seen_slider:
            state.follow_budget(slider)
        elif budget != seen_budget and budget is not None:
            state.budget_slider_follows(budget)


def _moved_before_this_session() -> None:
    """The session's first run, and its budget widgets disagree: the page was open on another
    app server, which is gone, and the balancer sent the reconnected page here, where its
    session starts anew from the link (docs/deploy.md). The browser sends the widgets' values
    as the page shows them, one of them just changed (a fresh page sends none, and the slider
    starts at the typed budget). The page is taken as having shown the link's budget, and the run
    starts again: `_reconcile_budget` then finds which one moved, as in any run, and the other
    follows it. (Before, this first move was dropped: the figures stayed at the link's budget
    while the slider showed the new one.)"""
    link_budget = controls.from_link(controls.BUDGET, st.query_params.get_all(controls.BUDGET.key))
    budget, _ = controls.budget_in_range(link_budget)
    state.app_state().drew_budget(link_budget, controls.clamp_to_slider(budget))  # type: ignore[arg-type]
    st.rerun()


def _draw(*, locked: bool, navigated: bool) -> dict[str, object]:
    """Draw the settings (disabled when `locked`) and return their values by key; after a
    back or forward in the browser (`navigated`) the slider follows the link's budget."""
    currency = _currency()
    with st.sidebar:
        st.header("Campaign")
        # No bounds in the browser: a typed budget beyond them would turn the field red and
        # never reach the app. `budget_in_range` checks it and the field says so.
        typed = _bound(
            controls.BUDGET,
            st.number_input,
            locked,
            format="%.2f",
            min_value=None,
            max_value=None,
        )
        budget, problem = controls.budget_in_range(typed, currency)
        if problem is not None:
            st.error(problem, icon=":material/error:")
        elif typed is not None:
            st.caption(f"{money(budget, cents=True, currency=currency)}")
        if navigated:
            state.budget_slider_follows(budget)
        slider = st.slider(
            "Budget",
            min_value=controls.BUDGET_SLIDER_LOW,
            max_value=controls.BUDGET_SLIDER_MAX,
            value=controls.clamp_to_slider(budget),
            step=1_000.0,
            format=table_money(currency, digits=0),
            key=state.BUDGET_SLIDER,
            disabled=locked,
            label_visibility="collapsed",
            help="Drag to try other budgets; type an exact amount above.",
        )
        if state.app_state().budget_seen is None and slider != controls.clamp_to_slider(budget):
            _moved_before_this_session()
        state.app_state().drew_budget(typed, slider)  # type: ignore[arg-type]
        note = controls.slider_note(budget, currency)
        if note is not None:
            st.caption(note)
        _bound(controls.MACRO_SHARE, st.slider, locked, format="%d%%")
        _bound(controls.MAX_POSTS, st.slider, locked)
        _bound(controls.DECAY, st.slider, locked, format="%.2f")
        caps = st.columns(2)
        for column, setting in zip(
            caps, (controls.MAX_MACRO, controls.MAX_INFLUENCERS), strict=True
        ):
            _bound(setting, column.number_input, locked, placeholder="No cap")
        for section in SECTIONS:
            expander = st.expander(
                section.label, icon=section.icon, key=section.key, on_change="rerun"
            )
            if expander.open:
                with expander:
                    section.draw(locked)
    _write_link()
    values = {s.key: st.session_state[s.key] for s in controls.ALL}
    state.app_state().drew_settings(_settings_in_link(), values)
    return values


def _bound(
    setting: controls.Setting, draw: Callable[..., object], locked: bool, **extra: object
) -> object:
    """One setting as its widget, with the setting's bounds (whole numbers for whole settings)
    and help: bound to its URL parameter, or, for a setting in a section drawn only while open,
    keeping its value while the section is closed (`_write_link` keeps it in the URL)."""
    label = controls.label_of(setting, _currency())
    common: dict[str, object] = dict(
        key=setting.key, disabled=locked, help=controls.help_of(setting, _tiers())
    )
    if setting in _SECTION_SETTINGS:
        common["persist_state"] = "session"
    else:
        common["bind"] = "query-params"
    if isinstance(setting.default, bool):
        return draw(label, value=setting.default, **common, **extra)
    if setting.choices:
        return draw(
            label,
            setting.choices,
            index=setting.choices.index(str(setting.default)),
            **common,
            **extra,
        )

    def typed(number: float | None) -> float | int | None:
        return None if number is None else int(number) if setting.whole else number

    bounds = dict(min_value=typed(setting.low), max_value=typed(setting.high))
    return draw(
        label,
        value=setting.default,
        step=typed(setting.step),
        **(bounds | extra),
        **common,
    )


def _tiers() -> Tiers | None:
    """The tier thresholds the settings hold now (help texts state them), or None when they
    cannot be used."""
    return controls.tiers_or_none(
        {
            s.key: st.session_state.get(s.key)
            for s in (controls.MICRO_THRESHOLD, controls.MACRO_THRESHOLD)
        }
    )


# ---------------------------------------------------------------- sections drawn only while open
def _replies_and_risk(locked: bool) -> None:
    st.caption(
        "Offers can be declined, declined offers are replaced by backups in rounds, and posts "
        "land above or below their expectation. These assumptions drive the headline, the "
        f"split curve and the **{state.TAB_RISK}** tab. Each setting's help (?) says where its "
        "default comes from."
    )
    _bound(
        controls.PLAN_BASIS,
        st.selectbox,
        locked,
        format_func=lambda v: controls.PLAN_BASIS_WORDS.get(v, v),
    )
    _bound(controls.ROUNDS, st.slider, locked)
    _bound(controls.TARGET, st.number_input, locked, placeholder="Expected, after declines")
    for setting in controls.RISK:
        _bound(setting, st.slider, locked, format="%d%%" if setting.whole else "%.2f")


def _assumptions(locked: bool) -> None:
    st.caption("Who counts as micro or macro (by default the article's: 1,000 and 1M followers).")
    for setting in (controls.MICRO_THRESHOLD, controls.MACRO_THRESHOLD):
        _bound(setting, st.number_input, locked)
    st.caption(
        "Rate card: typical price of one post per 1,000 followers (published figures, "
        "see the README). Used only to estimate prices a roster does not have."
    )
    _bound(controls.ESTIMATE_PRICES, st.toggle, locked)
    for setting in controls.RATE_CARD:
        _bound(setting, st.number_input, locked, format="%.2f")


@dataclass(frozen=True)
class Section:
    """A collapsed section of the sidebar whose widgets are drawn only while it is open: the
    browser re-renders every widget on the page on every run, and these fifteen, rarely
    changed, made each budget move's headline some 30 ms slower. A widget that is not drawn
    loses its URL binding, so these settings are kept in the URL by `_write_link`, and are read
    from the link the session opened by `_read_link`."""

    label: str
    key: str  # its open state in session state
    icon: str | None
    settings: tuple[controls.Setting, ...]
    draw: Callable[[bool], None]


SECTIONS = (
    Section(
        "Replies and risk",
        state.REPLIES_OPEN,
        ":material/casino:",
        (controls.PLAN_BASIS, controls.ROUNDS, controls.TARGET, *controls.RISK),
        _replies_and_risk,
    ),
    Section(
        "Assumptions",
        state.ASSUMPTIONS_OPEN,
        None,
        (
            controls.MICRO_THRESHOLD,
            controls.MACRO_THRESHOLD,
            controls.ESTIMATE_PRICES,
            *controls.RATE_CARD,
        ),
        _assumptions,
    ),
)
_SECTION_SETTINGS = frozenset(s for section in SECTIONS for s in section.settings)


def _settings_in_link() -> dict[str, list[str]]:
    return {s.key: st.query_params.get_all(s.key) for s in controls.ALL}


def _read_link(*, again: bool) -> None:
    """Each section setting without a value yet (a session's first run), or every one `again`
    (the browser went back or forward to another link), takes the link's value, or its default
    when the link has none it can use (`controls.check_link` tells the user why on a first run)."""
    state.set_settings(
        {
            setting.key: controls.from_link(setting, st.query_params.get_all(setting.key))
            for setting in _SECTION_SETTINGS
            if again or setting.key not in st.session_state
        }
    )


def _write_link() -> None:
    """Keep each section setting in the URL, as a bound widget would: its value when it is not
    the default, else no parameter. Written only when it differs, so a run that changed none of
    them sends the browser no new URL."""
    for setting in _SECTION_SETTINGS:
        wanted = controls.to_link(setting, st.session_state[setting.key])
        if wanted is None:
            if setting.key in st.query_params:
                del st.query_params[setting.key]
        elif st.query_params.get_all(setting.key) != [wanted]:
            st.query_params[setting.key] = wanted
