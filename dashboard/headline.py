"""The headline figures of a plan, in words: what the page's metrics and the client report's
cards say (label, value, note, help), from one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dashboard import controls
from dashboard.forecast import average_count, booked_macro_share
from planner import Plan, Tiers
from planner.money import DEFAULT_CURRENCY, money
from planner.outreach import Forecast


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    note: str | None = None  # under the value
    help: str | None = None  # the tooltip on the page


def client_figures(
    figures: list[Figure], plan: Plan, band: tuple[float, float] | None = None
) -> list[Figure]:
    """The headline figures for a client: the plan's status in words, without the gap
    (`band`: the forecast's, when its plan was made for a band of the split curve)."""
    best = plan.status == "optimal"
    return [
        Figure("Plan", "Best possible" if best else "Near best", status_words(plan, band))
        if f.label == "Plan status"
        else f
        for f in figures
    ]


def status_words(plan: Plan, band: tuple[float, float] | None = None) -> str:
    """The plan's status in a client's words (the certified gap, without the jargon). `band`:
    the band of macro share the plan was made for, when it is not the campaign's own (a band
    of the split curve, `planner.outreach.Forecast.band`): the certificate is for that band."""
    where = (
        "under these settings"
        if band is None
        else "for its mix of micro and macro influencers, the mix these settings allow that "
        "is expected to earn the most once offers are declined"
    )
    if plan.status == "optimal":
        return f"This is the best plan possible {where}."
    if plan.has_plan:
        return (
            f"This plan is within {max(plan.optimality_gap, 0.0001):.2%} of the best plan "
            f"possible {where}."
        )
    return plan.message


# ---------------------------------------------------------------- after declines and backups
# The headline (issue 18): what the campaign is expected to earn once offers are declined and
# backups booked (`planner.outreach.forecast`), every figure from the same simulated campaigns.
CERTIFIES = (
    "What *Optimal* certifies: the plan of offers is the best possible for its objective under "
    "these settings (budget, caps) in the macro share band it was planned for (yours, or the "
    "band of the split curve inside yours whose plan earned the most after declines and "
    "backups), within the gap shown. What is simulated: "
    "everything that happens after the offers go out (declines at the reply rates, backups in "
    "rounds, the order answers come back, posts landing above or below expectation). The "
    "engagements, spend, influencers and the chance are the simulation's."
)


def _short(count: float) -> str:
    """A count in few characters for a note under a figure: 216K, 1.2M, 950."""
    if abs(count) >= 1e6:
        return f"{count / 1e6:.1f}M".replace(".0M", "M")
    if abs(count) >= 1e4:
        return f"{count / 1e3:.0f}K"
    return f"{count:,.0f}"


# The same, in a client's words (the client report: no "certified", no "gap").
CERTIFIES_FOR_CLIENTS = (
    "What is planned and what is forecast: the offers are the best possible set for these "
    "settings (budget, macro share, caps), at the mix of micro and macro influencers they allow "
    "that is expected to earn the most once offers are declined. Everything that happens after "
    "they go out is simulated: offers declined at the reply rates, backups booked in rounds, "
    "answers coming back in any order, posts landing above or below expectation. The "
    "engagements, spend, influencers and chance above are the simulation's."
)


def forecast_target(values: Mapping[str, object], forecast: Forecast) -> float:
    """The engagements whose chance the headline shows: the user's target, or else what the
    campaign is expected to earn after declines and backups (the simulated mean, rounded)."""
    target = values[controls.TARGET.key]
    if target is None:
        return float(round(forecast.outcome.engagement.mean())) if forecast.outcome.draws else 0.0
    return float(target)  # type: ignore[arg-type]


def forecast_figures(
    forecast: Forecast, target: float, tiers: Tiers, currency: str = DEFAULT_CURRENCY
) -> list[Figure]:
    """The six headline figures of a campaign after declines and backups, money in the
    roster's `currency`."""
    s = forecast.summary()
    outcome = forecast.outcome
    draws = f"{outcome.draws:,} simulated campaigns"
    plan = forecast.plan
    spend = float(s["mean_spend"])  # type: ignore[arg-type]
    macro = booked_macro_share(forecast)
    micro_words, macro_words = controls.tier_intro(tiers)
    rounds = int(s["rounds"])  # type: ignore[call-overload]
    return [
        Figure(
            "Expected engagements",
            f"{s['mean']:,.0f}",
            f"P10–P90 {_short(s['p10'])}–{_short(s['p90'])}",
            f"What the campaign is expected to earn after declines and backups: the mean of "
            f"{draws} (offers declined at the reply rates, {rounds_words(rounds)}, posts "
            "landing above or below expectation). "
            "8 in 10 campaigns land between P10 and P90.",
        ),
        Figure(
            "Expected spend",
            money(spend, cents=False, currency=currency),
            f"of {money(plan.campaign.budget, currency=currency)}",
            "What accepted offers are expected to cost, of the "
            f"{money(plan.campaign.budget, currency=currency)} "
            f"budget: the mean of {draws}; never more than the budget. What is unspent after the "
            f"last round of offers stays unspent. {s['budget_filled']:.0%} of the campaigns "
            "booked at least 99% of the budget.",
        ),
        Figure(
            "To contact",
            f"{s['mean_contacted']:,.0f}",
            f"{average_count(float(s['mean_booked']))} booked",  # type: ignore[arg-type]
            "Influencers to contact (offers sent, the plan's first, then backups) and influencers "
            f"booked, on average over {draws}. In 9 campaigns in 10 at most "
            f"{s['p90_contacted']:,.0f} are contacted. The outreach list in the "
            "*Strategies and risk* tab says whom, in order.",
        ),
        Figure(
            "Macro share",
            f"{macro:.0%}",
            "of expected spend",
            f"The share of the expected spend booked with macro influencers ({macro_words}); "
            f"the rest goes to micro influencers ({micro_words})." + candidate_words(forecast),
        ),
        Figure(
            "Plan status",
            "Optimal" if plan.status == "optimal" else "Best found",
            f"gap {plan.optimality_gap:.1e}",
            CERTIFIES,
        ),
        Figure(
            "Chance of target",
            f"{outcome.probability(target):.0%}",
            f"≥ {_short(target)}",
            f"Chance of reaching at least {target:,.0f} engagements: the share of the same "
            f"{draws} that reach it. Set "
            "the target and the assumptions under *Replies and risk* in the sidebar.",
        ),
    ]


def rounds_words(rounds: int) -> str:
    """What the rounds of offers do, in words (the headline's help, the Strategies tab): the
    first round sends the first offers on the outreach list; only a later round offers backups
    for what declined offers left open, so with one round they are not replaced."""
    if rounds == 1:
        return "offers sent in one round, declined ones not replaced"
    return f"offers sent in {rounds} rounds, each after the first offering backups for declines"


def candidate_words(forecast: Forecast) -> str:
    """Which plan the campaign is, when it is not the plan for the campaign's whole macro share
    band: all micro, or a band of the split curve inside it, whose plan earned more in the same
    simulated campaigns (empty otherwise)."""
    if forecast.candidate == "mix":
        return ""
    mean = forecast.outcome.engagement.mean()
    beaten = [
        f"{'the plan for your whole macro share band' if o.candidate == 'mix' else band_words(o)}"
        f" {o.outcome.engagement.mean():,.0f}"
        for o in forecast.others
    ]
    against = f" (against {'; '.join(beaten)})" if beaten else ""
    return (
        f" Planned as {band_words(forecast)}: of the plans for your band and for each band of "
        "the split curve inside it, this one was expected to earn the most after declines and "
        f"backups, {mean:,.0f} engagements in the same simulated campaigns{against}."
    )


def band_words(forecast: Forecast) -> str:
    """The band a finalist was planned for, in words: all micro, or 5–15% on macro."""
    if forecast.band is None:
        return "your macro share band"
    low, high = forecast.band
    if high <= 0:
        return "all micro"
    return f"{low:.0%}–{high:.0%} of the budget on macro"


def if_all_accepted_words(forecast: Forecast, currency: str = DEFAULT_CURRENCY) -> str:
    """The secondary line: what the best plan would earn if every offer were accepted."""
    plain = forecast.if_all_accepted
    if not plain.has_plan:
        return "If every offer were accepted: no plan fits these settings."
    return (
        f"If every offer were accepted (not a forecast: offers are declined), the best plan "
        f"would earn {plain.expected_engagement:,.0f} engagements for "
        f"{money(plain.spend, currency=currency)}."
    )
