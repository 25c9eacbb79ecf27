"""The Budget and roster tab: what more (or less) budget would earn, and the roster with the
plan's picks."""

from __future__ import annotations

import streamlit as st

from dashboard import charts
from dashboard.forecast import forecast_mark
from planner.plan import frontier_budgets
from ui import cache, progress
from ui.current import Current, chart


def show_budget(c: Current) -> None:
    """The frontier (one plan per budget: with a large roster or a cap on influencers it takes
    seconds, so its place says how many budgets are solved, over the old chart, faded as out of
    date), then the roster with the plan's picks (drawn first: it is ready)."""
    note = st.empty()  # what the frontier's update is doing, while it takes time
    frontier_slot = st.container()
    chart(charts.roster_scatter(c.roster.table, c.plan.allocations, currency=c.roster.currency))
    budgets = len(frontier_budgets(c.campaign.budget))
    with progress.steps(
        note,
        lambda done: (
            f"Updating what more budget buys: {done} of {budgets} budgets solved "
            f"(the best plan at each)…{cache.queue_words(cache.COMPARISON)}"
        ),
        budgets,
    ) as counted:
        frontier = cache.frontier(c.roster, c.key, c.campaign, None, on_plan=counted.step)
    with frontier_slot:
        chart(
            charts.frontier_chart(
                frontier,
                c.campaign.budget,
                basis=charts.FRONTIER_BASIS,
                currency=c.roster.currency,
                forecast_mark=None if c.forecast is None else forecast_mark(c.forecast),
            )
        )
        st.caption(":material/info: " + charts.FRONTIER_WHY)
