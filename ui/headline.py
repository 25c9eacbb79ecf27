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
