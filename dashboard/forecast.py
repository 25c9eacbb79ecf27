"""The campaign after declines and backups, as the page, the exports and the client report show
it: the plan of offers a forecast sends first (`offers_plan`), at full prices, and its figures.
No Streamlit in here."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner import Plan, Roster
from planner.export import Kind, headings, plan_table
from planner.money import DEFAULT_CURRENCY
from planner.outreach import Forecast
from planner.plan import TierTotals, allocation_frame

TIERS = ("micro", "macro")


def offers_plan(roster: Roster, forecast: Forecast) -> Plan:
    """The plan of offers the forecast sends first (its outreach list's plan part), each at the
    influencer's full price and the engagement their posts earn if booked: what the plan table,
    the tier chart and the exports show. Spend and engagement are what the offers come to if
    every one of them were accepted (for the default strategy more than the budget: it expects
    declines). The status and the certified gap are the strategy's plan's; a plan that does not
    exist or books nothing is returned as it is (its message says why)."""
    certified = forecast.plan
    offers = forecast.offers
    if not certified.has_plan or certified.booked_nothing or not offers.in_plan.any():
        return certified
    plan_part = offers.in_plan
    rows = offers.rows[plan_part]
    posts = offers.posts[plan_part]
    cents = offers.cost[plan_part]
    value = offers.value[plan_part]
    table = roster.table
    # Most engagement first, ties in list order (`offers_table` puts each offer's rates in the
    # same order).
    frame = allocation_frame(table, rows, cents / posts / 100, posts, cents / 100, value)
    tier = table["tier"].to_numpy(dtype=object)[rows]
    by_tier = {
        name: TierTotals(
            influencers=int((tier == name).sum()),
            posts=int(posts[tier == name].sum()),
            spend=int(cents[tier == name].sum()) / 100,
            expected_engagement=float(value[tier == name].sum()),
        )
        for name in TIERS
    }
    total = float(value.sum())
    gap = certified.optimality_gap if np.isfinite(certified.optimality_gap) else 0.0
    return Plan(
        certified.status,
        certified.campaign,
        frame,
        total,
        int(cents.sum()) / 100,
        # The strategy's certified gap, carried over (relative, so it reads the same here).
        total / (1 - gap) if gap < 1 else float("inf"),
        certified.solve_seconds,
        by_tier,
        certified.message,
        certified.prices_estimated,
    )


def booked_macro_share(forecast: Forecast) -> float:
    """The macro share of what the campaign books on average (after declines): mean macro
    spend over mean spend, the headline's *Macro share* "of expected spend" (one basis for
    every "booked" share on the page, as `planner.outreach.macro_reply_sweep`'s)."""
    outcome = forecast.outcome
    spend = float(outcome.spend.mean()) if outcome.draws else 0.0
    return float(outcome.macro_spend.mean()) / spend if spend > 0 else 0.0


def curve_with_campaign(
    curve: pd.DataFrame, ranges: pd.DataFrame, forecast: Forecast
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The realistic split curve (`planner.outreach.outreach_split_curve`) with each point
    that holds one of the forecast's finalists (the campaign's plan, and the candidates it was
    compared with on the headline's simulated campaigns: `Forecast.others`) drawn from those
    simulated campaigns.

    The curve simulates each band's plan fewer times (`planner.risk.CURVE_DRAWS`) than the
    headline does: the point that holds the campaign's plan would otherwise show another mean
    and P10-P90 for the same campaign, and "your plan" would sit off its own line (on the
    sample roster at $100,000, before the curve's bands were candidates: 371,365 in the
    headline, 378,930 on the line); a runner-up would show its screening figure, which may sit
    above the headline's by the chance of 500 campaigns. A finalist planned for a band of the
    curve holds that band's point; the plan for the campaign's own band holds the band that
    contains its macro share, when its certified value is that band's (the same plan, or one
    as good). Other points keep their own figures."""
    if not len(curve):
        return curve, ranges
    low = curve["band_low"].to_numpy(dtype=float)
    high = curve["band_high"].to_numpy(dtype=float)
    planned = curve["planned_value"].to_numpy(dtype=float)
    columns = {
        name: curve[name].to_numpy(dtype=float, copy=True)
        for name in (
            "expected_engagement",
            "spend",
            "macro_spend",
            "micro_spend",
            "mean_booked",
            "budget_filled",
        )
    }
    quantiles = {k: ranges[k].to_numpy(dtype=float, copy=True) for k in ("p10", "p50", "p90")}
    mean_range = ranges["mean"].to_numpy(dtype=float, copy=True)
    at_share = ranges["macro_share"].to_numpy(dtype=float)
    shares = curve["macro_share"].to_numpy(dtype=float)
    changed = False
    for one in (forecast, *forecast.others):
        if not one.plan.has_plan or not one.outcome.draws:
            continue
        if one.band is not None:
            holds = (np.abs(low - one.band[0]) <= 1e-9) & (np.abs(high - one.band[1]) <= 1e-9)
        else:
            share = one.plan.macro_share_of_budget
            value = float(one.plan.expected_engagement)
            holds = (
                (low - 1e-9 <= share)
                & (share <= high + 1e-9)
                & np.isfinite(planned)
                # Both certified within 1e-6 of their band's best: the same plan, or as good.
                & (np.abs(planned - value) <= 2e-6 * max(abs(value), 1.0))
            )
        if not holds.any():
            continue
        changed = True
        summary = one.outcome.summary()
        spend = float(summary["mean_spend"])  # type: ignore[arg-type]
        macro = float(summary["mean_macro_spend"])  # type: ignore[arg-type]
        for name, figure in (
            ("expected_engagement", summary["mean"]),
            ("spend", spend),
            ("macro_spend", macro),
            ("micro_spend", spend - macro),
            ("mean_booked", summary["mean_booked"]),
            ("budget_filled", summary["budget_filled"]),
        ):
            columns[name][holds] = float(figure)  # type: ignore[arg-type]
        in_ranges = np.isin(at_share, shares[holds])
        for k, values in quantiles.items():
            values[in_ranges] = float(summary[k])  # type: ignore[arg-type]
        mean_range[in_ranges] = float(summary["mean"])  # type: ignore[arg-type]
    if not changed:
        return curve, ranges
    return curve.assign(**columns), ranges.assign(**quantiles, mean=mean_range)


# The plan table's columns that are what an offer comes to if it is booked (`offers_table`),
# in US dollars (`if_booked` for the roster's currency).
def if_booked(currency: str = DEFAULT_CURRENCY) -> dict[str, str]:
    names = headings(currency)
    return {
        "spend": names["spend"].replace("Spend", "Spend if booked"),
        "expected_engagement": "Engagements if booked",
        "cost_per_engagement": names["cost_per_engagement"].replace(
            "Cost per engagement", "Cost per engagement if booked"
        ),
    }


IF_BOOKED = if_booked()
REPLY_HEADING = "Reply rate (%)"
BOOKED_HEADING = "Chance booked (%, simulated)"
# The offers table's columns the plan table does not have, and how they are written.
OFFERS_EXTRA_KINDS: dict[str, Kind] = {REPLY_HEADING: "percent", BOOKED_HEADING: "percent"}


def offers_table(roster: Roster, forecast: Forecast, plan: Plan) -> pd.DataFrame:
    """The plan table (`planner.export.plan_table`) of the plan of offers (`offers_plan`), its
    spend and engagement headed as what each offer comes to if booked, with each offer's reply
    rate and the share of simulated campaigns that booked it."""
    table = plan_table(plan, roster)
    if not len(table) or not forecast.offers.in_plan.any():
        return table
    names = headings(roster.currency)
    offers = forecast.offers
    plan_part = offers.in_plan
    names_in_order = roster.table["name"].to_numpy(dtype=object)[offers.rows[plan_part]]
    order = np.argsort(-offers.value[plan_part], kind="stable")
    reply = offers.reply[plan_part][order]
    booked = forecast.outcome.booking_rate[plan_part][order]
    assert list(names_in_order[order]) == list(table[names["name"]])
    table = table.rename(columns={names[k]: v for k, v in if_booked(roster.currency).items()})
    table[REPLY_HEADING] = (reply * 100).round(1)
    table[BOOKED_HEADING] = (booked * 100).round(1)
    return table


def average_count(count: float) -> str:
    """An average count of influencers as the page says it (the headline's bookings, the tier
    chart's legend, the Strategies and Compare tabs' tables): one decimal under ten (0.4, 2.3),
    else whole; booked in a few campaigns only (0.03 on average) is "<0.1", not "0.0" beside
    its spend; no campaign (a strategy no plan fits), empty."""
    if not np.isfinite(count):
        return ""
    if 0 < count < 0.05:
        return "<0.1"
    return f"{count:,.1f}" if count < 9.95 else f"{count:,.0f}"


def booked_by_tier(forecast: Forecast) -> dict[str, float]:
    """How many influencers of each tier a campaign books, on average over the simulated
    campaigns (not rounded: 0.4 macro influencers is not none)."""
    offers = forecast.offers
    booked = forecast.outcome.booking_rate
    return {
        "micro": float(booked[~offers.macro].sum()),
        "macro": float(booked[offers.macro].sum()),
    }


def expected_bookings(forecast: Forecast) -> Plan:
    """What the campaign is expected to book, by tier, as a plan's totals (the tier chart's
    input): influencers, posts, spend and engagement are the means over the simulated
    campaigns (influencers and posts rounded). Only the totals are filled in (no rows)."""
    certified = forecast.plan
    outcome = forecast.outcome
    offers = forecast.offers
    booked = outcome.booking_rate
    draws = max(outcome.draws, 1)
    influencers = booked_by_tier(forecast)
    by_tier = {}
    for name, mask, engagement, spend in (
        ("micro", ~offers.macro, outcome.micro, outcome.spend - outcome.macro_spend),
        ("macro", offers.macro, outcome.macro, outcome.macro_spend),
    ):
        by_tier[name] = TierTotals(
            influencers=int(round(influencers[name])),
            posts=int(round(float((booked[mask] * offers.posts[mask]).sum()))),
            spend=float(spend.sum()) / draws,
            expected_engagement=float(engagement.sum()) / draws,
        )
    mean = float(outcome.engagement.sum()) / draws
    return Plan(
        certified.status,
        certified.campaign,
        certified.allocations.iloc[0:0],
        mean,
        float(outcome.spend.sum()) / draws,
        mean,
        certified.solve_seconds,
        by_tier,
        certified.message,
        certified.prices_estimated,
    )


def forecast_point(forecast: Forecast) -> tuple[float, float]:
    """Where the campaign sits on the realistic split curve: the macro share of the budget its
    plan was made with (the curve's axis: for the default strategy, of expected spend) and
    what it is expected to earn after declines and backups."""
    return forecast.plan.macro_share_of_budget, float(forecast.outcome.engagement.mean())


def forecast_mark(forecast: Forecast) -> tuple[float, float, float]:
    """The campaign's forecast after declines and backups as the budget chart marks it at its
    budget: mean, P10 and P90 of the same simulated campaigns as the headline."""
    outcome = forecast.outcome
    if not outcome.draws:
        return 0.0, 0.0, 0.0
    p10, p90 = np.quantile(outcome.engagement, [0.1, 0.9])
    return float(outcome.engagement.mean()), float(p10), float(p90)


def strategy_notes(comparison: pd.DataFrame) -> list[tuple[str, str]]:
    """The strategies of a head-to-head (`planner.outreach.outreach_head_to_head`) that have no
    campaign to show, each with why (its plan's message): one that no plan fits, or one that
    books nothing (all macro on a budget below every macro post), whose row reads 0 or blank
    and would otherwise say nothing about it."""
    notes = []
    for row in comparison.itertuples():
        unplanned = row.status not in ("optimal", "feasible") or not row.mean_spend > 0
        if unplanned and isinstance(row.message, str) and row.message:
            notes.append((str(row.strategy), row.message))
    return notes


def all_micro_words(comparison: pd.DataFrame) -> str | None:
    """The macro reply sweep's line on all micro, from the head-to-head's *All micro* row (the
    same plan as the sweep's 0% points, which books no macro influencer, simulated as many times
    as the headline): the sweep's own 0% point is simulated fewer times and read 373,108 under
    the table's 365,661 on the sample roster at $100,000. None when all micro has no campaign."""
    row = comparison[comparison["strategy"] == "All micro"]
    if not len(row) or not np.isfinite(float(row["mean"].iloc[0])):
        return None
    return (
        f"All micro earns {float(row['mean'].iloc[0]):,.0f} engagements after declines and "
        "backups at every macro reply rate (it books no macro influencer), as in the table."
    )
