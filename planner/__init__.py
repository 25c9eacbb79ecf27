"""Influencer budget planner: split a campaign budget between micro and macro influencers.

Pure Python (no Streamlit): read and check a roster, set a campaign, get the optimal plan.
"""

from planner.numbers import Ambiguity
from planner.outreach import (
    Forecast,
    forecast,
    macro_reply_sweep,
    outreach_head_to_head,
    outreach_split_curve,
    simulate_outreach,
)
from planner.plan import Plan, TierTotals, budget_frontier, head_to_head, make_plan, split_curve
from planner.roster import (
    FIELDS,
    ColumnReading,
    Problem,
    Roster,
    RosterError,
    Suggestion,
    Understanding,
    check_roster,
    read_roster,
    read_table,
    suggest_columns,
)
from planner.settings import DEFAULT_RATE_CARD, Campaign, RateCard, SettingsError, Tiers

__all__ = [
    "DEFAULT_RATE_CARD",
    "FIELDS",
    "Ambiguity",
    "ColumnReading",
    "Suggestion",
    "Understanding",
    "suggest_columns",
    "Campaign",
    "Forecast",
    "Plan",
    "Problem",
    "RateCard",
    "Roster",
    "RosterError",
    "SettingsError",
    "TierTotals",
    "Tiers",
    "budget_frontier",
    "check_roster",
    "forecast",
    "head_to_head",
    "macro_reply_sweep",
    "make_plan",
    "outreach_head_to_head",
    "outreach_split_curve",
    "read_roster",
    "read_table",
    "simulate_outreach",
    "split_curve",
]
