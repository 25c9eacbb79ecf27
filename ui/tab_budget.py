"""The Budget and roster tab: what more (or less) budget would earn, and the roster with the
plan's picks."""

from __future__ import annotations

import streamlit as st

from dashboard import charts
from dashboard.forecast import forecast_mark
from ui import cache
from ui.current import Current, chart


def show_budget(c: Current) -> None:
    chart(
        charts.frontier_chart(
            cache.frontier(c.roster, c.key, c.campaign, None),
            c.campaign.budget,
            basis=charts.FRONTIER_BASIS,
            currency=c.roster.currency,
            forecast_mark=None if c.forecast is None else forecast_mark(c.forecast),
        )
    )
    st.caption(":material/info: " + charts.FRONTIER_WHY)
    chart(charts.roster_scatter(c.roster.table, c.plan.allocations, currency=c.roster.currency))
