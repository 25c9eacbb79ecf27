"""The headline figures of a plan, in words: what the page's metrics and the client report's
cards say (label, value, note, help), from one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dashboard import controls
from dashboard.controls import Replies
from planner import Plan, Tiers
from planner.money import money, money_rate
from planner.risk import Outcome


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    note: str | None = None  # under the value
    help: str | None = None  # the tooltip on the page


def plan_figures(plan: Plan, replies: Replies, tiers: Tiers) -> list[Figure]:
    """The plan's five headline figures (`tiers`: the thresholds the roster was read with)."""
    micro, macro = controls.tier_intro(tiers)
    return [
        Figure(
            "Engagements",
            f"{plan.expected_engagement:,.0f}",
            "weighted by reply rates" if replies else "if every offer is accepted",
            "Expected engagements: likes, comments and shares the plan's posts should earn on "
            "average"
            + (
                ", each influencer's weighted by the chance they accept."
                if replies
                else ", if every influencer accepts the offer."
            ),
        ),
        Figure(
            "Spend",
            money(plan.spend),
            f"{money(plan.budget_left)} left",
            f"Of the {money(plan.campaign.budget)} budget.",
        ),
        Figure(
            "Cost / engagement",
            money_rate(plan.cost_per_engagement),
            None,
            "Cost per engagement: spend divided by expected engagements.",
        ),
        Figure(
            "Micro / macro",
            f"{plan.by_tier['micro'].influencers} / {plan.by_tier['macro'].influencers}",
            f"{plan.macro_share_of_spend:.0%} of spend on macro",
            f"Influencers booked in each tier: micro ({micro}) and macro ({macro}). "
            f"Macro spend is {plan.macro_share_of_spend:.0%} of the plan's spend and "
            f"{plan.macro_share_of_budget:.0%} of the budget.",
        ),
        Figure(
            "Plan status",
            "Optimal" if plan.status == "optimal" else "Best found",
            f"gap {plan.optimality_gap:.1e}",
            "Certified: no plan under these settings can earn more than "
            f"{plan.upper_bound:,.0f} engagements, so this plan is within "
            f"{plan.optimality_gap:.1e} of the best possible.",
        ),
    ]


def client_figures(figures: list[Figure], plan: Plan) -> list[Figure]:
    """The headline figures for a client: the plan's status in words, without the gap."""
    best = plan.status == "optimal"
    return [
        Figure("Plan", "Best possible" if best else "Near best", status_words(plan))
        if f.label == "Plan status"
        else f
        for f in figures
    ]


def status_words(plan: Plan) -> str:
    """The plan's status in a client's words (the certified gap, without the jargon)."""
    if plan.status == "optimal":
        return "This is the best plan possible under these settings."
    if plan.has_plan:
        return (
            "This plan is within "
            f"{max(plan.optimality_gap, 0.0001):.2%} of the best plan possible under these "
            "settings."
        )
    return plan.message


def target_of(values: Mapping[str, object], outcome: Outcome) -> float:
    """The engagements whose chance the headline shows: the user's target, or else what the
    plan should earn once declined offers are counted (the simulation's exact expectation)."""
    target = values[controls.TARGET.key]
    return float(round(outcome.expected) if target is None else target)  # type: ignore[arg-type]


def chance_figure(outcome: Outcome, target: float) -> Figure:
    """The headline's sixth figure: the chance of reaching the target."""
    return Figure(
        "Chance of target",
        f"{outcome.probability(target):.0%}",
        f"≥ {target:,.0f} engagements",
        f"Chance of reaching the target: the share of {outcome.draws:,} simulated campaigns "
        "(offers declined at the reply rates, posts landing above or below expectation) that "
        "reach it. Set the target and the assumptions under *Replies and risk* in the sidebar.",
    )
