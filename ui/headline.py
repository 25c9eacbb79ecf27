"""The headline: the plan's figures at the top of the page (their words: `dashboard/headline.py`).
The chance of reaching the target needs a simulation, so it is drawn once the others are out."""

from __future__ import annotations

import dataclasses

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.headline import Figure, chance_figure, plan_figures, target_of
from dashboard.text import md
from ui import cache
from ui.current import Current

# Every word of the headline readable at 1280 px with the sidebar open and on a 390 px phone:
# Streamlit cuts a metric's label, value and note with an ellipsis where they do not fit. Here
# they wrap instead, and the value's size follows its column's width (a container query:
# `$2,284,323` fits a sixth of 1280 px at 15% of it) between 1.25 and 2.25 rem.
_STYLE = """<style>
[data-testid="stMetric"] { container-type: inline-size; }
[data-testid="stMetric"] .stMarkdownEllipsis {
  white-space: normal; overflow: visible; text-overflow: clip; overflow-wrap: anywhere;
}
[data-testid="stMetricValue"] { font-size: clamp(1.25rem, 15cqi, 2.25rem); }
[data-testid="stMetric"] div:has(> [data-testid="stMetricDelta"]) {
  display: block; max-width: 100%; height: auto; overflow: visible;
}
[data-testid="stMetricDelta"] {
  display: block; width: fit-content; max-width: 100%; height: auto; overflow: visible;
}
[data-testid="stMetricDelta"] *, [data-testid="stMetricLabel"] * {
  white-space: normal !important; overflow: visible !important;
}
[data-testid="stMetricLabel"] { height: auto; }
[data-testid="stMetricLabel"] > div { min-width: 0; flex-shrink: 1; }
</style>"""


def _metric(slot: DeltaGenerator, figure: Figure) -> None:
    slot.metric(
        figure.label,
        figure.value,
        figure.note,
        delta_color="off",
        delta_arrow="off",
        help=figure.help,
    )


def headline(c: Current) -> DeltaGenerator | None:
    """The plan's headline figures; returns the place of the sixth, the chance of reaching the
    target (`show_chance`), or None when no plan fits or it books nothing (then it says why)."""
    if not c.plan.has_plan:
        st.error(f"**No plan fits these settings.** {md(c.plan.message)}", icon=":material/block:")
        return None
    if c.plan.booked_nothing:  # figures of nothing (0 engagements, "Optimal") would mislead
        st.warning(md(c.plan.message), icon=":material/block:")
        return None
    st.html(_STYLE)
    row = st.columns(6)
    for column, figure in zip(row, plan_figures(c.plan, c.replies, c.roster.tiers), strict=False):
        _metric(column, figure)
    if c.plan.prices_estimated:
        st.caption(
            ":material/warning: Some prices are estimates from the rate card (marked in the table)."
        )
    return row[5]


def show_chance(c: Current, slot: DeltaGenerator) -> Current:
    """The chance of reaching the target, in the headline's `slot`; returns `c` with the plan's
    simulated outcome and that target."""
    outcome = cache.outcome(c.roster, c.key, c.plan, ("plan", c.campaign, c.replies), c.assumptions)
    target = target_of(c.values, outcome)
    _metric(slot, chance_figure(outcome, target))
    return dataclasses.replace(c, outcome=outcome, target=target)
