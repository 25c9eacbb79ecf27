"""Dantzig's bound: items in order of value per cent, bought in that order.

The LP relaxation of a knapsack is solved by buying items by falling value per cent until the
money runs out, the last one fractionally (Dantzig, 1957). A `DantzigChain` keeps the cumulative
costs and values of such an order so that the LP value of any spend, its slope and its solution
are one binary search each, for many spends at once. Posts of one influencer are worth less and
less at the same price, so a chain of posts always buys them in post order.
"""

from __future__ import annotations

from typing import Self

import numpy as np

from planner.kernels import macro_bounds
from planner.model import PostItems


class DantzigChain:
    """Items in the given order (falling value per cent), with cumulative cost and value."""

    def __init__(self, cost: np.ndarray, value: np.ndarray, idx: np.ndarray | None = None) -> None:
        self.idx = np.arange(cost.size) if idx is None else idx  # item index of each link
        self.cost = np.asarray(cost)
        self.value = np.asarray(value, dtype=float)
        self.cum_cost = np.concatenate([[0], np.cumsum(self.cost)])
        self.cum_value = np.concatenate([[0.0], np.cumsum(self.value)])
        self.ratio = np.concatenate([self.value / np.maximum(self.cost, 1), [0.0]])
        self.total = int(self.cum_cost[-1])

    @classmethod
    def of_cumulative(
        cls,
        cost: np.ndarray,
        value: np.ndarray,
        idx: np.ndarray,
        cum_cost: np.ndarray,
        cum_value: np.ndarray,
        ratio: np.ndarray,
    ) -> Self:
        """The chain of arrays worked out already, as `__init__` works them out (`cum_cost` and
        `cum_value` with a leading 0, `ratio` with a trailing 0): not worked out again."""
        chain = cls.__new__(cls)
        chain.idx, chain.cost, chain.value = idx, cost, value
        chain.cum_cost, chain.cum_value, chain.ratio = cum_cost, cum_value, ratio
        chain.total = int(cum_cost[-1])
        return chain

    @classmethod
    def of_items(cls, items: PostItems, value: np.ndarray, mask: np.ndarray) -> DantzigChain:
        """The chain of the posts in `mask`, by engagement per cent, ties in post order."""
        idx = np.flatnonzero(mask)
        idx = idx[np.lexsort((items.k[idx], -(value[idx] / items.cost[idx])))]
        return cls(items.cost[idx], value[idx], idx)

    def _link(self, spend: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.cum_cost, spend, side="right") - 1

    def value_at(self, spend: np.ndarray | float) -> np.ndarray:
        """LP value of spending `spend` (clipped to [0, total]) on this chain."""
        # (np.minimum of np.maximum: what np.clip gives, without its checks of the bounds'
        # types, which took most of a call on the few spends the searches ask for)
        spend = np.minimum(np.maximum(spend, 0), self.total)
        i = self._link(spend)
        return self.cum_value[i] + (spend - self.cum_cost[i]) * self.ratio[i]

    def slope_above(self, spend: np.ndarray | float) -> np.ndarray:
        """Value per cent of the next cent after `spend` (0 when everything is bought)."""
        return self.ratio[self._link(spend)]

    def slope_below(self, spend: np.ndarray) -> np.ndarray:
        """Value per cent of the last cent up to `spend` (infinite at 0)."""
        i = np.searchsorted(self.cum_cost, spend, side="left") - 1
        return np.where(spend > 0, self.ratio[np.maximum(i, 0)], np.inf)

    def fill(self, spend: float, y: np.ndarray) -> None:
        """Write the LP solution of spending `spend` into `y` (indexed by item)."""
        spend = min(max(spend, 0.0), self.total)
        i = int(self._link(spend))
        y[self.idx[:i]] = 1.0
        if i < self.idx.size:
            y[self.idx[i]] = (spend - self.cum_cost[i]) / self.cost[i]

    def macro_bound(
        self,
        cost: np.ndarray,
        value: np.ndarray,
        micro: DantzigChain,
        budget: int,
        mmin: int,
        mmax: int,
    ) -> np.ndarray:
        """LP bound of macro states when this chain is the macro posts still to decide: each
        state spends as much more on macro as the band allows, when that is the LP's choice
        (the next macro cent earns at least the last micro cent); NaN where it is not (the
        caller uses another bound), -inf where the band's bottom is out of reach."""
        return macro_bounds(
            np.asarray(cost, dtype=np.int64),
            np.asarray(value, dtype=np.float64),
            self.cum_cost,
            self.cum_value,
            self.ratio,
            micro.cum_cost,
            micro.cum_value,
            micro.ratio,
            int(budget),
            int(mmin),
            int(mmax),
        )
