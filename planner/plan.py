"""The optimal plan for a roster and a campaign, and the questions around it.

`make_plan` is the one entry point the CLI and the dashboard use; `split_curve`,
`budget_frontier` and `head_to_head` return tables ready to chart.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.model import PostItems, build_items, with_limits
from planner.money import money
from planner.roster import Roster
from planner.settings import Campaign
from planner.solver import SamePosts, Solution, relative_gap, solve, solve_bands

TIERS = ("micro", "macro")


@dataclass(frozen=True)
class TierTotals:
    influencers: int
    posts: int
    spend: float
    expected_engagement: float


@dataclass(frozen=True)
class Plan:
    """The answer for one campaign: what to buy, what it costs, what it should earn."""

    # "optimal", "feasible" (gap above 1e-6), "infeasible", or "timeout" (no plan found in time)
    status: str
    campaign: Campaign
    allocations: pd.DataFrame  # one row per influencer with posts > 0
    expected_engagement: float
    spend: float
    upper_bound: float
    solve_seconds: float
    by_tier: dict[str, TierTotals]
    message: str = ""  # for an infeasible plan: which constraint, and what to change
    prices_estimated: bool = False

    @property
    def has_plan(self) -> bool:
        """True when there is a plan to show (optimal, or feasible with a larger gap)."""
        return self.status in ("optimal", "feasible")

    @property
    def booked_nothing(self) -> bool:
        """True for a plan that books no post (`message` says why)."""
        return self.has_plan and len(self.allocations) == 0

    @property
    def optimality_gap(self) -> float:
        return relative_gap(self.status, self.upper_bound, self.expected_engagement)

    @property
    def cost_per_engagement(self) -> float:
        return self.spend / self.expected_engagement if self.expected_engagement > 0 else math.nan

    @property
    def budget_left(self) -> float:
        return self.campaign.budget - self.spend

    @property
    def macro_share_of_budget(self) -> float:
        """Macro spend as a share of the budget: what the macro share band holds, and the split
        curve's axis."""
        return self.by_tier["macro"].spend / self.campaign.budget

    @property
    def macro_share_of_spend(self) -> float:
        """Macro spend as a share of the plan's spend (nan when it spends nothing): what the
        headline and the tier chart show."""
        return self.by_tier["macro"].spend / self.spend if self.spend > 0 else math.nan

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of MODEL.md's command line."""
        return {
            "status": self.status,
            "message": self.message,
            "budget": self.campaign.budget,
            "expected_engagement": _round(self.expected_engagement),
            "spend": round(self.spend, 2),
            "budget_left": round(self.budget_left, 2),
            "cost_per_engagement": _round(self.cost_per_engagement, 6),
            "upper_bound": _round(self.upper_bound),
            "optimality_gap": _round(self.optimality_gap, 12),
            "solve_seconds": round(self.solve_seconds, 6),
            "prices_estimated": self.prices_estimated,
            "by_tier": {tier: dataclasses.asdict(t) for tier, t in self.by_tier.items()},
            "allocations": [
                {
                    "name": row.name,
                    "tier": row.tier,
                    "platform": row.platform,
                    "posts": int(row.posts),
                    "spend": round(float(row.spend), 2),
                    "expected_engagement": round(float(row.expected_engagement), 4),
                    "price_estimated": bool(row.price_estimated),
                }
                for row in self.allocations.itertuples()
            ],
        }


def _round(value: float, digits: int = 4) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, digits)


ALLOCATION_COLUMNS = [
    "name",
    "tier",
    "platform",
    "niche",
    "followers",
    "engagement_rate",
    "cost_per_post",
    "price_estimated",
    "posts",
    "spend",
    "expected_engagement",
    "cost_per_engagement",
]


def make_plan(roster: Roster, campaign: Campaign, *, first_value: np.ndarray | None = None) -> Plan:
    """The optimal plan (MODEL.md, "The plan"), or an infeasible one that says what to change."""
    started = time.perf_counter()
    items = build_items(roster.table, campaign, first_value)
    solution = solve(items)
    return plan_of(roster, campaign, items, solution, time.perf_counter() - started)


def plan_of(
    roster: Roster, campaign: Campaign, items: PostItems, solution: Solution, seconds: float
) -> Plan:
    """The plan of a solution for `items` (built from `roster` and `campaign`, perhaps with
    other macro spend limits: a split curve's band), solved in `seconds`."""
    table = roster.table
    if solution.status in ("infeasible", "timeout"):
        empty = TierTotals(0, 0, 0.0, 0.0)
        message = (
            explain_infeasible(items, roster, campaign)
            if solution.status == "infeasible"
            else _timeout_message(campaign)
        )
        return Plan(
            solution.status,
            campaign,
            pd.DataFrame(columns=ALLOCATION_COLUMNS),
            0.0,
            0.0,
            0.0,
            seconds,
            {t: empty for t in TIERS},
            message,
            roster.prices_estimated,
        )
    posts = items.posts_per_influencer(solution.chosen)
    engagement = np.bincount(
        items.owner[solution.chosen], weights=items.value[solution.chosen], minlength=len(table)
    )
    # Money in whole cents: each price is the one the solver's budget check used (the roster's
    # price to the cent, `build_items`), so no sum of the plan's prices can exceed the budget.
    price = _price_cents(items)
    spend = posts * price  # int64 cents
    booked = posts > 0
    in_tier = {name: (table["tier"] == name).to_numpy(dtype=bool) for name in TIERS}
    by_tier = {
        name: TierTotals(
            influencers=int((booked & mask).sum()),
            posts=int(posts[mask].sum()),
            spend=int(spend[mask].sum()) / 100,
            expected_engagement=float(engagement[mask].sum()),
        )
        for name, mask in in_tier.items()
    }
    rows = np.flatnonzero(booked)
    message = "" if rows.size else explain_empty(items, roster, campaign)
    frame = allocation_frame(
        table, rows, price[rows] / 100, posts[rows], spend[rows] / 100, engagement[rows]
    )
    return Plan(
        solution.status,
        campaign,
        frame,
        float(engagement.sum()),
        int(spend.sum()) / 100,
        solution.upper_bound,
        seconds,
        by_tier,
        message,
        roster.prices_estimated,
    )


def allocation_frame(
    table: pd.DataFrame,
    rows: np.ndarray,
    cost_per_post: np.ndarray,
    posts: np.ndarray,
    spend: np.ndarray,
    engagement: np.ndarray,
) -> pd.DataFrame:
    """A plan's table (`ALLOCATION_COLUMNS`): the roster's `rows` with what each is booked for
    (prices and spend in dollars), most engagement first (ties in the order of `rows`). Built from
    the columns it shows (taking the roster's whole rows first, and sorting a frame, took
    four times as long: it is made for every plan, several per slider move)."""
    order = np.argsort(-engagement, kind="stable")
    booked = {
        "cost_per_post": cost_per_post[order],
        "posts": posts[order],
        "spend": spend[order],
        "expected_engagement": engagement[order],
    }
    booked["cost_per_engagement"] = booked["spend"] / booked["expected_engagement"]
    picked = rows[order]
    return pd.DataFrame(
        {
            column: booked[column] if column in booked else table[column].array.take(picked)
            for column in ALLOCATION_COLUMNS
        }
    )


def _price_cents(items: PostItems) -> np.ndarray:
    """Each roster row's price per post in whole cents, as the solver saw it (0 for a row that
    cannot post)."""
    price = np.zeros(items.n_influencers, dtype=np.int64)
    price[items.owner] = items.cost
    return price


def explain_empty(items: PostItems, roster: Roster, campaign: Campaign) -> str:
    """One sentence: why a plan that fits every setting books nothing, and what to change."""
    if len(roster.table) == 0:
        return (
            "Nothing was booked: the roster has no influencer to plan with (every row is left "
            "out, or has fewer followers than the micro threshold of "
            f"{roster.tiers.micro_threshold:,}). Include influencers or load another roster."
        )
    if items.owner.size == 0:
        return (
            "Nothing was booked: no influencer in the roster can post (each has no followers, "
            "no engagement, no price or a post limit of 0). Fix those rows or load another "
            "roster."
        )
    if campaign.max_influencers == 0:
        return "Nothing was booked: the cap on influencers is 0. Raise the cap."
    first = items.first
    cheapest = int(items.cost[first].min())
    if cheapest > items.budget:
        name = roster.table["name"].iloc[int(items.owner[first][np.argmin(items.cost[first])])]
        price = money(cheapest / 100, currency=roster.currency)
        return (
            f"Nothing was booked: the cheapest post ({name}'s) costs {price}, more than the "
            f"budget of {money(campaign.budget, currency=roster.currency)}. Raise the budget to "
            f"at least {price} or add influencers who cost less."
        )
    micro = first & ~items.macro
    macro_blocked = items.macro_max == 0 or campaign.max_macro == 0
    if not micro.any() or int(items.cost[micro].min()) > items.budget:
        reason = (
            "the macro share band's top is 0%"
            if items.macro_max == 0
            else "the cap on macro influencers is 0"
            if campaign.max_macro == 0
            else f"every macro post costs more than the band's top of "
            f"{money(items.macro_max / 100, currency=roster.currency)}"
        )
        if macro_blocked or int(items.cost[first & items.macro].min()) > items.macro_max:
            return (
                "Nothing was booked: every micro post costs more than the budget (or the roster "
                f"has none) and {reason}. Raise the budget, widen the macro share band or add "
                "influencers who cost less."
            )
    return (
        "Nothing was booked: no post fits within the budget and the limits together. Raise the "
        "budget or widen the limits."
    )


def _macro_spend_limit(items: PostItems, cap: int | None, target: int, *, most: bool) -> int | None:
    """Most macro spend <= target (most=True) or least >= target, with at most `cap` macro
    influencers; None when no selection qualifies."""
    from scipy.optimize import LinearConstraint, milp  # imported only when needed

    idx = np.flatnonzero(items.macro)
    if idx.size == 0:
        return 0 if most else None
    cost = items.cost[idx].astype(float)
    rows = [
        LinearConstraint(cost[None, :], -np.inf if most else target, target if most else np.inf)
    ]
    if cap is not None:
        rows.append(LinearConstraint(items.first[idx].astype(float)[None, :], 0, cap))
    later = np.flatnonzero(items.k[idx] > 0)
    if later.size:
        order = np.zeros((later.size, idx.size))
        order[np.arange(later.size), later] = 1
        order[np.arange(later.size), later - 1] = -1
        rows.append(LinearConstraint(order, -np.inf, 0))
    result = milp(
        -cost if most else cost, constraints=rows, integrality=np.ones(idx.size), bounds=(0, 1)
    )
    if result.x is None:
        return None
    return int(round(float(cost @ np.round(result.x))))


def explain_infeasible(items: PostItems, roster: Roster, campaign: Campaign) -> str:
    """One sentence: the constraint that cannot be met and the smallest change that fixes it."""
    need = campaign.macro_share_min
    budget = campaign.budget

    def whole(amount: float) -> str:  # whole money, rounded as `f"{amount:,.0f}"`
        return money(float(round(amount)), cents=False, currency=roster.currency)

    low = items.macro_min
    if roster.count("macro") == 0 or not items.macro.any():
        return (
            f"The minimum macro share of {need:.0%} cannot be met: the roster has no macro "
            f"influencer ({roster.tiers.macro_threshold:,}+ followers) who can post. Set the "
            "minimum macro share to 0% or add macro influencers."
        )
    cap = (
        min(c for c in (campaign.max_macro, campaign.max_influencers) if c is not None)
        if (campaign.max_macro is not None or campaign.max_influencers is not None)
        else None
    )
    if cap == 0:
        return (
            f"The minimum macro share of {need:.0%} needs at least one macro influencer, but "
            "the cap on "
            + ("macro influencers" if campaign.max_macro == 0 else "influencers")
            + " is 0. Raise the cap or set the minimum macro "
            "share to 0%."
        )
    most = _macro_spend_limit(items, cap, items.macro_max, most=True) or 0
    least = _macro_spend_limit(items, cap, low, most=False)
    if most < low:
        fixes = [
            f"lower the minimum macro share to {math.floor(most / 100 / budget * 1000) / 10:g}%"
        ]
        uncapped = _macro_spend_limit(items, None, low, most=False)
        if cap is not None and uncapped is not None and uncapped <= items.macro_max:
            fixes.append("raise the cap on macro influencers")
        if least is not None:
            fixes.append(
                f"raise the maximum macro share to "
                f"{math.ceil(least / 100 / budget * 1000) / 10:g}%"
                + (f" and the budget to {whole(least / 100)}" if least > items.budget else "")
            )
        spend_txt = whole(most / 100) if most else "nothing"
        return (
            f"The macro share band {need:.0%}–{campaign.macro_share_max:.0%} cannot be met: "
            f"the macro influencers' posts that fit within the band's top of "
            f"{whole(items.macro_max / 100)} add up to {spend_txt}, below the band's minimum of "
            f"{whole(low / 100)}. To fix it, " + ", or ".join(fixes) + "."
        )
    return (
        f"The settings cannot all be met at once (macro share {need:.0%}–"
        f"{campaign.macro_share_max:.0%} of {whole(budget)}). Widen the macro share band or "
        "raise the caps on influencers."
    )


PlanFor = Callable[[Roster, Campaign], Plan]


@dataclass(frozen=True)
class BandPoint:
    """The best plan when macro spend is held within one band of the split curve."""

    share: float  # the band's middle, a fraction of the budget
    low: float
    high: float
    items: PostItems
    solution: Solution

    @property
    def macro_spend(self) -> float:
        chosen = self.solution.chosen
        return int(self.items.cost[chosen & self.items.macro].sum()) / 100

    @property
    def spend(self) -> float:
        return int(self.items.cost[self.solution.chosen].sum()) / 100


def split_points(
    roster: Roster,
    campaign: Campaign,
    *,
    step: float = 0.1,
    first_value: np.ndarray | None = None,
    part: tuple[int, int] = (0, 1),
    on_point: Callable[[int, int], None] | None = None,
) -> list[BandPoint]:
    """The optimal plan for each band of the split curve (see `split_curve`), as post choices.

    The posts are built once; each band only moves the macro spend limits, and the bands are
    solved from shared work (`planner.solver.solve_bands`: one set-up for every band), each
    still certified. A band that cannot be met is reported as
    infeasible without the explanation a plan would carry. `part=(i, n)` solves every n-th band
    from the i-th only, so n processes can share the curve. `on_point(done, total)` is called
    after each certified band (for a progress message; `total` counts this part's bands).
    """
    items = build_items(roster.table, campaign, first_value)
    bands = split_bands(items, step=step, part=part)
    solutions = solve_bands(items, [band.limits for band in bands], on_point=on_point)
    return [
        BandPoint(
            band.share,
            band.low,
            band.high,
            dataclasses.replace(items, macro_min=band.limits[0], macro_max=band.limits[1]),
            solution,
        )
        for band, solution in zip(bands, solutions, strict=True)
    ]


@dataclass(frozen=True)
class SplitBand:
    """One band of the split curve: its middle share, its least and most share of the budget,
    and the macro spend it allows in cents (least, most)."""

    share: float
    low: float
    high: float
    limits: tuple[int, int]


def split_bands(
    items: PostItems, *, step: float = 0.1, part: tuple[int, int] = (0, 1)
) -> list[SplitBand]:
    """The split curve's bands for `items` (see `split_curve`; `part` as in `split_points`)."""
    first, every = part
    shares = [float(s) for s in np.round(np.arange(0.0, 1.0 + 1e-9, step), 6)[first::every]]
    limits = []
    for share in shares:
        low = 0.0 if share == 0 else max(0.0, share - step / 2)
        high = 0.0 if share == 0 else min(1.0, share + step / 2)
        limits.append((low, high))
    bands = [
        (
            int(math.ceil(low * items.budget - 1e-6)),
            min(items.budget, int(math.floor(high * items.budget + 1e-6))),
        )
        for low, high in limits
    ]
    return [
        SplitBand(share, low, high, band)
        for share, (low, high), band in zip(shares, limits, bands, strict=True)
    ]


def split_curve(
    roster: Roster,
    campaign: Campaign,
    *,
    step: float = 0.1,
    points: list[BandPoint] | None = None,
) -> pd.DataFrame:
    """Best expected engagement when the macro share is held near each value from 0% to 100%.

    The point at share s allows macro spend within s +- step/2 of the budget (0% means none),
    so the curve shows where between "all micro" and "mostly macro" the best plan lies. Every
    other setting is the campaign's own; the campaign's band is ignored here. `points` are the
    band plans from `split_points`, when the caller has them already.
    """
    rows = []
    for point in points if points is not None else split_points(roster, campaign, step=step):
        ok = point.solution.status in ("optimal", "feasible")
        rows.append(
            {
                "macro_share": point.share,
                "band_low": point.low,
                "band_high": point.high,
                "expected_engagement": point.solution.value if ok else np.nan,
                "macro_spend": point.macro_spend if ok else np.nan,
                "micro_spend": point.spend - point.macro_spend if ok else np.nan,
                "spend": point.spend if ok else np.nan,
                "status": point.solution.status,
                "optimality_gap": point.solution.gap if ok else np.nan,
            }
        )
    return pd.DataFrame(rows)


def frontier_budgets(budget: float, *, points: int = 20) -> list[float]:
    """Round budgets from 10% (or the first step) to 200% of `budget`, at least `points` of them
    and at most twice as many, and `budget` itself.

    The step is a round amount (1, 2, 2.5 or 5 times a power of ten) that depends only on the
    budget's size, so nearby budgets share their points and a cache can answer most of them.
    """
    span = budget * 1.9 / max(points - 1, 1)
    power = 10 ** math.floor(math.log10(span)) if span > 0 else 1
    step = max(f * power for f in (1, 2, 2.5, 5) if f * power <= span)
    first = max(step, math.floor(budget * 0.1 / step) * step)
    last = math.ceil(budget * 2 / step) * step
    grid = [round(first + i * step, 2) for i in range(int(round((last - first) / step)) + 1)]
    return sorted({b for b in grid if b > 0} | {round(budget, 2)})


def budget_frontier(
    roster: Roster,
    campaign: Campaign,
    *,
    points: int = 20,
    plan_for: PlanFor | None = None,
    first_value: np.ndarray | None = None,
) -> pd.DataFrame:
    """Best expected engagement for budgets from 10% to 200% of the campaign's (round amounts,
    see `frontier_budgets`), and what each extra dollar buys between one budget and the next.

    Each budget's plan is the one `make_plan` gives it, solved from shared work (`BudgetPlans`:
    the posts built and ranked once); `plan_for` replaces that (for example, a cache in front of
    a `BudgetPlans`). `first_value` is passed on as `make_plan` takes it."""
    solve_one = plan_for or BudgetPlans(roster, campaign, first_value).plan
    rows = []
    for budget in frontier_budgets(campaign.budget, points=points):
        plan = solve_one(roster, dataclasses.replace(campaign, budget=budget))
        ok = plan.has_plan
        rows.append(
            {
                "budget_factor": budget / campaign.budget,
                "budget": budget,
                "expected_engagement": plan.expected_engagement if ok else np.nan,
                "spend": plan.spend if ok else np.nan,
                "status": plan.status,
            }
        )
    frame = pd.DataFrame(rows)
    frame["marginal_engagement_per_dollar"] = (
        frame["expected_engagement"].diff() / frame["budget"].diff()
    )
    return frame


class BudgetPlans:
    """`make_plan` for a roster and a campaign at other budgets, from shared work: the posts
    built once and ranked once (`planner.solver.SamePosts`), when the first plan is asked for.
    Each plan is `make_plan`'s for that budget, post for post."""

    def __init__(
        self, roster: Roster, campaign: Campaign, first_value: np.ndarray | None = None
    ) -> None:
        self._roster, self._campaign, self._first_value = roster, campaign, first_value
        self._items: PostItems | None = None
        self._posts: SamePosts | None = None

    def plan(self, roster: Roster, campaign: Campaign) -> Plan:
        """The plan of `campaign`, which differs from this one's campaign in its budget alone
        (`roster`: this one's; the arguments `PlanFor` takes)."""
        if (
            roster is not self._roster
            or dataclasses.replace(campaign, budget=self._campaign.budget) != self._campaign
        ):
            raise ValueError("BudgetPlans plans its own roster and campaign at other budgets")
        started = time.perf_counter()
        if self._items is None:
            self._items = build_items(roster.table, self._campaign, self._first_value)
            self._posts = SamePosts(self._items)
        assert self._posts is not None
        model = with_limits(self._items, campaign)
        solution = self._posts.solve(model)
        return plan_of(roster, campaign, model, solution, time.perf_counter() - started)


STRATEGIES = ("All micro", "All macro", "Optimal mix")


def strategy_plans(
    roster: Roster,
    campaign: Campaign,
    *,
    first_value: np.ndarray | None = None,
    optimal: Plan | None = None,
) -> dict[str, tuple[Roster, Plan]]:
    """All-micro, all-macro and the optimal mix under the same budget and caps, each with the
    roster it was planned from (the tier's influencers only, for the first two).

    `first_value` (one per roster row) is passed on to `make_plan`, for example reply-weighted;
    `optimal` is the campaign's own plan when the caller has it already (the optimal mix).
    """
    plans = {}
    for label, keep, band in zip(
        STRATEGIES,
        ("micro", "macro", None),
        ((0.0, 0.0), (0.0, 1.0), (campaign.macro_share_min, campaign.macro_share_max)),
        strict=True,
    ):
        mask = (
            np.ones(len(roster.table), dtype=bool)
            if keep is None
            else (roster.table["tier"] == keep).to_numpy(dtype=bool)
        )
        if keep is None and optimal is not None:
            plans[label] = (roster, optimal)
            continue
        sub = dataclasses.replace(roster, table=roster.table.loc[mask].reset_index(drop=True))
        plan = make_plan(
            sub,
            dataclasses.replace(campaign, macro_share_min=band[0], macro_share_max=band[1]),
            first_value=None if first_value is None else np.asarray(first_value)[mask],
        )
        plans[label] = (sub, plan)
    return plans


def head_to_head(
    roster: Roster,
    campaign: Campaign,
    *,
    plans: dict[str, tuple[Roster, Plan]] | None = None,
) -> pd.DataFrame:
    """All-micro, all-macro and the optimal mix under the same budget and caps (the plans from
    `strategy_plans`, when the caller has them already)."""
    rows = []
    for label, (_sub, plan) in (plans or strategy_plans(roster, campaign)).items():
        ok = plan.has_plan
        rows.append(
            {
                "strategy": label,
                "status": plan.status,
                "expected_engagement": plan.expected_engagement if ok else np.nan,
                "spend": plan.spend if ok else np.nan,
                "cost_per_engagement": plan.cost_per_engagement if ok else np.nan,
                "influencers": sum(t.influencers for t in plan.by_tier.values()),
                "macro_spend": plan.by_tier["macro"].spend,
                "micro_spend": plan.by_tier["micro"].spend,
                "message": plan.message,
            }
        )
    return pd.DataFrame(rows)


def _timeout_message(campaign: Campaign) -> str:
    """What to change when no plan was found within the time limit: what makes the model hard."""
    hard = []
    if campaign.max_influencers is not None or campaign.max_macro is not None:
        hard.append("a cap on the number of influencers (remove or raise it)")
    if campaign.macro_share_min > 0:
        hard.append("a minimum macro share (lower it to 0%)")
    if not hard:
        return "No plan was found within the time limit: shorten the roster."
    return (
        "No plan was found within the time limit. A large roster is slow to plan with "
        f"{' and '.join(hard)}: change that, or shorten the roster."
    )
