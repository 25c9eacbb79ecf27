"""The headline: what the campaign is expected to earn after declines and backups, at the top of
the page (its words: `dashboard/headline.py`). Drawn in steps: first whether any plan fits (the
plan alone, fast), then the six figures of the simulated campaign for the plan of the
campaign's own band, then in their place those of the best of it and the split curve's bands
inside the band (`show_forecast`)."""

from __future__ import annotations

import dataclasses

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.forecast import offers_plan
from dashboard.headline import (
    CERTIFIES,
    Figure,
    band_words,
    forecast_figures,
    forecast_target,
    if_all_accepted_words,
)
from dashboard.text import md
from planner.outreach import Forecast
from planner.risk import DRAWS
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


def _cannot(plan_has_plan: bool, booked_nothing: bool, message: str) -> bool:
    """Say why there is nothing to show; True when so."""
    if not plan_has_plan:
        st.error(f"**No plan fits these settings.** {md(message)}", icon=":material/block:")
        return True
    if booked_nothing:  # figures of nothing (0 engagements, "Optimal") would mislead
        st.warning(md(message), icon=":material/block:")
        return True
    return False


def headline(c: Current) -> DeltaGenerator | None:
    """The headline's place (filled by `show_forecast`), or None when no plan fits or it books
    nothing (then it says why). `c.plan` is the plan as if every offer were accepted."""
    if _cannot(c.plan.has_plan, c.plan.booked_nothing, c.plan.message):
        return None
    return st.container()


def _figures(c: Current, forecast: Forecast, *, comparing: bool) -> float:
    """The six figures of `forecast` and the lines under them; returns the target whose chance
    they show. `comparing`: the plan for the campaign's band, shown while the split curve's
    bands are compared with it (it says so)."""
    target = forecast_target(c.values, forecast)
    st.html(_STYLE)
    # The main figure and its P10-P90 note get the room they need at 1280 px.
    row = st.columns([1.45, 1.15, 0.9, 0.95, 1.1, 1.05])
    for column, figure in zip(
        row, forecast_figures(forecast, target, c.roster.tiers, c.roster.currency), strict=True
    ):
        _metric(column, figure)
    st.caption(
        md(if_all_accepted_words(forecast, c.roster.currency))
        + (
            " :material/hourglass_top: The plan for your macro share band; comparing it with "
            "the split curve's bands inside your band…"
            if comparing
            else ""
            if forecast.candidate == "mix"
            else f" Planned as {band_words(forecast)}: the best, after declines and "
            "backups, of the plans for your band and for the split curve's bands inside it."
        )
        + " :material/info: "
        + CERTIFIES.split(" What is simulated")[0]
        + " Every other figure is simulated.",
        help=CERTIFIES,
    )
    if forecast.plan.prices_estimated:
        st.caption(
            ":material/warning: Some prices are estimates from the rate card (marked in the table)."
        )
    return target


def show_forecast(c: Current, slot: DeltaGenerator) -> Current | None:
    """The six figures of the campaign after declines and backups, in the headline's `slot`,
    with the line "if every offer were accepted" under them; returns `c` with the forecast, its
    plan of offers and the target, or None when the outreach's own plan cannot be made (then
    the slot says why).

    Drawn in two steps in one run: the plan for the campaign's own band first
    (`cache.band_forecast`: one plan and its simulated campaigns, quick), said to be compared
    still, then in its place the forecast (`cache.outreach_forecast`: the best of that plan and
    the split curve's bands inside the campaign's band), which every other part of the page
    shows. The comparison is the longer step (the curve's eleven band plans): the headline has
    figures for the new settings meanwhile."""
    with (
        slot,
        st.spinner(
            "Simulating the campaign after declines and backups: the offers, the replies and "
            f"the backups, {DRAWS:,} times…{cache.queue_words(cache.HEADLINE)}",
            show_time=True,
        ),
    ):
        first = cache.band_forecast(c.roster, c.key, c.campaign, c.assumptions, c.strategy)
    with slot:
        if _cannot(first.plan.has_plan, first.plan.booked_nothing, first.plan.message):
            return None
        place = st.empty()
        note = st.empty()
    with place.container():
        _figures(c, first, comparing=True)
    with (
        note,
        st.spinner(
            "Comparing the plan for your macro share band with the split curve's bands inside "
            f"it, each simulated after declines and backups…{cache.queue_words(cache.COMPARISON)}",
            show_time=True,
        ),
    ):
        forecast = cache.outreach_forecast(
            c.roster, c.key, c.campaign, c.assumptions, c.strategy, first
        )
    note.empty()
    with place.container():
        if _cannot(forecast.plan.has_plan, forecast.plan.booked_nothing, forecast.plan.message):
            return None
        target = _figures(c, forecast, comparing=False)
    return dataclasses.replace(
        c, forecast=forecast, plan=offers_plan(c.roster, forecast), target=target
    )
