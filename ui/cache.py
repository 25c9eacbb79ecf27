"""Planner calls through Streamlit's cache: everything here depends only on the roster and the
settings, so a move back to an earlier setting, or a rerun that changed nothing the planner
reads, costs nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from planner import (
    Campaign,
    Plan,
    RateCard,
    Roster,
    RosterError,
    Tiers,
    budget_frontier,
    check_roster,
    make_plan,
    read_table,
    split_curve,
)
from planner.plan import split_points, strategy_plans
from planner.risk import (
    Assumptions,
    Outcome,
    reply_weighted_engagement,
    simulate,
    split_bands,
)

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv"
SAMPLE_LABEL = "Sample roster (synthetic, 400 influencers)"
INCLUDE = "include"  # the roster table's column for leaving an influencer out
CHART_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d"]}

Replies = tuple[float, float] | None  # (micro, macro) reply rates when planning for them


@st.cache_data(show_spinner=False)
def sample_table() -> pd.DataFrame:
    return read_table(SAMPLE)


def checked(
    frame: pd.DataFrame, tiers: Tiers, rate_card: RateCard | None
) -> tuple[Roster | None, RosterError | None]:
    """The checked roster, or the error listing its problems."""
    prices = None if rate_card is None else tuple(sorted(rate_card.per_thousand.items()))
    return _checked(frame, tiers, prices)


@st.cache_data(show_spinner=False, max_entries=64)
def _checked(
    frame: pd.DataFrame, tiers: Tiers, prices: tuple[tuple[str, float], ...] | None
) -> tuple[Roster | None, RosterError | None]:
    rate_card = None if prices is None else RateCard(dict(prices))  # (hashable for the cache)
    try:
        return check_roster(frame, tiers=tiers, rate_card=rate_card), None
    except RosterError as error:
        return None, error


def roster_key(roster: Roster) -> str:
    """A fingerprint of a checked roster: the cache key for everything planned from it."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(roster.table, index=False).values)
    digest.update(repr((roster.tiers, roster.prices_estimated)).encode())
    return digest.hexdigest()


def weights(roster: Roster, replies: Replies) -> np.ndarray | None:
    """First-post engagement weighted by reply rates when planning for declined offers."""
    if replies is None:
        return None
    rates = Assumptions(reply_micro=replies[0], reply_macro=replies[1])
    return reply_weighted_engagement(roster.table, rates)


@st.cache_data(show_spinner=False, max_entries=2_000)
def plan(_roster: Roster, roster_key: str, campaign: Campaign, replies: Replies) -> Plan:
    return make_plan(_roster, campaign, first_value=weights(_roster, replies))


@st.cache_data(show_spinner=False, max_entries=64)
def curve(
    _roster: Roster,
    roster_key: str,
    campaign: Campaign,
    replies: Replies,
    assumptions: Assumptions,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The split curve and each point's simulated P10-P90 range. The curve sets its own band at
    each point: the campaign's band does not matter."""
    points = split_points(_roster, campaign, first_value=weights(_roster, replies))
    ranges = split_bands(_roster.table, points, campaign.decay, assumptions)
    return split_curve(_roster, campaign, points=points), ranges


@st.cache_data(show_spinner=False, max_entries=64)
def frontier(
    _roster: Roster, roster_key: str, campaign: Campaign, replies: Replies
) -> pd.DataFrame:
    return budget_frontier(_roster, campaign, plan_for=lambda r, c: plan(r, roster_key, c, replies))


@st.cache_data(show_spinner=False, max_entries=64)
def strategies(
    _roster: Roster, roster_key: str, campaign: Campaign, replies: Replies
) -> dict[str, tuple[Roster, Plan]]:
    return strategy_plans(
        _roster,
        campaign,
        first_value=weights(_roster, replies),
        optimal=plan(_roster, roster_key, campaign, replies),
    )


@st.cache_data(show_spinner=False, max_entries=256)
def outcome(
    _roster: Roster, roster_key: str, _plan: Plan, plan_key: tuple, assumptions: Assumptions
) -> Outcome:
    """The simulated outcomes of a plan; `plan_key` says which plan (the cache key)."""
    return simulate(_roster, _plan, assumptions)
