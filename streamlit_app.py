"""Influencer budget planner: the sample roster's optimal plan (the full dashboard comes next)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from planner import Campaign, Roster, make_plan, read_roster

SAMPLE = Path(__file__).parent / "data" / "sample_roster.csv"


@st.cache_data(show_spinner=False)
def sample_roster() -> Roster:
    return read_roster(SAMPLE)


st.set_page_config(page_title="Influencer budget planner", page_icon="📣", layout="wide")
st.title("Influencer budget planner")
st.write(
    "How should a campaign budget be split between many **micro** influencers "
    "(1,000–999,999 followers) and a few **macro** influencers (1M+)? This page shows the "
    "optimal plan for the shipped sample roster (synthetic, built from published benchmarks)."
)
roster = sample_roster()
budget = st.number_input(
    "Budget ($)",
    min_value=100.0,
    max_value=10_000_000.0,
    value=100_000.0,
    step=1_000.0,
    help="What the campaign can spend on sponsored posts in total.",
)
plan = make_plan(roster, Campaign(budget=budget))
if plan.status == "infeasible":
    st.error(plan.message)
else:
    cols = st.columns(4)
    cols[0].metric("Expected engagements", f"{plan.expected_engagement:,.0f}")
    cols[1].metric(
        "Spend", f"${plan.spend:,.0f}", f"${plan.budget_left:,.0f} left", delta_color="off"
    )
    cols[2].metric("Cost per engagement", f"${plan.cost_per_engagement:,.3f}")
    cols[3].metric(
        "Micro / macro influencers",
        f"{plan.by_tier['micro'].influencers} / {plan.by_tier['macro'].influencers}",
    )
    st.caption(f"Status: {plan.status}; certified optimality gap {plan.optimality_gap:.1e}.")
    st.dataframe(
        plan.allocations[["name", "tier", "platform", "posts", "spend", "expected_engagement"]],
        hide_index=True,
    )
