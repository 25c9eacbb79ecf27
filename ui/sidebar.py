"""The sidebar: every setting, each a widget bound to the URL (`dashboard/scenario.py` holds
their names, defaults, bounds and help)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard import scenario as sc


class Settings:
    """The settings of this run, and the sidebar that shows them.

    Once a session's widgets have been drawn, their values are in session state before the
    widgets are drawn again, so a run can answer first and draw the sidebar after the headline
    figures: the browser then gets the new figures before some thirty widgets it redraws. On a
    session's first run the widgets take their values from the link as they are drawn, so they
    are drawn at once. `draw` must run in every run, also one that stops early: a sidebar left
    out of a run disappears from the page."""

    def __init__(self, *, locked: bool) -> None:
        self.locked = locked  # settings are shown disabled
        self.drawn = False
        state = st.session_state
        _reconcile_budget()  # once a run, before either budget widget is drawn
        if "budget_seen" in state and all(s.key in state for s in sc.ALL):
            self.values: dict[str, object] = {s.key: state[s.key] for s in sc.ALL}
        else:
            self.draw()

    def draw(self) -> None:
        """Draw the sidebar, once a run."""
        if not self.drawn:
            self.values = _draw(locked=self.locked)
            self.drawn = True


def _reconcile_budget() -> None:
    """The budget has two widgets, a typed amount (bound to the URL) and a slider. Whichever
    changed since the last run wins, written into the other before either is drawn. The slider
    is checked first: during quick key presses the typed amount's value in the browser can lag
    a run behind."""
    state = st.session_state
    if "budget" in state and "budget_slider" in state and "budget_seen" in state:
        seen_budget, seen_slider = state.budget_seen
        if state.budget_slider != seen_slider:
            state.budget = float(state.budget_slider)
        elif state.budget != seen_budget and state.budget is not None:
            state.budget_slider = sc.clamp_to_slider(state.budget)


def _draw(*, locked: bool) -> dict[str, object]:
    """Draw the settings (disabled when `locked`) and return their values by key."""
    state = st.session_state
    with st.sidebar:
        st.header("Campaign")
        _bound(sc.BUDGET, st.number_input, locked, format="%.2f")
        st.slider(
            "Budget",
            min_value=1_000.0,
            max_value=sc.BUDGET_SLIDER_MAX,
            value=sc.clamp_to_slider(state.budget),
            step=1_000.0,
            format="$%,.0f",
            key="budget_slider",
            disabled=locked,
            label_visibility="collapsed",
            help="Drag to try other budgets; type an exact amount above.",
        )
        state.budget_seen = (state.budget, state.budget_slider)
        if state.budget > sc.BUDGET_SLIDER_MAX:
            st.caption(
                f"The slider stops at ${sc.BUDGET_SLIDER_MAX:,.0f}; the typed amount is used."
            )
        _bound(sc.MACRO_SHARE, st.slider, locked, format="%d%%")
        _bound(sc.MAX_POSTS, st.slider, locked)
        _bound(sc.DECAY, st.slider, locked, format="%.2f")
        caps = st.columns(2)
        for column, setting in zip(caps, (sc.MAX_MACRO, sc.MAX_INFLUENCERS), strict=True):
            _bound(setting, column.number_input, locked, placeholder="No cap")
        with st.expander("Replies and risk", icon=":material/casino:"):
            st.caption(
                "Offers can be declined and posts land above or below their expectation. These "
                "assumptions drive the Risk view; the reply rates also drive planning for "
                "declined offers. Defaults: see the README."
            )
            _bound(sc.PLAN_FOR_REPLIES, st.toggle, locked)
            _bound(sc.TARGET, st.number_input, locked, placeholder="Expected, with replies")
            for setting in sc.RISK:
                _bound(setting, st.slider, locked, format="%d%%" if setting.whole else "%.2f")
        with st.expander("Assumptions"):
            st.caption("Who counts as micro or macro (the article's definition by default).")
            for setting in (sc.MICRO_THRESHOLD, sc.MACRO_THRESHOLD):
                _bound(setting, st.number_input, locked)
            st.caption(
                "Rate card: typical price of one post per 1,000 followers (published figures, "
                "see the README). Used only to estimate prices a roster does not have."
            )
            _bound(sc.ESTIMATE_PRICES, st.toggle, locked)
            for setting in sc.RATE_CARD:
                _bound(setting, st.number_input, locked, format="%.2f")
    return {s.key: state[s.key] for s in sc.ALL}


def _bound(setting: sc.Setting, draw: Callable[..., object], locked: bool, **extra: object) -> None:
    """One setting as its widget, bound to its URL parameter, with the setting's bounds (whole
    numbers for whole settings) and help."""
    common = dict(key=setting.key, bind="query-params", disabled=locked, help=setting.help)
    if isinstance(setting.default, bool):
        draw(setting.label, value=setting.default, **common, **extra)
        return

    def typed(number: float | None) -> float | int | None:
        return None if number is None else int(number) if setting.whole else number

    draw(
        setting.label,
        min_value=typed(setting.low),
        max_value=typed(setting.high),
        value=setting.default,
        step=typed(setting.step),
        **common,
        **extra,
    )
