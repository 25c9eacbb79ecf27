"""The sidebar: every setting, each a widget bound to the URL (`dashboard/scenario.py` holds
their names, defaults, bounds and help)."""

from __future__ import annotations

import streamlit as st

from dashboard import scenario as sc


def controls(*, locked: bool) -> dict[str, object]:
    """Draw the settings (disabled when `locked`) and return their values by key."""
    state = st.session_state
    # The budget has two widgets, a typed amount (bound to the URL) and a slider. Whichever changed
    # since the last run wins, written into the other before either is drawn. The slider is checked
    # first: during quick key presses the typed amount's value in the browser can lag a run behind.
    if "budget" in state and "budget_slider" in state and "budget_seen" in state:
        seen_budget, seen_slider = state.budget_seen
        if state.budget_slider != seen_slider:
            state.budget = float(state.budget_slider)
        elif state.budget != seen_budget and state.budget is not None:
            state.budget_slider = sc.clamp_to_slider(state.budget)

    with st.sidebar:
        st.header("Campaign")
        st.number_input(
            sc.BUDGET.label,
            min_value=sc.BUDGET.low,
            max_value=sc.BUDGET.high,
            value=sc.BUDGET.default,
            step=sc.BUDGET.step,
            format="%.2f",
            key=sc.BUDGET.key,
            bind="query-params",
            disabled=locked,
            help=sc.BUDGET.help,
        )
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
        st.slider(
            sc.MACRO_SHARE.label,
            min_value=int(sc.MACRO_SHARE.low),
            max_value=int(sc.MACRO_SHARE.high),
            value=sc.MACRO_SHARE.default,
            step=int(sc.MACRO_SHARE.step),
            format="%d%%",
            key=sc.MACRO_SHARE.key,
            bind="query-params",
            disabled=locked,
            help=sc.MACRO_SHARE.help,
        )
        st.slider(
            sc.MAX_POSTS.label,
            min_value=int(sc.MAX_POSTS.low),
            max_value=int(sc.MAX_POSTS.high),
            value=sc.MAX_POSTS.default,
            key=sc.MAX_POSTS.key,
            bind="query-params",
            disabled=locked,
            help=sc.MAX_POSTS.help,
        )
        st.slider(
            sc.DECAY.label,
            min_value=sc.DECAY.low,
            max_value=sc.DECAY.high,
            value=sc.DECAY.default,
            step=sc.DECAY.step,
            format="%.2f",
            key=sc.DECAY.key,
            bind="query-params",
            disabled=locked,
            help=sc.DECAY.help,
        )
        caps = st.columns(2)
        for column, setting in zip(caps, (sc.MAX_MACRO, sc.MAX_INFLUENCERS), strict=True):
            column.number_input(
                setting.label,
                min_value=int(setting.low),
                max_value=int(setting.high),
                value=None,
                step=1,
                placeholder="No cap",
                key=setting.key,
                bind="query-params",
                disabled=locked,
                help=setting.help,
            )
        with st.expander("Replies and risk", icon=":material/casino:"):
            st.caption(
                "Offers can be declined and posts land above or below their expectation. These "
                "assumptions drive the Risk view; the reply rates also drive planning for declined "
                "offers. Defaults: see the README."
            )
            st.toggle(
                sc.PLAN_FOR_REPLIES.label,
                value=False,
                key=sc.PLAN_FOR_REPLIES.key,
                bind="query-params",
                disabled=locked,
                help=sc.PLAN_FOR_REPLIES.help,
            )
            st.number_input(
                sc.TARGET.label,
                min_value=int(sc.TARGET.low),
                max_value=int(sc.TARGET.high),
                value=None,
                step=int(sc.TARGET.step),
                placeholder="Expected, with replies",
                key=sc.TARGET.key,
                bind="query-params",
                disabled=locked,
                help=sc.TARGET.help,
            )
            for setting in sc.RISK:
                whole = setting.whole
                st.slider(
                    setting.label,
                    min_value=int(setting.low) if whole else setting.low,
                    max_value=int(setting.high) if whole else setting.high,
                    value=setting.default,
                    step=int(setting.step) if whole else setting.step,
                    format="%d%%" if whole else "%.2f",
                    key=setting.key,
                    bind="query-params",
                    disabled=locked,
                    help=setting.help,
                )
        with st.expander("Assumptions"):
            st.caption("Who counts as micro or macro (the article's definition by default).")
            for setting in (sc.MICRO_THRESHOLD, sc.MACRO_THRESHOLD):
                st.number_input(
                    setting.label,
                    min_value=int(setting.low),
                    max_value=int(setting.high),
                    value=setting.default,
                    step=int(setting.step),
                    key=setting.key,
                    bind="query-params",
                    disabled=locked,
                    help=setting.help,
                )
            st.caption(
                "Rate card: typical price of one post per 1,000 followers (published figures, "
                "see the README). Used only to estimate prices a roster does not have."
            )
            st.toggle(
                sc.ESTIMATE_PRICES.label,
                value=False,
                key=sc.ESTIMATE_PRICES.key,
                bind="query-params",
                disabled=locked,
                help=sc.ESTIMATE_PRICES.help,
            )
            for setting in sc.RATE_CARD:
                st.number_input(
                    setting.label,
                    min_value=setting.low,
                    max_value=setting.high,
                    value=setting.default,
                    step=setting.step,
                    format="%.2f",
                    key=setting.key,
                    bind="query-params",
                    disabled=locked,
                    help=setting.help,
                )
    return {s.key: state[s.key] for s in sc.ALL}
