"""The LP relaxation of the model, solved exactly without a general LP solver.

Without caps it is two Dantzig chains (micro and macro posts by engagement per cent) and the
split of the budget between them: engagement is concave in macro spend m, so a binary search on
the slopes finds the best m in the band (`tier_lp`).

With caps on the number of influencers (in total, K, or macro, K_macro), the caps are priced
instead (Lagrangian relaxation): with rho per influencer and sigma per macro influencer,

    L(rho, sigma) = rho K + sigma K_macro
                    + max { sum_i f_i(x_i) - (rho + sigma [i macro]) [x_i > 0] : budget, band }

bounds every plan for any rho, sigma >= 0. Each influencer's polytope {1 >= y_0 >= y_1 >= ... >= 0}
is integral, so min L over the prices equals the LP relaxation with the caps (Geoffrion, 1974).
For given prices the inner LP is again two chains, of each influencer's concave envelope: the
first "segment" buys posts 0..x*-1 at once (x* maximises (f_i(x) - charge) / (x c_i)), later posts
one by one (`counted_lp`). L is convex in each price and its slope in rho is K minus the number
of influencers the LP buys, and piecewise linear: Kelley's cutting planes (the next price where
the tangents at the bracket's ends meet) find the best rho (and, nested, sigma) in a few steps.
`cap_price` does the same for some influencers alone (the capped programme's micro phase, for
what a macro state leaves: its own price can be far from the whole model's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

import numpy as np

from planner.chain import DantzigChain
from planner.kernels import (
    KELLEY_ONE,
    KELLEY_SPLIT,
    ChainArrays,
    envelope_chain,
    kelley_price,
    split_spend,
)
from planner.model import PostItems


@dataclass(frozen=True)
class Duals:
    """Prices of the LP relaxation's side rows, in scaled engagement per cent (budget, macro top,
    macro bottom) and per influencer (macro count, total count)."""

    budget: float
    macro_max: float
    macro_min: float
    macro_count: float
    count: float = 0.0


@dataclass(frozen=True)
class Relaxation:
    y: np.ndarray  # fractional posts of an LP optimum (in [0, 1] per item)
    bound: float  # LP value: every plan's scaled engagement is at most this
    duals: Duals


@dataclass(frozen=True)
class _Split:
    macro_spend: int
    micro_spend: int
    value: float
    budget_price: float
    macro_price: float


def _split(micro: DantzigChain, macro: DantzigChain, items: PostItems) -> _Split | None:
    """Best split of the budget between a micro and a macro chain, macro spend in the band."""
    low = items.macro_min
    high = min(items.macro_max, items.budget, macro.total)
    if low > high:
        return None
    # Largest m in [low, high] where one more macro cent still beats one more micro cent.
    m = split_spend(
        macro.cum_cost,
        macro.ratio,
        micro.cum_cost,
        micro.ratio,
        int(items.budget),
        int(low),
        int(high),
    )
    micro_spend = min(items.budget - m, micro.total)
    z = float(macro.value_at(m) + micro.value_at(micro_spend))
    budget_price = float(micro.slope_above(micro_spend)) if micro_spend < micro.total else 0.0
    if m + micro_spend < items.budget:  # money left over: the budget is not binding
        budget_price = 0.0
    macro_price = float(macro.slope_above(m)) if m < macro.total else 0.0
    return _Split(m, micro_spend, z, budget_price, macro_price)


def _band_duals(items: PostItems, split: _Split, macro_total: int) -> tuple[float, float]:
    high = min(items.macro_max, items.budget, macro_total)
    excess = split.macro_price - split.budget_price
    top = max(excess, 0.0) if split.macro_spend == high else 0.0
    bottom = max(-excess, 0.0) if split.macro_spend == items.macro_min else 0.0
    return top, bottom


def lp_chains(items: PostItems, value: np.ndarray) -> tuple[DantzigChain, DantzigChain]:
    """The micro and the macro posts' Dantzig chains, of the posts within reach
    (`PostItems.within_reach`): `tier_lp`'s, and the programme's (`planner.dp.prepare`)."""
    reach = items.within_reach()
    return (
        DantzigChain.of_items(items, value, ~items.macro & reach),
        DantzigChain.of_items(items, value, items.macro & reach),
    )


def tier_lp(
    items: PostItems,
    value: np.ndarray,
    chains: tuple[DantzigChain, DantzigChain] | None = None,
) -> Relaxation | None:
    """The LP relaxation without influencer caps; None when the band cannot be met even
    fractionally. `chains` are the micro and macro posts' chains when the caller has them, of
    the posts within reach (`PostItems.within_reach`)."""
    micro, macro = chains if chains is not None else lp_chains(items, value)
    split = _split(micro, macro, items)
    if split is None:
        return None
    y = np.zeros(items.owner.size)
    macro.fill(split.macro_spend, y)
    micro.fill(split.micro_spend, y)
    top, bottom = _band_duals(items, split, macro.total)
    duals = Duals(split.budget_price, top, bottom, 0.0)
    return Relaxation(y, split.value, duals)


class SegmentChain(DantzigChain):
    """A Dantzig chain of envelope segments: `idx` is each segment's first position in its
    `Envelopes`, `length` its number of posts, `first` whether it starts an influencer."""

    def __init__(
        self,
        cost: np.ndarray,
        value: np.ndarray,
        idx: np.ndarray,
        length: np.ndarray,
        first: np.ndarray,
    ) -> None:
        super().__init__(cost, value, idx)
        self.length = length
        self.first = first

    @property
    def arrays(self) -> ChainArrays:
        """Each link's cost and whether it starts an influencer, the cumulative cost and value
        and the value per cent: the chain as the compiled searches take it (`kelley_price`)."""
        return self.cost, self.first, self.cum_cost, self.cum_value, self.ratio


class Envelopes:
    """The posts of some influencers (`mask`: each one's first posts, or all) as the segments
    of each one's concave envelope under a fixed charge per influencer: one first segment
    (posts 0..x*-1) and the later posts one by one, as a Dantzig chain."""

    def __init__(self, items: PostItems, value: np.ndarray, mask: np.ndarray) -> None:
        self.idx = np.flatnonzero(mask)  # items, grouped by influencer in post order
        self.k = items.k[self.idx]
        self.cost = items.cost[self.idx]
        self.value = value[self.idx]
        self.starts = np.flatnonzero(self.k == 0)
        self.lengths = np.diff(np.append(self.starts, self.idx.size))
        cum = np.concatenate([[0.0], np.cumsum(self.value)])
        self.cum_value = cum[1:] - np.repeat(cum[self.starts], self.lengths)  # f_i(k + 1)
        self.group_of = np.repeat(np.arange(self.starts.size), self.lengths)
        self.group_spend = self.cost[self.starts] * self.lengths  # every post bought
        # Each influencer's engagement with every post bought, largest first: one whose
        # engagement falls short of a charge has no segment worth anything at that charge
        # (`_chain` visits only the others).
        whole = self.cum_value[self.starts + self.lengths - 1]
        # The envelopes as the compiled Lagrangian searches take them (`kelley_price`).
        self.arrays = (
            self.k,
            self.cost,
            self.value,
            self.cum_value,
            self.starts,
            self.lengths,
            whole,
        )
        self._by_whole = np.argsort(-whole, kind="stable")
        self._falling_whole = -whole[self._by_whole]  # (negated: rising)
        self._every = np.arange(self.starts.size)
        # The chains without a charge, kept: every capped model's search asks for them (the
        # cap's price starts at 0), and they are the longest (no segment is worth nothing).
        self._unpriced: dict[bool, SegmentChain] = {}

    @property
    def groups(self) -> int:
        return int(self.starts.size)

    def chain(self, charge: float, keep_negative: bool) -> SegmentChain:
        """The envelopes' segments by value per cent. Segments worth nothing are left out unless
        `keep_negative` (the band's bottom may have to buy them)."""
        if charge == 0:
            chain = self._unpriced.get(keep_negative)
            if chain is None:
                chain = self._unpriced[keep_negative] = self._chain(0.0, keep_negative)
            return chain
        return self._chain(charge, keep_negative)

    def _chain(self, charge: float, keep_negative: bool) -> SegmentChain:
        k, cost = self.k, self.cost
        if self.idx.size == 0:
            none = np.zeros(0, dtype=np.int64)
            return SegmentChain(none, np.zeros(0), none, none, np.zeros(0, dtype=bool))
        # Without the worthless segments, only the influencers whose engagement reaches the
        # charge: one that falls short has every f_i(x) - charge < 0, so its best value per
        # cent is at all its posts (the numerator rises with x, the cost too) and its first
        # segment, all its posts, is worth nothing. At the prices of a cap most of a large
        # roster falls short: the chain is built from the few that do not.
        groups = self._every
        if not keep_negative:
            reach = int(np.searchsorted(self._falling_whole, -charge, side="right"))
            if reach < groups.size:
                groups = np.sort(self._by_whole[:reach])
        # The segments by value per cent, ties in segment order, and the chain's sums: compiled
        # in one call (the capped searches build some forty chains a plan).
        cost_, value_, pos, length, first, cum_cost, cum_value, ratio = envelope_chain(
            k,
            cost,
            self.value,
            self.cum_value,
            self.starts,
            self.lengths,
            float(charge),
            keep_negative,
            groups,
        )
        chain = SegmentChain.of_cumulative(cost_, value_, pos, cum_cost, cum_value, ratio)
        chain.length, chain.first = length, first
        return chain

    def fill(self, chain: SegmentChain, spend: int, y: np.ndarray) -> float:
        """Write the chain's LP solution for `spend` into `y` (indexed by item); the fractional
        number of influencers bought."""
        by_position = np.zeros(self.idx.size)
        chain.fill(spend, by_position)
        fraction = by_position[chain.idx]
        length = chain.length
        starts = np.repeat(chain.idx, length) + _ramp(length)
        y[self.idx[starts]] = np.repeat(fraction, length)
        return float(fraction[chain.first].sum())


def _ramp(length: np.ndarray) -> np.ndarray:
    """0, 1, ..., length-1 for each entry, concatenated."""
    starts = np.cumsum(length) - length
    return np.arange(int(length.sum())) - np.repeat(starts, length)


@dataclass(frozen=True)
class _Point:
    """`counted_lp`'s Lagrangian at prices rho (per influencer) and sigma (per macro one)."""

    bound: float
    bought: float  # influencers the inner LP buys (fractional)
    bought_macro: float  # macro influencers it buys
    rho: float
    sigma: float
    split: _Split
    micro: SegmentChain
    macro: SegmentChain


def counted_lp(
    items: PostItems,
    value: np.ndarray,
    envelopes: tuple[Envelopes, Envelopes] | None = None,
    tolerance: float = 1e-9,
) -> Relaxation | None:
    """The LP relaxation with influencer caps through its Lagrangian dual (module docstring);
    None when the band cannot be met even fractionally. `envelopes` are the micro and macro
    influencers' when the caller has them, of the posts within reach (`PostItems.within_reach`).
    The prices are found to a relative `tolerance`; any prices give a valid bound."""
    if envelopes is None:
        reach = items.within_reach()
        envelopes = (
            Envelopes(items, value, ~items.macro & reach),
            Envelopes(items, value, items.macro & reach),
        )
    micro_env, macro_env = envelopes
    k_total, k_macro = items.max_influencers, items.max_macro
    # Fractionally, the band's bottom needs macro influencers whose posts all together reach it.
    caps = [c for c in (k_total, k_macro) if c is not None]
    spend = np.sort(macro_env.group_spend)[::-1]
    if (spend[: min(caps)] if caps else spend).sum() < items.macro_min:
        return None
    top_price = float(max(micro_env.cum_value.max(initial=0), macro_env.cum_value.max(initial=0)))
    top_price = top_price * 2 + 1.0  # no influencer is worth this charge

    def evaluate(rho: float, sigma: float, micro: SegmentChain) -> _Point:
        macro = macro_env.chain(rho + sigma, keep_negative=True)
        split = _split(micro, macro, items)
        if split is None:
            raise _Infeasible
        bought_micro = _bought(micro, split.micro_spend)
        bought_macro = _bought(macro, split.macro_spend)
        bound = split.value + rho * (k_total or 0) + sigma * (k_macro or 0)
        return _Point(
            bound, bought_micro + bought_macro, bought_macro, rho, sigma, split, micro, macro
        )

    def search(
        f: Callable[[float], _Point], cap: float, count: Callable[[_Point], float]
    ) -> _Point:
        return _kelley(f, cap, count, top_price, tolerance)[1]

    def best_sigma(rho: float) -> _Point:
        micro = micro_env.chain(rho, keep_negative=False)
        if k_macro is None:
            return evaluate(rho, 0.0, micro)
        return search(lambda sigma: evaluate(rho, sigma, micro), k_macro, lambda p: p.bought_macro)

    try:
        if k_total is None:
            best = best_sigma(0.0)
        elif k_macro is None:
            # The search compiled (the same steps as `_kelley`'s), then its price's point.
            rho, feasible = kelley_price(
                KELLEY_SPLIT,
                k_total,
                micro_env.arrays,
                macro_env.arrays,
                (micro_env.chain(0.0, False).arrays, macro_env.chain(0.0, True).arrays),
                (int(items.budget), int(items.macro_min), int(items.macro_max)),
                top_price,
                tolerance,
                _MAX_CUTS,
            )
            if not feasible:
                return None
            best = best_sigma(rho)
        else:
            best = search(best_sigma, k_total, lambda p: p.bought)
    except _Infeasible:
        return None
    y = np.zeros(items.owner.size)
    micro_env.fill(best.micro, best.split.micro_spend, y)
    macro_env.fill(best.macro, best.split.macro_spend, y)
    top, bottom = _band_duals(items, best.split, best.macro.total)
    duals = Duals(best.split.budget_price, top, bottom, best.sigma, best.rho)
    return Relaxation(y, best.bound, duals)


class _HasBound(Protocol):
    bound: float


_P = TypeVar("_P", bound=_HasBound)


def _kelley(
    f: Callable[[float], _P],
    cap: float,
    count: Callable[[_P], float],
    top_price: float,
    tolerance: float,
) -> tuple[float, _P]:
    """The price of a cap that minimises a Lagrangian bound `f(price).bound`, and its point: the
    bound is a convex, piecewise linear function of the price whose slope is cap - count.
    Kelley's cutting planes in one dimension: the next price is where the tangents at the ends
    of the bracket meet, the value there bounds the minimum from below, and the search stops
    once the best bound found is within `tolerance` of it (each new price is a breakpoint's
    neighbour: a few steps, where a bisection to the same precision took some thirty).
    `top_price` is a price at which nothing is bought."""
    best_price, best = 0.0, f(0.0)
    low_end = best
    if count(low_end) <= cap:
        return best_price, best
    high_end = f(top_price)
    if high_end.bound < best.bound:
        best_price, best = top_price, high_end
    lo, hi = 0.0, top_price
    for _ in range(_MAX_CUTS):
        g_lo, g_hi = cap - count(low_end), cap - count(high_end)
        if g_hi <= 0:  # the high end buys exactly the cap: no price does better
            break
        price = (high_end.bound - low_end.bound + g_lo * lo - g_hi * hi) / (g_lo - g_hi)
        floor = low_end.bound + g_lo * (price - lo)  # the tangents' meeting point
        if best.bound - floor <= tolerance * abs(best.bound) or not lo < price < hi:
            break
        at = f(price)
        if at.bound < best.bound:
            best_price, best = price, at
        if count(at) > cap:
            lo, low_end = price, at
        else:
            hi, high_end = price, at
    return best_price, best


def cap_price(env: Envelopes, room: int, cap: int, tolerance: float = 1e-9) -> float:
    """The price per influencer that gives the smallest LP bound of these influencers alone with
    `room` cents to spend and at most `cap` of them: min over rho >= 0 of rho cap + the
    envelopes' Dantzig bound at charge rho (its LP relaxation, as `counted_lp`'s)."""
    if cap < 0 or env.groups == 0:
        return 0.0
    top_price = float(env.cum_value.max()) * 2 + 1.0  # no influencer is worth this charge
    # `_kelley` over each price's chain (`env.chain(rho, keep_negative=False)`), its bound
    # rho cap + the chain's LP value of `room` and the influencers that buys: compiled.
    unpriced = env.chain(0.0, keep_negative=False).arrays
    return kelley_price(
        KELLEY_ONE,
        cap,
        env.arrays,
        env.arrays,
        (unpriced, unpriced),
        (int(room), 0, 0),
        top_price,
        tolerance,
        _MAX_CUTS,
    )[0]


def _bought(chain: SegmentChain, spend: int) -> float:
    """Fractional number of first segments (influencers) the chain's LP buys with `spend`."""
    i = int(np.searchsorted(chain.cum_cost, min(spend, chain.total), side="right") - 1)
    first = chain.first
    whole = float(first[:i].sum())
    if i < first.size and first[i]:
        whole += (min(spend, chain.total) - chain.cum_cost[i]) / chain.cost[i]
    return whole


# Enough steps of `counted_lp`'s search for any roster here (it stops within its tolerance long
# before); past them, the best price found still gives a valid bound.
_MAX_CUTS = 60


class _Infeasible(Exception):
    pass
