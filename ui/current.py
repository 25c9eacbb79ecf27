"""The scenario on screen and its plan: what every part of the page below the settings shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import plotly.graph_objects as go
import streamlit as st

from planner import Campaign, Plan, Roster
from planner.outreach import Forecast, Strategy
from planner.risk import Assumptions

if TYPE_CHECKING:
    from dashboard.store import Scenario

# No plotly toolbar: on a phone it covered the charts' titles, and its buttons put some 16 tab
# stops before the plan table. Streamlit's own (full screen) stays, one per chart.
CHART_CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": False}


@dataclass(frozen=True)
class Current:
    """The scenario on screen and its plan."""

    roster: Roster
    key: str  # the roster's cache key
    roster_label: str
    values: dict[str, object]  # every setting by key
    campaign: Campaign
    assumptions: Assumptions
    strategy: Strategy  # the plan basis: which certified plan the outreach starts from
    # The plan of offers the forecast sends first, at full prices (`dashboard.forecast.
    # offers_plan`) once the forecast is made; before that, the plan as if every offer were
    # accepted (the headline's first checks: does any plan fit?).
    plan: Plan
    saved: Scenario | None  # the saved scenario opened by the link, if any
    # The campaign after declines and backups (`ui/headline.show_forecast`): every simulated
    # figure on the page comes from it.
    forecast: Forecast | None = None
    target: float = 0.0  # engagements whose chance the headline shows

    @property
    def title(self) -> str:
        return self.saved.name if self.saved is not None else "Influencer budget plan"


def chart(figure: go.Figure) -> None:
    """A chart of the page, as every chart is shown."""
    st.plotly_chart(figure, config=CHART_CONFIG, theme=None)
