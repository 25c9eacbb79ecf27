"""The planning model as arrays: one item per possible post, with its cost and expected engagement.

With y_j in {0, 1} for post j (post k of influencer i(j)), c_j its price in cents, v_j its expected
engagement, M the macro posts and F the first posts (k = 0) (MODEL.md, "The plan"):

    maximise    sum_j v_j y_j
    subject to  sum_j c_j y_j                <= B                      (budget)
                m_lo <= sum_{j in M} c_j y_j <= m_hi                   (macro band)
                sum_{j in F and M} y_j       <= K_macro                (optional)
                sum_{j in F} y_j             <= K                      (optional)
                y_j <= y_{j-1}  for k(j) > 0                           (post order)

`side_rows` and `order_rows` are these rows as sparse matrices; both the engine (planner/solver.py)
and the mixed-integer reference (planner/mip.py) build on `PostItems`, so they solve exactly the
same problem. `Solution` is what every solver returns.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from planner.kernels import first_of, plan_facts
from planner.settings import Campaign

if TYPE_CHECKING:  # scipy takes half a second to import and most plans never need it:
    from scipy import sparse  # the functions that build matrices import it when they run

# A plan is "optimal" when its certified gap is at most this (MODEL.md).
OPTIMAL_GAP = 1e-6
# The gap the engine's own searches stop at: under OPTIMAL_GAP by a margin far above the rounding
# of sums in another order (~1e-12), so what they certify is reported "optimal". (Until the
# eighteenth session it was half of OPTIMAL_GAP, for no stated reason: bands whose starting plan
# was 5.4e-7 below their LP bound went on to the programme, 11 ms of a 5,000-row rate-card split
# curve; docs/benchmarks.md.)
SEARCH_GAP = 0.9 * OPTIMAL_GAP

# "optimal": gap <= OPTIMAL_GAP; "feasible": a valid plan with a larger certified gap (a time or
# size limit stopped the search); "infeasible": no plan meets every rule; "timeout": no plan was
# found within the time limit (by the reference formulation, or by the engine on a model too
# large to hand to it).
Status = Literal["optimal", "feasible", "infeasible", "timeout"]


@dataclass(frozen=True)
class Solution:
    status: Status
    chosen: np.ndarray  # bool per item
    value: float
    upper_bound: float

    @property
    def gap(self) -> float:
        return relative_gap(self.status, self.upper_bound, self.value)


def relative_gap(status: str, upper_bound: float, value: float) -> float:
    """The certified optimality gap, (upper bound - plan value) / upper bound (MODEL.md)."""
    if status in ("infeasible", "timeout"):
        return float("nan")
    if upper_bound <= 0:
        return 0.0
    return max(0.0, (upper_bound - value) / upper_bound)


@dataclass(frozen=True)
class PostItems:
    """Every post an influencer could make, grouped by influencer, in post order (k = 0, 1, …).

    Costs are whole cents so that the budget is never exceeded by rounding.
    """

    owner: np.ndarray  # int64, row of the roster table that makes this post
    k: np.ndarray  # int64, 0 for an influencer's first post
    value: np.ndarray  # float64, expected engagements of this post
    cost: np.ndarray  # int64 cents
    macro: np.ndarray  # bool
    n_influencers: int
    budget: int  # cents
    macro_min: int  # cents, the least macro spend allowed
    macro_max: int  # cents, the most macro spend allowed
    max_macro: int | None
    max_influencers: int | None

    @property
    def first(self) -> np.ndarray:
        return self.k == 0

    def posts_per_influencer(self, chosen: np.ndarray) -> np.ndarray:
        return np.bincount(self.owner[chosen], minlength=self.n_influencers).astype(np.int64)

    def broken_caps(self, chosen: np.ndarray) -> list[str]:
        """Which caps on influencers `chosen` breaks ("max macro", "max influencers")."""
        if self.max_macro is None and self.max_influencers is None:
            return []
        _, _, influencers, macro_influencers, _ = plan_facts(self.cost, self.macro, self.k, chosen)
        return self._over_caps(influencers, macro_influencers)

    def _over_caps(self, influencers: int, macro_influencers: int) -> list[str]:
        broken: list[str] = []
        if self.max_macro is not None and macro_influencers > self.max_macro:
            broken.append("max macro")
        if self.max_influencers is not None and influencers > self.max_influencers:
            broken.append("max influencers")
        return broken

    def within_reach(self, posts: np.ndarray | None = None) -> np.ndarray:
        """The posts some plan may take: post k of an influencer comes with the k posts before
        it, k + 1 times its price in all, which must fit the budget and, for a macro post, the
        macro band's top. No plan takes the others, so the bounds leave them out: an LP bound
        that buys part of a post no plan can buy whole may sit far above every plan (a macro
        post of 77% of the budget, bought in part by the split curve's bands up to 75%, left
        their LP bounds 10-17% above their optimum; docs/benchmarks.md). For every post, or
        for the posts `posts` (indices) alone."""
        every = slice(None) if posts is None else posts
        top = min(self.budget, self.macro_max)
        return self.whole_cost(posts) <= np.where(self.macro[every], top, self.budget)

    def whole_cost(self, posts: np.ndarray | None = None) -> np.ndarray:
        """What each post costs with the posts of its influencer before it, in cents: k + 1
        times its price (for every post, or for the posts `posts`)."""
        every = slice(None) if posts is None else posts
        return self.cost[every] * (self.k[every] + 1)

    def check(self, chosen: np.ndarray) -> list[str]:
        """Which constraints `chosen` breaks (empty when the selection is a valid plan): one
        compiled pass (`planner.kernels.plan_facts`); post k is only taken with post k - 1."""
        spend, macro_spend, influencers, macro_influencers, in_order = plan_facts(
            self.cost, self.macro, self.k, chosen
        )
        broken = self.broken_totals(spend, macro_spend, influencers, macro_influencers)
        if not in_order:
            broken.append("post order")
        return broken

    def broken_totals(
        self, spend: int, macro_spend: int, influencers: int, macro_influencers: int
    ) -> list[str]:
        """Which constraints a plan with these totals breaks, post order aside (`check`)."""
        broken = []
        if spend > self.budget:
            broken.append("budget")
        if macro_spend < self.macro_min or macro_spend > self.macro_max:
            broken.append("macro share")
        return broken + self._over_caps(influencers, macro_influencers)


def first_post_engagement(table: pd.DataFrame) -> np.ndarray:
    """Expected engagements of each influencer's first post: followers x rate x audience quality."""
    return (
        table["followers"].to_numpy(dtype=float)
        * table["engagement_rate"].to_numpy(dtype=float)
        * table["audience_quality"].to_numpy(dtype=float)
    )


def posts_allowed(table: pd.DataFrame, campaign: Campaign) -> np.ndarray:
    """Each row's own post limit, or the campaign's where the row has none."""
    own = table["max_posts"]
    return own.fillna(campaign.max_posts).to_numpy(dtype=np.int64)


def to_cents(amount: float) -> int:
    return int(math.floor(amount * 100 + 1e-6))


def build_items(
    table: pd.DataFrame,
    campaign: Campaign,
    first_value: np.ndarray | None = None,
) -> PostItems:
    """The post items of a checked roster table under a campaign's settings.

    `first_value` replaces the expected engagement of each influencer's first post (for example,
    weighted by reply rates); repeat posts decay from it.
    """
    value1 = first_post_engagement(table) if first_value is None else np.asarray(first_value, float)
    limits = posts_allowed(table, campaign)
    cost_cents = np.rint(table["cost_per_post"].to_numpy(dtype=float) * 100).astype(np.int64)
    # An influencer with no followers, no engagement or no price can only be left out.
    limits = np.where((value1 > 0) & (cost_cents > 0), limits, 0)
    owner = np.repeat(np.arange(len(table), dtype=np.int64), limits)
    starts = np.cumsum(limits) - limits
    k = np.arange(owner.size, dtype=np.int64) - np.repeat(starts, limits)
    macro_rows = (table["tier"] == "macro").to_numpy(dtype=bool)
    return PostItems(
        owner=owner,
        k=k,
        value=value1[owner] * np.power(campaign.decay, k),
        cost=cost_cents[owner],
        macro=macro_rows[owner],
        n_influencers=len(table),
        **_limits(campaign),
    )


def with_limits(items: PostItems, campaign: Campaign) -> PostItems:
    """`items` under `campaign`'s budget, macro band and caps: what `build_items` gives for it,
    without building the posts again, when `campaign` differs from the one `items` were built
    under in those alone (the budget frontier's budgets; its decay and post limits make the
    posts)."""
    return dataclasses.replace(items, **_limits(campaign))


def _limits(campaign: Campaign) -> dict[str, int | None]:
    """The model's budget, macro band and caps under `campaign` (cents, counts)."""
    budget = to_cents(campaign.budget)
    return {
        "budget": budget,
        "macro_min": int(math.ceil(campaign.macro_share_min * budget - 1e-6)),
        "macro_max": min(budget, int(math.floor(campaign.macro_share_max * budget + 1e-6))),
        "max_macro": campaign.max_macro,
        "max_influencers": campaign.max_influencers,
    }


def first_posts(items: PostItems, chosen: np.ndarray) -> np.ndarray:
    """Same number of posts per influencer, taken as the first ones (equal cost, at least the
    engagement): turns any selection into one in post order."""
    return first_of(items.owner, items.k, np.asarray(chosen, dtype=bool), items.n_influencers)


def side_rows(
    items: PostItems, columns: np.ndarray | None = None
) -> tuple[sparse.csr_array, np.ndarray, np.ndarray]:
    """The side rows (budget, macro band, [macro count], [influencer count]) over the given item
    columns: the matrix and its lower and upper bounds."""
    from scipy import sparse

    sel = np.arange(items.owner.size) if columns is None else columns
    cost = items.cost[sel].astype(float)
    macro = items.macro[sel]
    first = items.first[sel]
    row_data = [cost, np.where(macro, cost, 0.0)]
    lower = [-np.inf, float(items.macro_min)]
    upper = [float(items.budget), float(items.macro_max)]
    if items.max_macro is not None:
        row_data.append((first & macro).astype(float))
        lower.append(-np.inf)
        upper.append(float(items.max_macro))
    if items.max_influencers is not None:
        row_data.append(first.astype(float))
        lower.append(-np.inf)
        upper.append(float(items.max_influencers))
    matrix = (
        sparse.csr_array(np.vstack(row_data)) if sel.size else sparse.csr_array((len(row_data), 0))
    )
    return matrix, np.array(lower), np.array(upper)


def order_rows(items: PostItems, columns: np.ndarray) -> sparse.csr_array:
    """y[k] - y[k-1] <= 0 for each pair of consecutive posts that are both in `columns`."""
    from scipy import sparse

    position = np.full(items.owner.size, -1)
    position[columns] = np.arange(columns.size)
    later = columns[items.k[columns] > 0]
    later = later[position[later - 1] >= 0]
    n = later.size
    data = np.concatenate([np.ones(n), -np.ones(n)])
    rows = np.concatenate([np.arange(n), np.arange(n)])
    cols = np.concatenate([position[later], position[later - 1]])
    return sparse.csr_array((data, (rows, cols)), shape=(n, columns.size))
