"""The campaign that will really happen: offers in rounds, declines, backups and bookings.

A plan says which posts to buy if every offer is accepted. A marketer sends offers, some are
declined, and they go to their backups until the budget is booked. This module models that:

- The **outreach list** (`Offers`): the plan's influencers first, then backups, each with the
  posts they are offered. Which plan and which backups is the **strategy** (`STRATEGIES`).
- **Rounds** (`Assumptions.rounds`, default 3). In each round the marketer goes down the list
  from where the last round stopped and sends offers while the offers' expected acceptances
  (reply rate x price) fit in the budget still open; an offer that could not be booked at all
  (its price is above what is open, or it would break the macro share's maximum or a cap) is
  passed over. Each offer is accepted with its reply rate. Accepted offers come back in random
  order and are booked while the budget (and the macro share's maximum and the caps) allow; one
  that no longer fits is declined by the marketer and costs nothing. What is unspent after the
  last round stays unspent.
- The **simulation** (`simulate_outreach`) draws that process many times (one campaign after
  another, in a loop compiled by numba: `_draw_outreach`), with the per-post spread and the
  campaign-wide shock of `planner.risk`.

The engagement of what is booked: given the offers a draw books, each tier's total is drawn as
one lognormal with exactly the mean and variance of the sum of their posts (Fenton-Wilkinson,
as `planner.risk.simulate_posts` does per influencer), times the shared shock. Means are exact;
the spread of a tier's total is matched in its first two moments.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numba import njit

from planner.compiled import NO_CAP, compiled
from planner.model import first_post_engagement, posts_allowed, to_cents
from planner.plan import BandPoint, Plan, make_plan, plan_of, split_points
from planner.risk import (
    CURVE_DRAWS,
    DRAWS,
    SEED,
    Assumptions,
    Draws,
    plan_posts,
    reply_rates,
    spreads,
    stratified_normals,
)
from planner.roster import Roster
from planner.settings import Campaign, SettingsError

Strategy = Literal["expected", "reply_weighted", "plan"]
BackupOrder = Literal["per_dollar", "reply_weighted"]

# The strategies, as the page and the CLI name them. docs/outreach.md has the measurement that
# chose the default.
STRATEGIES: dict[Strategy, str] = {
    "expected": "planned for expected acceptances (each offer counted at its reply rate in the "
    "objective and in the budget), then backups",
    "reply_weighted": "planned for reply-weighted engagement (full prices in the budget), then "
    "backups",
    "plan": "planned as if every offer were accepted, then backups",
}
DEFAULT_STRATEGY: Strategy = "expected"
Candidate = Literal["mix", "all micro", "band"]
# The plans `forecast` chooses between (docs/outreach.md has why and what it changes).
CANDIDATES: dict[Candidate, str] = {
    "mix": "the plan for the campaign's macro share band",
    "all micro": "the all-micro plan (the split curve's 0% point), which earned more after "
    "declines and backups than the plan for the campaign's macro share band",
    "band": "the plan for one band of the split curve inside the campaign's macro share band, "
    "which earned more after declines and backups than the plan for the whole band",
}
BACKUP_ORDERS: dict[BackupOrder, str] = {
    "per_dollar": "engagement per dollar of the offer",
    "reply_weighted": "reply-weighted engagement per dollar of the offer",
}
DEFAULT_BACKUP_ORDER: BackupOrder = "reply_weighted"
# "The budget was filled": at least this share of it booked.
FILLED = 0.99


# ---------------------------------------------------------------- the outreach list
@dataclass(frozen=True)
class Offers:
    """The outreach list, in contact order: one offer per influencer (arrays of one length)."""

    rows: np.ndarray  # int64, the influencer's row in the roster table
    posts: np.ndarray  # int64, posts offered
    cost: np.ndarray  # int64 cents, what the offer costs if booked
    value: np.ndarray  # float64, expected engagements if booked
    variance: np.ndarray  # float64, variance of those engagements (the per-post spread)
    reply: np.ndarray  # float64, chance the offer is accepted
    macro: np.ndarray  # bool
    in_plan: np.ndarray  # bool: the plan's offers (first), then backups

    @property
    def size(self) -> int:
        return int(self.rows.size)

    def head(self, n: int) -> Offers:
        """The first `n` offers only (a shorter list of backups)."""
        return Offers(*(getattr(self, f.name)[:n] for f in dataclasses.fields(self)))


@dataclass(frozen=True)
class ListRows:
    """The columns of a roster an outreach list is made from, read once (`of`) for the many
    lists a forecast and its split curve make from one roster."""

    value1: np.ndarray  # first-post engagement
    price: np.ndarray  # dollars a post
    cents: np.ndarray  # the price in whole cents, as floats
    reply: np.ndarray
    spread: np.ndarray
    macro: np.ndarray  # bool
    own_posts: np.ndarray  # the row's own post limit, NaN where it has none

    @classmethod
    def of(cls, table: pd.DataFrame, assumptions: Assumptions | None = None) -> ListRows:
        price = table["cost_per_post"].to_numpy(dtype=float)
        nothing = np.zeros(len(table))
        return cls(
            value1=first_post_engagement(table),
            price=price,
            cents=np.rint(price * 100),
            reply=nothing if assumptions is None else reply_rates(table, assumptions),
            spread=nothing if assumptions is None else spreads(table, assumptions),
            macro=(table["tier"] == "macro").to_numpy(dtype=bool),
            own_posts=table["max_posts"].to_numpy(dtype=float, na_value=np.nan),
        )

    def allowed(self, campaign: Campaign) -> np.ndarray:
        """Each row's own post limit, or the campaign's (`planner.model.posts_allowed`)."""
        own = self.own_posts
        return np.where(np.isnan(own), campaign.max_posts, own).astype(np.int64)

    def bookable(self, campaign: Campaign, posts: np.ndarray) -> np.ndarray:
        """`bookable_posts` of these rows."""
        budget = to_cents(campaign.budget)
        top = min(budget, int(math.floor(campaign.macro_share_max * budget + 1e-6)))
        room = np.where(self.macro, top, budget)
        fit = np.floor(room / np.where(self.cents > 0, self.cents, 1)).astype(np.int64)
        if campaign.max_macro == 0:
            fit[self.macro] = 0
        if campaign.max_influencers == 0:
            fit[:] = 0
        return np.minimum(np.asarray(posts, dtype=np.int64), fit)


def bookable_posts(table: pd.DataFrame, campaign: Campaign, posts: np.ndarray) -> np.ndarray:
    """`posts` per roster row, cut to what could ever be booked at full price in `campaign`:
    no more posts than fit in the budget (and, for a macro influencer, in the macro share's
    top), none for a macro influencer when no macro influencer may be booked, and none at all
    when no influencer may be. An offer that could never be booked is never worth sending."""
    return ListRows.of(table).bookable(campaign, posts)


def expected_acceptance_roster(
    roster: Roster, assumptions: Assumptions, campaign: Campaign
) -> Roster:
    """The roster with each price replaced by its expected cost (price x reply rate): planned
    with reply-weighted engagement (`reply_weighted_engagement`), the budget row and the macro
    share count each offer at its expected acceptance. Rows that never reply drop out, and no
    row is offered more posts than could be booked at full price (`bookable_posts`)."""
    table = roster.table
    reply = reply_rates(table, assumptions)
    price = table["cost_per_post"].to_numpy(dtype=float)
    posts = bookable_posts(table, campaign, posts_allowed(table, campaign))
    table = table.assign(
        cost_per_post=price * reply,
        max_posts=pd.array(posts, dtype="Int64"),
    )
    return dataclasses.replace(roster, table=table)


def strategy_plan(
    roster: Roster, campaign: Campaign, assumptions: Assumptions, strategy: Strategy
) -> Plan:
    """The certified optimal plan a strategy starts its outreach list from.

    "plan": engagement if every offer is accepted, prices in the budget (today's headline plan);
    "reply_weighted": reply-weighted engagement, prices in the budget; "expected": reply-weighted
    engagement with the budget row at expected cost (its `spend` is the expected spend of the
    offers, and the offers' full prices add up to more than the budget: backups are not needed
    for the declines it expects)."""
    _check_strategy(strategy)
    if strategy == "plan":
        return make_plan(roster, campaign)
    weights = first_post_engagement(roster.table) * reply_rates(roster.table, assumptions)
    if strategy == "reply_weighted":
        return make_plan(roster, campaign, first_value=weights)
    plan = make_plan(
        expected_acceptance_roster(roster, assumptions, campaign), campaign, first_value=weights
    )
    # Say why in terms of the roster as it is: the expected-acceptance roster gives a post
    # limit of 0 to every offer that could never be booked (`bookable_posts`), so its own
    # reasons would blame the rows ("no influencer can post ... a post limit of 0") when the
    # budget or a limit is what keeps them out.
    if plan.status == "infeasible" or plan.booked_nothing:
        plain = make_plan(roster, campaign)
        if plain.status == "infeasible":
            return plain
        if plan.booked_nothing and plain.booked_nothing:
            return dataclasses.replace(plan, message=plain.message)
    return plan


def _check_strategy(strategy: str) -> None:
    if strategy not in STRATEGIES:
        raise SettingsError(
            [f"The outreach strategy must be one of {', '.join(STRATEGIES)} (got {strategy!r})."]
        )


def _post_sums(value1: np.ndarray, decay: float, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum of n decaying posts' expected engagement, and of their squares, per row."""
    n = n.astype(float)
    if decay == 1:
        return value1 * n, value1 * value1 * n
    d2 = decay * decay
    return value1 * (1 - decay**n) / (1 - decay), value1 * value1 * (1 - d2**n) / (1 - d2)


def offers_from_posts(
    roster: Roster,
    campaign: Campaign,
    assumptions: Assumptions,
    posts: np.ndarray,
    *,
    backup_order: BackupOrder = DEFAULT_BACKUP_ORDER,
    rows: ListRows | None = None,
) -> Offers:
    """The outreach list for a plan given as posts per roster row: the plan's influencers first
    (largest reply-weighted engagement first), then every other influencer who could be booked,
    as a backup. A backup is offered the posts that earn at least the plan's last post per dollar
    (at least one); backups are ranked by `backup_order` (ties by roster order). `rows`: the
    roster's columns (`ListRows.of(roster.table, assumptions)`), when the caller has them."""
    if rows is None:
        rows = ListRows.of(roster.table, assumptions)
    # An offer that could never be booked (too dear for the budget, the macro share's top or
    # the caps) is left out, or cut to the posts that could be booked.
    posts = rows.bookable(campaign, posts)
    value1, price, reply = rows.value1, rows.price, rows.reply
    decay = campaign.decay
    in_plan = posts > 0
    earn, _ = _post_sums(value1, decay, posts)
    plan_rows = np.flatnonzero(in_plan)
    plan_rows = plan_rows[np.argsort(-(reply[plan_rows] * earn[plan_rows]), kind="stable")]

    # The plan's last post per dollar: backups are offered the posts that earn at least that.
    last = value1[plan_rows] * decay ** (posts[plan_rows] - 1.0) / price[plan_rows]
    cutoff = float(last.min()) if last.size else math.inf
    allowed = rows.bookable(campaign, rows.allowed(campaign))
    candidate = ~in_plan & (allowed > 0) & (value1 > 0) & (price > 0) & (reply > 0)
    n = np.where(candidate, 1, 0).astype(np.int64)
    for k in range(1, int(allowed[candidate].max(initial=1))):
        more = candidate & (n == k) & (k < allowed)
        more &= value1 * decay**k / np.where(price > 0, price, 1.0) >= cutoff
        n += more
    gain, _ = _post_sums(value1, decay, n)
    backup_rows = np.flatnonzero(candidate)
    score = gain[backup_rows] / (price[backup_rows] * n[backup_rows])
    if backup_order == "reply_weighted":
        score = score * reply[backup_rows]
    elif backup_order != "per_dollar":
        raise SettingsError(
            [f"The backup order must be one of {', '.join(BACKUP_ORDERS)} (got {backup_order!r})."]
        )
    backup_rows = backup_rows[np.argsort(-score, kind="stable")]

    order = np.concatenate([plan_rows, backup_rows])
    offered = np.where(in_plan, posts, n)[order]
    total, square = _post_sums(value1[order], decay, offered)
    return Offers(
        rows=order,
        posts=offered,
        cost=rows.cents.astype(np.int64)[order] * offered,
        value=total,
        variance=rows.spread[order] ** 2 * square,
        reply=reply[order],
        macro=rows.macro[order],
        in_plan=np.arange(order.size) < plan_rows.size,
    )


def posts_per_row(roster: Roster, plan: Plan) -> np.ndarray:
    """The plan's posts for each roster row (0 where it has none)."""
    owner, _k = plan_posts(roster, plan)
    return np.bincount(owner, minlength=len(roster.table)).astype(np.int64)


def outreach_offers(
    roster: Roster,
    campaign: Campaign,
    assumptions: Assumptions,
    *,
    strategy: Strategy = DEFAULT_STRATEGY,
    backup_order: BackupOrder = DEFAULT_BACKUP_ORDER,
) -> tuple[Plan, Offers]:
    """A strategy's certified plan and its outreach list (empty when there is no plan)."""
    plan = strategy_plan(roster, campaign, assumptions, strategy)
    posts = (
        posts_per_row(roster, plan)
        if plan.has_plan
        else np.zeros(len(roster.table), dtype=np.int64)
    )
    if not plan.has_plan:
        return plan, offers_from_posts(roster, campaign, assumptions, posts).head(0)
    return plan, offers_from_posts(roster, campaign, assumptions, posts, backup_order=backup_order)


# ---------------------------------------------------------------- random numbers
# One uniform per draw and offer decides whether the offer is accepted (below its reply rate).
# It is a function of (seed, draw, offer) alone: SplitMix64's output for the counter
# draw * 2**32 + offer (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
# OOPSLA 2014; Java's SplittableRandom), so a draw's answers do not depend on how far down the
# list it or any other draw went, and two lists that share their first offers share their luck
# there. The order answers come back in is drawn from a second stream the same way.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 2.0**-53
_UNITS = 2.0**53  # a uniform u is below a rate r when its 53 bits are below ceil(r * 2**53)
_SHIFT = np.uint64(11)


@njit(nogil=True, inline="always")
def _mix(z: np.uint64) -> np.uint64:  # pragma: no cover (compiled)
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@njit(nogil=True, inline="always")
def _bits(key: np.uint64, draw: int, index: int) -> np.uint64:  # pragma: no cover (compiled)
    """The 53 random bits of `index` (an offer, or a step) in `draw`, of the stream `key`."""
    counter = (np.uint64(draw) << np.uint64(32)) | np.uint64(index)
    return _mix(key + counter * _GOLDEN) >> _SHIFT


@njit(nogil=True, inline="always")
def _uniform(key: np.uint64, draw: int, index: int) -> float:  # pragma: no cover (compiled)
    """The uniform in [0, 1) of `index` in `draw`, of the stream `key` (its `_bits`)."""
    return float(_bits(key, draw, index)) * _TO_UNIT


def _stream(seed: int, purpose: int) -> np.uint64:
    """The key of one of a seed's streams (3: the answers, 5: the order they come back in;
    2 and 4 are the normals of `_shock` and of the tiers' totals)."""
    return np.uint64(np.random.SeedSequence([seed, purpose]).generate_state(1, np.uint64)[0])


def _shock(seed: int, draws: int, cv: float) -> np.ndarray:
    """The campaign-wide multiplier, from the same stream as `planner.risk.simulate`'s."""
    if cv <= 0:
        return np.ones(draws)
    normal = stratified_normals(seed, 2, 1, draws)[0]
    sigma = math.sqrt(math.log1p(cv * cv))
    return np.exp(normal * sigma - sigma * sigma / 2)


# ---------------------------------------------------------------- the simulation
@dataclass(frozen=True)
class OutreachOutcome(Draws):
    """Simulated campaigns after declines and backups: one value per draw, and per offer of the
    list how often it was sent and booked."""

    engagement: np.ndarray
    micro: np.ndarray
    macro: np.ndarray
    spend: np.ndarray  # dollars booked
    macro_spend: np.ndarray
    booked: np.ndarray  # influencers booked
    contacted: np.ndarray  # offers sent
    contact_rate: np.ndarray  # per offer: share of draws in which it was sent
    booking_rate: np.ndarray  # per offer: share of draws in which it was booked
    budget: float
    rounds: int

    @property
    def filled(self) -> float:
        """Share of draws that booked at least FILLED of the budget."""
        return float(np.mean(self.spend >= FILLED * self.budget - 0.005)) if self.draws else 0.0

    def summary(self, target: float | None = None) -> dict[str, object]:
        """The figures the page, the CLI and the report show, in one dictionary."""

        def ranges(values: np.ndarray) -> dict[str, float]:
            if not values.size:
                return {"mean": 0.0, "p10": 0.0, "p50": 0.0, "p90": 0.0}
            p10, p50, p90 = np.quantile(values, [0.1, 0.5, 0.9])
            return {
                "mean": float(values.mean()),
                "p10": float(p10),
                "p50": float(p50),
                "p90": float(p90),
            }

        return {
            "draws": self.draws,
            "rounds": self.rounds,
            **ranges(self.engagement),
            "by_tier": {"micro": ranges(self.micro), "macro": ranges(self.macro)},
            "mean_spend": float(self.spend.mean()) if self.draws else 0.0,
            "spend": ranges(self.spend),
            "mean_macro_spend": float(self.macro_spend.mean()) if self.draws else 0.0,
            "budget": self.budget,
            "budget_filled": self.filled,
            "mean_booked": float(self.booked.mean()) if self.draws else 0.0,
            "mean_contacted": float(self.contacted.mean()) if self.draws else 0.0,
            "p90_contacted": float(np.quantile(self.contacted, 0.9)) if self.draws else 0.0,
            "target": target,
            "probability_of_target": None if target is None else self.probability(target),
        }


# A price no offer has: the trees' leaves that hold no offer of their kind.
_NO_OFFER = np.iinfo(np.int64).max


def _price_tree(cost: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """A minimum tree over the prices of the offers in `keep` (the others priced `_NO_OFFER`):
    node 1 is the root, node i's children are 2i and 2i + 1, and the leaves (offer r at
    `leaves + r`, `leaves` = the tree's size / 2, a power of two) hold the prices. It finds the
    next offer a draw can pay for in a number of steps that grows with the list's length's
    logarithm (`_next_within`), where going down the list one offer at a time grows with it."""
    leaves = 1 << max(int(cost.size - 1).bit_length(), 0)
    tree = np.full(2 * leaves, _NO_OFFER, dtype=np.int64)
    tree[leaves : leaves + cost.size] = np.where(keep, cost, _NO_OFFER)
    for level in range(leaves.bit_length() - 1, 0, -1):
        lo, hi = 1 << (level - 1), 1 << level
        tree[lo:hi] = np.minimum(tree[2 * lo : 2 * hi : 2], tree[2 * lo + 1 : 2 * hi : 2])
    return tree


@njit(nogil=True, inline="always")
def _next_within(tree: np.ndarray, start: int, limit: int) -> int:  # pragma: no cover (compiled)
    """The first offer from `start` on whose price in `tree` (`_price_tree`) is at most
    `limit`, or -1."""
    leaves = tree.size // 2
    if start >= leaves:
        return -1
    node = leaves + start
    while tree[node] > limit:  # up to the first subtree on the right that holds one
        while node & 1:  # a right child: its parent's right neighbour is next
            node >>= 1
            if node <= 1:
                return -1
        node += 1
    while node < leaves:  # down to its leftmost offer within the limit
        node *= 2
        if tree[node] > limit:
            node += 1
    return node - leaves


@compiled
def _send(  # pragma: no cover (compiled)
    listed: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    trees: tuple[np.ndarray, np.ndarray],
    caps: tuple[int, int],
    booked: tuple[int, int, int, int],
    pointer: int,
    sent: np.ndarray,
) -> tuple[int, int]:
    """One round's offers: down the list from `pointer`, each offer that could be booked now,
    while the round's expected acceptances (spend, and under caps count and macro spend) fit in
    what is open. `listed`: the list's (cost, expected cost, reply rate, macro) arrays; `trees`:
    the micro and the macro offers' price trees (`_price_tree`), which skip the offers that
    cannot be paid for now; `caps`: (max macro, max influencers), -1 for none; `booked`: the
    draw's (open, macro room, influencers, macro influencers). Writes the offers to `sent`;
    returns how many, and where the next round starts (the first that did not fit; the list's
    end when none is left that could be booked now, or later: what is open only shrinks)."""
    cost, expected, reply, macro = listed
    micro_prices, macro_prices = trees
    max_macro, max_influencers = caps
    open_, room, count, macro_count = booked
    size = cost.size
    if count == max_influencers:
        return 0, size
    will_spend, will_count, will_macro, will_macro_spend = 0.0, 0.0, 0.0, 0.0
    n_sent = 0
    # Down the list one offer after another while each could be booked now; past one that
    # could not, the price trees find the next that could, of either kind (-1: none left).
    macro_open = macro_count != max_macro
    macro_limit = min(open_, room)
    row = pointer
    while row < size:
        is_macro = macro[row]
        if cost[row] > (macro_limit if is_macro else open_) or (is_macro and not macro_open):
            next_micro = _next_within(micro_prices, row + 1, open_)
            next_macro = _next_within(macro_prices, row + 1, macro_limit) if macro_open else -1
            if next_macro == -1 or (next_micro != -1 and next_micro < next_macro):
                row = next_micro
            else:
                row = next_macro
            if row == -1:
                break
            continue
        will_spend += expected[row]
        will_count += reply[row]
        if is_macro:
            will_macro += reply[row]
            will_macro_spend += expected[row]
        if (
            will_spend > open_
            or (max_influencers != -1 and will_count > max_influencers - count + 1e-9)
            or (max_macro != -1 and will_macro > max_macro - macro_count + 1e-9)
            or will_macro_spend > room
        ):
            return n_sent, row
        sent[n_sent] = row
        n_sent += 1
        row += 1
    return n_sent, size


_BLOCK = 512  # draws at a time in `_first_round` (their running totals stay in the L1 cache)


@compiled
def _first_round(  # pragma: no cover (compiled)
    first: np.ndarray,
    cost: np.ndarray,
    macro: np.ndarray,
    value: np.ndarray,
    variance: np.ndarray,
    threshold: np.ndarray,
    caps: tuple[int, int, int, int],
    key: np.uint64,
    first_draw: int,
    draws: int,
    booked_per_offer: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The first round of every draw whose answers all fit together (none is declined for want
    of room, so the order they come back in does not matter), worked out offer by offer across
    the draws at once. `first`: the round's offers; `caps`: (budget, macro room, max macro, max
    influencers); the draws are `first_draw` to `first_draw + draws`. Returns the draws it
    worked out (in order, numbered from 0 for `first_draw`) and, for each of them, the cents
    and the macro cents booked, the influencers and the macro influencers booked, and the
    engagement and its variance booked (micro, macro, micro's variance, macro's: a 4 x n
    array, each summed in the list's order as `_draw_outreach` sums it); adds their bookings to
    `booked_per_offer`. The other draws are left to `_draw_outreach`."""
    budget, macro_max, max_macro, max_influencers = caps
    spend = np.zeros(draws, dtype=np.int64)
    macro_spend = np.zeros(draws, dtype=np.int64)
    n_booked = np.zeros(draws, dtype=np.int64)
    n_macro = np.zeros(draws, dtype=np.int64)
    # (Each block's totals as views indexed from 0: LLVM vectorizes those loops, across the
    # draws, and not the loops indexing the whole arrays from the block's start.)
    for start in range(0, draws, _BLOCK):
        end = min(start + _BLOCK, draws)
        block_booked, block_spend = n_booked[start:end], spend[start:end]
        block_macro, block_macro_spend = n_macro[start:end], macro_spend[start:end]
        base = np.uint64(first_draw + start)
        for row in first:
            limit, price, index = threshold[row], cost[row], np.uint64(row)
            if macro[row]:
                for i in range(end - start):
                    counter = ((base + np.uint64(i)) << np.uint64(32)) | index
                    yes = np.int64((_mix(key + counter * _GOLDEN) >> _SHIFT) < limit)
                    block_booked[i] += yes
                    block_spend[i] += price * yes
                    block_macro[i] += yes
                    block_macro_spend[i] += price * yes
            else:
                for i in range(end - start):
                    counter = ((base + np.uint64(i)) << np.uint64(32)) | index
                    yes = np.int64((_mix(key + counter * _GOLDEN) >> _SHIFT) < limit)
                    block_booked[i] += yes
                    block_spend[i] += price * yes
    fits = (spend <= budget) & (macro_spend <= macro_max)
    if max_macro != -1:
        fits &= n_macro <= max_macro
    if max_influencers != -1:
        fits &= n_booked <= max_influencers
    done = np.flatnonzero(fits)
    n = done.size
    # The engagement booked, in the list's order: an offer declined adds +0.0, which leaves a
    # sum of non-negative numbers (never -0.0) as it was.
    sums = np.zeros((4, n))
    for start in range(0, n, _BLOCK):
        end = min(start + _BLOCK, n)
        which = done[start:end]
        for row in first:
            limit, worth, spread = threshold[row], value[row], variance[row]
            tier = 1 if macro[row] else 0
            values, spreads = sums[tier, start:end], sums[2 + tier, start:end]
            index = np.uint64(row)
            hits = 0
            for i in range(end - start):
                counter = (np.uint64(first_draw + which[i]) << np.uint64(32)) | index
                yes = (_mix(key + counter * _GOLDEN) >> _SHIFT) < limit
                hits += np.int64(yes)
                values[i] += worth if yes else 0.0
                spreads[i] += spread if yes else 0.0
            booked_per_offer[row] += hits
    return done, spend[done], macro_spend[done], np.stack((n_booked[done], n_macro[done])), sums


@compiled
def _draw_outreach(  # pragma: no cover (compiled; tests/test_outreach.py checks it against a loop)
    cost: np.ndarray,
    expected: np.ndarray,
    reply: np.ndarray,
    macro: np.ndarray,
    value: np.ndarray,
    variance: np.ndarray,
    micro_prices: np.ndarray,
    macro_prices: np.ndarray,
    budget: int,
    macro_max: int,
    max_macro: int,
    max_influencers: int,
    rounds: int,
    key: np.uint64,
    order_key: np.uint64,
    first_draw: int,
    spent: np.ndarray,
    macro_spent: np.ndarray,
    booked: np.ndarray,
    macro_booked: np.ndarray,
    contacted: np.ndarray,
    sums: np.ndarray,
    sent_per_offer: np.ndarray,
    booked_per_offer: np.ndarray,
) -> None:
    """The outreach of one list, drawn `spent.size` times, one campaign after another (the
    module's docstring has the process), the draws numbered from `first_draw` (each draw's
    random numbers are its number's: draws 0 to n drawn in parts are the same draws). Fills the
    per-draw arrays, indexed from 0 for `first_draw` (cents and counts booked, offers sent;
    `sums`: engagement and its variance booked, micro then macro) and adds to the per-offer
    counts."""
    size, draws = cost.size, spent.size
    # Every draw starts the same: its first round's offers are the same.
    first = np.empty(size, dtype=np.int64)
    listed = (cost, expected, reply, macro)
    trees = (micro_prices, macro_prices)
    caps = (max_macro, max_influencers)
    n_first, first_stop = _send(listed, trees, caps, (budget, macro_max, 0, 0), 0, first)
    for row in first[:n_first]:
        sent_per_offer[row] += draws
    sent = np.empty(size, dtype=np.int64)
    answered = np.empty(size, dtype=np.int64)
    accepted = np.empty(size, dtype=np.uint8)  # (as numbers: bools cost a branch each)
    threshold = np.empty(size, dtype=np.uint64)
    for row in range(size):
        threshold[row] = np.uint64(math.ceil(reply[row] * _UNITS))
    # The draws whose first round's answers all fit, that round worked out for all at once.
    if n_first > 0:
        done, done_spend, done_macro_spend, done_counts, done_sums = _first_round(
            first[:n_first],
            cost,
            macro,
            value,
            variance,
            threshold,
            (budget, macro_max, max_macro, max_influencers),
            key,
            first_draw,
            draws,
            booked_per_offer,
        )
    else:  # (no offer can be sent: every draw stops in its first round)
        done = np.empty(0, dtype=np.int64)
        done_spend, done_macro_spend = done, done
        done_counts, done_sums = np.empty((2, 0), dtype=np.int64), np.empty((4, 0))
    next_done = 0
    for draw in range(draws):
        number = first_draw + draw  # (its random numbers, whichever part of the draws it is in)
        open_, room, count, macro_count, pointer, sent_in_all = budget, macro_max, 0, 0, 0, 0
        turn = 0  # the draw's shuffle steps so far (the order answers come back in)
        micro_value, macro_value, micro_var, macro_var = 0.0, 0.0, 0.0, 0.0
        macro_cents = 0
        first_round = 0
        if next_done < done.size and done[next_done] == draw:
            k = next_done
            next_done += 1
            open_ -= done_spend[k]
            room -= done_macro_spend[k]
            macro_cents = done_macro_spend[k]
            count, macro_count = done_counts[0, k], done_counts[1, k]
            micro_value, macro_value = done_sums[0, k], done_sums[1, k]
            micro_var, macro_var = done_sums[2, k], done_sums[3, k]
            pointer, sent_in_all, first_round = first_stop, n_first, 1
        for round_ in range(first_round, rounds):
            if round_ == 0:
                offers, n_sent, pointer = first, n_first, first_stop
            else:
                if pointer >= size:
                    break
                offers = sent
                n_sent, pointer = _send(
                    listed, trees, caps, (open_, room, count, macro_count), pointer, sent
                )
                for j in range(n_sent):
                    sent_per_offer[sent[j]] += 1
            if n_sent == 0:
                break
            sent_in_all += n_sent
            # Answers: each offer accepted with its reply rate (its uniform below the rate, in
            # integers: the uniform's 53 bits below the rate's `threshold`). Two passes: the
            # coin tosses first, independent of each other (the CPU works on several at once),
            # then the accepted ones listed, without branches (whether an offer is accepted
            # is a coin toss for the CPU too).
            # (Usually the round's offers are the list's next ones, one after another: then
            # offer j is row `base + j`, and these loops read the arrays in order, without
            # looking each offer up.)
            base = offers[0]
            ordered = offers[n_sent - 1] - base == n_sent - 1
            if ordered:
                for j in range(n_sent):
                    accepted[j] = _bits(key, number, base + j) < threshold[base + j]
            else:
                for j in range(n_sent):
                    row = offers[j]
                    accepted[j] = _bits(key, number, row) < threshold[row]
            n_answered, all_spend, all_macro_spend, all_macro = 0, 0, 0, 0
            if ordered:
                for j in range(n_sent):
                    row = base + j
                    yes = np.int64(accepted[j])
                    answered[n_answered] = row
                    n_answered += yes
                    all_spend += cost[row] * yes
                    yes_macro = yes * macro[row]
                    all_macro_spend += cost[row] * yes_macro
                    all_macro += yes_macro
            else:
                for j in range(n_sent):
                    row = offers[j]
                    yes = np.int64(accepted[j])
                    answered[n_answered] = row
                    n_answered += yes
                    all_spend += cost[row] * yes
                    yes_macro = yes * macro[row]
                    all_macro_spend += cost[row] * yes_macro
                    all_macro += yes_macro
            # Bookings in the order the answers come back, each while it fits; one that no
            # longer fits is declined. That order is a uniformly random permutation (an
            # accepted answer's time, its uniform / its reply rate, is uniform on [0, 1)
            # whatever the offer), drawn from its end (Fisher-Yates): the last answer, then
            # the one before, ... until the answers not drawn yet fit together. Those come
            # first, so they are all booked whatever their order among themselves; the drawn
            # ones follow in their order, each booked if it still fits. (When all the answers
            # fit, none is drawn.)
            head, head_spend, head_macro_spend, head_macro = (
                n_answered,
                all_spend,
                all_macro_spend,
                all_macro,
            )
            while head > 0 and not (
                head_spend <= open_
                and head_macro_spend <= room
                and (max_macro == -1 or macro_count + head_macro <= max_macro)
                and (max_influencers == -1 or count + head <= max_influencers)
            ):
                pick = int(_uniform(order_key, number, turn) * head)
                turn += 1
                head -= 1
                row = answered[pick]
                answered[pick] = answered[head]
                answered[head] = row
                head_spend -= cost[row]
                if macro[row]:
                    head_macro_spend -= cost[row]
                    head_macro -= 1
            # The answers that fit together (the first `head`): all booked, no checks.
            for j in range(head):
                row = answered[j]
                price = cost[row]
                is_macro = macro[row]
                booked_per_offer[row] += 1
                if is_macro:
                    room -= price
                    macro_count += 1
                    macro_cents += price
                    macro_value += value[row]
                    macro_var += variance[row]
                else:
                    micro_value += value[row]
                    micro_var += variance[row]
            open_ -= head_spend
            count += head
            for j in range(head, n_answered):
                row = answered[j]
                price, is_macro = cost[row], macro[row]
                if (
                    price > open_
                    or (is_macro and (price > room or macro_count == max_macro))
                    or count == max_influencers
                ):
                    continue
                open_ -= price
                count += 1
                booked_per_offer[row] += 1
                if is_macro:
                    room -= price
                    macro_count += 1
                    macro_cents += price
                    macro_value += value[row]
                    macro_var += variance[row]
                else:
                    micro_value += value[row]
                    micro_var += variance[row]
        spent[draw] = budget - open_
        macro_spent[draw] = macro_cents
        sums[0, draw] = micro_value
        sums[1, draw] = macro_value
        sums[2, draw] = micro_var
        sums[3, draw] = macro_var
        booked[draw] = count
        macro_booked[draw] = macro_count
        contacted[draw] = sent_in_all


# The fewest draws a half of `simulate_outreach(alongside=True)` has: fewer are drawn by the caller
# in one part (the split curve's 500 screening draws a band; the headline's 10,000 are halved).
_HALF_DRAWS = 1_000


@dataclass(frozen=True)
class _Drawn:
    """Some of a simulation's draws (`_draw_outreach`'s arrays): per draw, the cents spent and
    on macro, the influencers and the macro influencers booked and the offers sent; the
    engagement and its variance booked (micro, macro; 4 x draws); per offer, how often it was
    sent and booked."""

    per_draw: tuple[np.ndarray, ...]  # 5 arrays of the draws
    sums: np.ndarray
    per_offer: tuple[np.ndarray, ...]  # 2 arrays of the offers

    @classmethod
    def zeros(cls, draws: int, offers: int) -> _Drawn:
        return cls(
            tuple(np.zeros(draws, dtype=np.int64) for _ in range(5)),
            np.zeros((4, draws)),
            tuple(np.zeros(offers, dtype=np.int64) for _ in range(2)),
        )

    def then(self, later: _Drawn) -> _Drawn:
        """These draws followed by `later`'s (the draws numbered after them)."""
        return _Drawn(
            tuple(np.concatenate(pair) for pair in zip(self.per_draw, later.per_draw, strict=True)),
            np.concatenate((self.sums, later.sums), axis=1),
            tuple(a + b for a, b in zip(self.per_offer, later.per_offer, strict=True)),
        )


def simulate_outreach(
    offers: Offers,
    campaign: Campaign,
    assumptions: Assumptions,
    *,
    draws: int = DRAWS,
    seed: int = SEED,
    alongside: bool = False,
) -> OutreachOutcome:
    """Draw the outreach of `offers` (the module's docstring has the process) `draws` times.
    Seeded: the same arguments give the same draws. Spend never exceeds the budget.

    `alongside`: the second half of the draws is drawn in `_ALONGSIDE` while the caller draws
    the first (the draws are the same: each draw's random numbers are its number's); a half the
    pool has not started when the caller's is done, the pool busy, is drawn by the caller."""
    budget = to_cents(campaign.budget)
    macro_max = min(budget, int(math.floor(campaign.macro_share_max * budget + 1e-6)))
    size = offers.size
    cost = offers.cost.astype(np.int64)
    macro = offers.macro.astype(np.bool_)
    the_list = (
        cost,
        offers.reply * offers.cost,
        offers.reply.astype(np.float64),
        macro.astype(np.uint8),
        offers.value.astype(np.float64),
        offers.variance.astype(np.float64),
        _price_tree(cost, ~macro),
        _price_tree(cost, macro),
        budget,
        macro_max,
        NO_CAP if campaign.max_macro is None else int(campaign.max_macro),
        NO_CAP if campaign.max_influencers is None else int(campaign.max_influencers),
        int(assumptions.rounds),
        _stream(seed, 3),
        _stream(seed, 5),
    )

    def drawn(first: int, n: int) -> _Drawn:
        part = _Drawn.zeros(n, size)
        _draw_outreach(*the_list, first, *part.per_draw, part.sums, *part.per_offer)
        return part

    if not alongside or draws < 2 * _HALF_DRAWS:
        whole = drawn(0, draws)
    else:
        half = draws // 2
        job = _ALONGSIDE.submit(drawn, half, draws - half)
        try:
            head = drawn(0, half)
            whole = head.then(drawn(half, draws - half) if job.cancel() else job.result())
        finally:
            job.cancel()
    spent, macro_spent, booked, _macro_booked, contacted = whole.per_draw
    sent_per_offer, booked_per_offer = whole.per_offer
    sums = whole.sums
    shock = _shock(seed, draws, assumptions.shared_spread)
    normal = stratified_normals(seed, 4, 2, draws)
    tiers = []
    for t in (0, 1):
        mean, variance = sums[t], sums[2 + t]
        safe = np.where(mean > 0, mean, 1.0)
        sigma = np.sqrt(np.log1p(variance / (safe * safe)))
        tiers.append(np.where(mean > 0, mean * np.exp(normal[t] * sigma - sigma * sigma / 2), 0.0))
    micro, macro_total = tiers[0] * shock, tiers[1] * shock
    return OutreachOutcome(
        engagement=micro + macro_total,
        micro=micro,
        macro=macro_total,
        spend=spent / 100,
        macro_spend=macro_spent / 100,
        booked=booked,
        contacted=contacted,
        contact_rate=sent_per_offer / max(draws, 1),
        booking_rate=booked_per_offer / max(draws, 1),
        budget=budget / 100,
        rounds=assumptions.rounds,
    )


def warm() -> None:
    """Compile the simulation's loop, or load it from numba's cache (about 2.5 s, or 0.6 s, of
    one core), on a list of one offer: a process that will simulate calls this first, away from
    the page's path (the app's server when it starts, each curve worker)."""
    one = Offers(
        rows=np.zeros(1, dtype=np.int64),
        posts=np.ones(1, dtype=np.int64),
        cost=np.ones(1, dtype=np.int64),
        value=np.ones(1),
        variance=np.zeros(1),
        reply=np.ones(1),
        macro=np.zeros(1, dtype=bool),
        in_plan=np.ones(1, dtype=bool),
    )
    simulate_outreach(one, Campaign(budget=1.0), Assumptions(), draws=1)


# ---------------------------------------------------------------- what the page shows
@dataclass(frozen=True)
class Forecast:
    """One campaign's honest headline: the strategy's certified plan, its outreach list, the
    simulated outcome after declines and backups, and the plan as if every offer were accepted
    (a secondary figure)."""

    strategy: Strategy
    plan: Plan  # what the optimiser certified (see STRATEGIES for its objective)
    offers: Offers
    outcome: OutreachOutcome
    if_all_accepted: Plan  # the optimal plan if every offer were accepted
    target: float | None
    # Which of the planner's candidates this is (`CANDIDATES`): the plan for the campaign's
    # own macro band, or a band of the split curve inside it (all micro: its 0% point) when
    # that earned more in the same simulated campaigns.
    candidate: Candidate = "mix"
    # The band of macro share (of the budget, as planned) the plan was certified for, when it
    # is not the campaign's own: (0, 0) for all micro, a split curve band otherwise.
    band: tuple[float, float] | None = None
    # The other finalists, simulated the same way, best first.
    others: tuple[Forecast, ...] = ()
    # The realistic split curve and its ranges (`outreach_split_curve`'s frames) the
    # candidates came from, when they were compared.
    curve: tuple[pd.DataFrame, pd.DataFrame] | None = None

    @property
    def other(self) -> Forecast | None:
        """The best of the other finalists, if any."""
        return self.others[0] if self.others else None

    def summary(self) -> dict[str, object]:
        """Every figure of the headline, in one dictionary (the CLI's JSON)."""
        return {
            "strategy": self.strategy,
            "strategy_description": STRATEGIES[self.strategy],
            "candidate": self.candidate,
            "candidate_description": CANDIDATES[self.candidate],
            "candidate_band": None if self.band is None else list(self.band),
            "status": self.plan.status,
            "optimality_gap": self.plan.optimality_gap if self.plan.has_plan else None,
            "if_all_accepted": {
                "status": self.if_all_accepted.status,
                "expected_engagement": self.if_all_accepted.expected_engagement,
                "spend": self.if_all_accepted.spend,
            },
            "outreach_list_length": self.offers.size,
            "plan_offers": int(self.offers.in_plan.sum()),
            **self.outcome.summary(self.target),
        }

    def contact_table(self, roster: Roster) -> pd.DataFrame:
        """The outreach list with how often each offer was sent and booked in the simulation
        (offers never sent are left out)."""
        return contact_table(roster, self.offers, self.outcome)


CONTACT_COLUMNS = [
    "contact_order",
    "role",
    "name",
    "tier",
    "platform",
    "posts",
    "spend",
    "reply_rate",
    "expected_engagement_if_booked",
    "chance_contacted",
    "chance_booked",
]


def contact_table(roster: Roster, offers: Offers, outcome: OutreachOutcome) -> pd.DataFrame:
    """Whom to contact, in order, with the chance each is contacted and booked."""
    table = roster.table
    frame = pd.DataFrame(
        {
            "contact_order": np.arange(1, offers.size + 1),
            "role": np.where(offers.in_plan, "plan", "backup"),
            "name": table["name"].to_numpy(dtype=object)[offers.rows],
            "tier": table["tier"].to_numpy(dtype=object)[offers.rows],
            "platform": table["platform"].to_numpy(dtype=object)[offers.rows],
            "posts": offers.posts,
            "spend": offers.cost / 100,
            "reply_rate": offers.reply,
            "expected_engagement_if_booked": offers.value,
            "chance_contacted": outcome.contact_rate,
            "chance_booked": outcome.booking_rate,
        }
    )
    return frame.loc[frame["chance_contacted"] > 0, CONTACT_COLUMNS].reset_index(drop=True)


def all_micro(campaign: Campaign) -> Campaign:
    """The campaign with no macro spend at all, planned or booked: the all-micro candidate of
    the headline, the head-to-head's "All micro" and the realistic curve's 0% point."""
    return dataclasses.replace(campaign, macro_share_min=0.0, macro_share_max=0.0)


def forecast(
    roster: Roster,
    campaign: Campaign,
    assumptions: Assumptions,
    *,
    strategy: Strategy = DEFAULT_STRATEGY,
    backup_order: BackupOrder = DEFAULT_BACKUP_ORDER,
    draws: int = DRAWS,
    seed: int = SEED,
    target: float | None = None,
    if_all_accepted: Plan | None = None,
    candidates: bool = True,
    on_point: Callable[[int, int], None] | None = None,
    start: Forecast | None = None,
    alongside: bool = True,
) -> Forecast:
    """The headline's figures for a campaign (`if_all_accepted`: the plain optimal plan, when
    the caller has it already).

    The planner's candidates (`candidates=True`; docs/outreach.md, *The best of the curve's
    mixes*): the strategy's certified plan for the campaign's own macro band, and the plan of
    each band of the realistic split curve (`realistic_points`: the same plans, lists and
    simulated campaigns as the page's curve) that lies inside the campaign's band, the 0% band
    being all micro. Each is screened on the curve's simulated campaigns (`CURVE_DRAWS`, the
    band's plan too); the two best and all micro (when the band allows it) are simulated
    `draws` times with the same seed (the same luck), and the one with the largest mean is the
    forecast; the others are kept (`Forecast.others`), and so is the curve (`Forecast.curve`).
    So no plan the curve shows inside the campaign's band, nor all micro, beat the forecast on
    the finalists' own basis. `on_point(done, total)`: called as each band is certified.

    `start`: this campaign's forecast without candidates (`candidates=False`, the same
    strategy, backups, draws and seed), when the caller has it already (the page shows it while
    the candidates are compared): its plan, list and simulated campaigns are used as they are,
    so the result is the same as without it.

    `alongside`: the 10,000 simulated campaigns of the band's plan and of each finalist drawn
    half in `_ALONGSIDE` (`simulate_outreach(alongside=True)`: the same draws); False when no
    core is spare for it (the app under load)."""
    if start is not None and (start.candidate != "mix" or start.curve is not None or start.others):
        raise ValueError("start must be a forecast made with candidates=False")
    if start is None:
        plan, offers = outreach_offers(
            roster, campaign, assumptions, strategy=strategy, backup_order=backup_order
        )
    else:
        plan, offers = start.plan, start.offers
    if if_all_accepted is None:
        if start is not None:
            if_all_accepted = start.if_all_accepted
        else:
            if_all_accepted = plan if strategy == "plan" else make_plan(roster, campaign)
    if not candidates or not plan.has_plan or plan.booked_nothing:
        if start is not None:
            return dataclasses.replace(start, if_all_accepted=if_all_accepted, target=target)
        outcome = simulate_outreach(
            offers, campaign, assumptions, draws=draws, seed=seed, alongside=alongside
        )
        return Forecast(strategy, plan, offers, outcome, if_all_accepted, target)
    screen = min(draws, CURVE_DRAWS)
    # All micro, when inside the campaign's band, is always a finalist (below): its `draws`
    # simulated campaigns start beside the caller as soon as its list is made (the curve's first
    # band), while the caller makes and screens the other bands' lists.
    early: list[tuple[Offers, Future[OutreachOutcome]]] = []

    def start_all_micro(one: CurvePoint) -> None:
        if (
            draws > screen
            and one.point.high <= 0
            and one.offers is not None
            and campaign.macro_share_min <= 1e-9
        ):
            job = _ALONGSIDE.submit(
                simulate_outreach, one.offers, campaign, assumptions, draws=draws, seed=seed
            )
            early.append((one.offers, job))

    started = time.perf_counter()
    points = realistic_points(
        roster,
        curve_campaign(campaign),
        assumptions,
        strategy=strategy,
        backup_order=backup_order,
        draws=screen,
        seed=seed,
        on_point=on_point,
        on_outcome=start_all_micro,
    )
    seconds = time.perf_counter() - started
    # A plan already in, booked under the same limits, is the same candidate (the same list and
    # draws); all micro is booked with no macro at all, so it stays even when its plan is the
    # band's.
    band_key = (posts_per_row(roster, plan).tobytes(), campaign.macro_share_max)
    seen = {band_key}
    # The band's plan is most often one of the curve's: its screening draws are then there.
    band_screen = next(
        (one.outcome for one in points if one.outcome is not None and _list_key(one) == band_key),
        None,
    )
    if band_screen is None:
        band_screen = simulate_outreach(offers, campaign, assumptions, draws=screen, seed=seed)
    entries: list[_Entry] = [
        _Entry(float(band_screen.engagement.mean()), "mix", None, plan, offers, band_screen)
    ]
    for one in points:
        point = one.point
        if one.outcome is None or one.offers is None or one.posts is None:
            continue
        inside = (
            point.low >= campaign.macro_share_min - 1e-9
            and point.high <= campaign.macro_share_max + 1e-9
        )
        key = _list_key(one)
        if not inside or key in seen:
            continue  # outside the campaign's band, or a candidate already in
        seen.add(key)
        entries.append(
            _Entry(
                float(one.outcome.engagement.mean()),
                "all micro" if point.high <= 0 else "band",
                (point.low, point.high),
                one,
                one.offers,
                one.outcome,
            )
        )
    # The two best on the screening draws (ties: the campaign's band's plan first), and all
    # micro, so that the head-to-head's best mix is never below its all-micro row.
    ranked = sorted(entries, key=lambda e: -e.screened)
    finalists = ranked[:2] + [e for e in ranked[2:] if e.candidate == "all micro"]
    simulated = _simulate_all(
        finalists,
        campaign,
        assumptions,
        draws,
        seed,
        screen,
        start,
        early[0] if early else None,
        alongside,
    )
    results = [
        Forecast(
            strategy,
            e.plan_for(campaign, seconds),
            e.offers,
            outcome,
            if_all_accepted,
            target,
            e.candidate,
            e.band,
        )
        for e, outcome in zip(finalists, simulated, strict=True)
    ]
    order = sorted(range(len(results)), key=lambda i: -results[i].outcome.engagement.mean())
    chosen = results[order[0]]
    return dataclasses.replace(
        chosen,
        others=tuple(results[i] for i in order[1:]),
        curve=curve_frames(points),
    )


def _list_key(one: CurvePoint) -> tuple[bytes, float] | None:
    """What makes a curve point's outreach list (and so its draws): its posts and the macro
    share's top it is booked under (None without a plan)."""
    return None if one.posts is None else (one.posts.tobytes(), one.limits.macro_share_max)


@dataclass(frozen=True)
class _Entry:
    """A candidate of `forecast`: its mean on the screening draws and what makes it (its plan,
    or the curve's point whose plan it is)."""

    screened: float
    candidate: Candidate
    band: tuple[float, float] | None
    made: Plan | CurvePoint
    offers: Offers
    outcome: OutreachOutcome  # on the screening draws

    def plan_for(self, campaign: Campaign, seconds: float) -> Plan:
        """The candidate's certified plan (a curve point's is made when asked: finalists
        only), shown with the campaign's own settings (its band allows the point's)."""
        if isinstance(self.made, Plan):
            return self.made
        point = self.made.point
        certified = plan_of(
            self.made.planned,
            dataclasses.replace(campaign, macro_share_min=point.low, macro_share_max=point.high),
            point.items,
            point.solution,
            seconds,
        )
        return dataclasses.replace(certified, campaign=campaign)


def _simulate_all(
    entries: list[_Entry],
    campaign: Campaign,
    assumptions: Assumptions,
    draws: int,
    seed: int,
    screen: int,
    start: Forecast | None = None,
    early: tuple[Offers, Future[OutreachOutcome]] | None = None,
    alongside: bool = True,
) -> list[OutreachOutcome]:
    """Each finalist's outreach simulated `draws` times (its screening draws when those are
    as many; the campaign's band's plan: `start`'s, when given; the list `early` holds: its
    job's, started already), all but the first alongside (`_ALONGSIDE`); with `alongside`, each
    one's draws in two halves (`simulate_outreach(alongside=True)`)."""
    early_offers, early_job = early if early is not None else (None, None)
    try:
        if draws == screen:
            return [e.outcome for e in entries]

        def run(entry: _Entry) -> OutreachOutcome:
            if start is not None and entry.candidate == "mix":
                return start.outcome
            return simulate_outreach(
                entry.offers, campaign, assumptions, draws=draws, seed=seed, alongside=alongside
            )

        def job_of(entry: _Entry) -> Future[OutreachOutcome]:
            if early_job is not None and entry.offers is early_offers:
                return early_job
            return _ALONGSIDE.submit(run, entry)

        ahead = [job_of(e) for e in entries[1:]]
        try:
            if early_job is not None and entries[0].offers is early_offers:
                first = run(entries[0]) if early_job.cancel() else early_job.result()
            else:
                first = run(entries[0])
            # (One not started yet, the pool busy with other sessions' candidates: worked out
            # here.)
            rest = [
                run(e) if job.cancel() else job.result()
                for job, e in zip(ahead, entries[1:], strict=True)
            ]
        finally:
            for job in ahead:
                job.cancel()
        return [first, *rest]
    finally:
        if early_job is not None:
            early_job.cancel()  # (not a finalist after all: not run, if not started)


# Where `forecast`'s finalists are simulated while the caller simulates the first, and the second
# half of a simulation's draws while the caller draws the first (`simulate_outreach(alongside=
# True)`): the simulation's loop releases the GIL, so on two cores the finalists take about the
# time of one or two instead of three. Shared by every session; a finalist or a half the pool has
# not started when its caller needs it is worked out by the caller instead (never slower than one
# thread).
_ALONGSIDE = ThreadPoolExecutor(max_workers=2, thread_name_prefix="forecast-candidate")


HEAD_TO_HEAD = ("All micro", "All macro", "Optimal mix")


def outreach_head_to_head(
    roster: Roster,
    campaign: Campaign,
    assumptions: Assumptions,
    *,
    strategy: Strategy = DEFAULT_STRATEGY,
    backup_order: BackupOrder = DEFAULT_BACKUP_ORDER,
    draws: int = DRAWS,
    seed: int = SEED,
    target: float | None = None,
    mix: Forecast | None = None,
) -> pd.DataFrame:
    """All-micro, all-macro and the best mix under the same budget and caps, each planned by
    `strategy` from its own influencers, with its own backups, and simulated the same way (the
    same seed, so they face the same campaign-wide luck). `mix`: the campaign's own forecast,
    when the caller has it already."""
    simulated = functools.partial(
        forecast,
        assumptions=assumptions,
        strategy=strategy,
        backup_order=backup_order,
        draws=draws,
        seed=seed,
        target=target,
    )
    if mix is None:  # the campaign's own forecast first: it may have simulated all micro
        mix = simulated(roster, campaign)
    micro_band = all_micro(campaign)
    rows = []
    for label, keep, band in zip(
        HEAD_TO_HEAD,
        ("micro", "macro", None),
        ((0.0, 0.0), (0.0, 1.0), (campaign.macro_share_min, campaign.macro_share_max)),
        strict=True,
    ):
        candidate = _all_micro(mix) if keep == "micro" else None
        if keep is None:
            result = mix
        elif candidate is not None:  # the same plan and draws as on the sub-roster
            result = dataclasses.replace(
                candidate,
                target=target,
                if_all_accepted=make_plan(roster, micro_band)
                if strategy != "plan"
                else candidate.plan,
            )
        else:  # planned from the tier's own influencers
            mask = (roster.table["tier"] == keep).to_numpy(dtype=bool)
            sub = dataclasses.replace(roster, table=roster.table.loc[mask].reset_index(drop=True))
            result = simulated(  # (one tier: the curve's bands would add nothing)
                sub,
                dataclasses.replace(campaign, macro_share_min=band[0], macro_share_max=band[1]),
                candidates=False,
            )
        summary = result.summary()
        ok = result.plan.has_plan
        rows.append(
            {
                "strategy": label,
                "status": result.plan.status,
                "mean": summary["mean"] if ok else np.nan,
                "p10": summary["p10"] if ok else np.nan,
                "p50": summary["p50"] if ok else np.nan,
                "p90": summary["p90"] if ok else np.nan,
                "mean_spend": summary["mean_spend"] if ok else np.nan,
                "budget_filled": summary["budget_filled"] if ok else np.nan,
                "mean_contacted": summary["mean_contacted"] if ok else np.nan,
                "mean_booked": summary["mean_booked"] if ok else np.nan,
                "probability_of_target": summary["probability_of_target"] if ok else np.nan,
                "if_all_accepted": (
                    result.if_all_accepted.expected_engagement
                    if result.if_all_accepted.has_plan
                    else np.nan
                ),
                "message": result.plan.message,
            }
        )
    return pd.DataFrame(rows)


def _all_micro(result: Forecast) -> Forecast | None:
    """The all-micro candidate a forecast simulated, if it did (the head-to-head's row)."""
    for one in (result, *result.others):
        if one.candidate == "all micro":
            return one
    return None


def _strategy_inputs(
    roster: Roster, assumptions: Assumptions, strategy: Strategy, campaign: Campaign
) -> tuple[Roster, np.ndarray | None]:
    """The roster and first-post values the optimiser plans a strategy with."""
    _check_strategy(strategy)
    if strategy == "plan":
        return roster, None
    weights = first_post_engagement(roster.table) * reply_rates(roster.table, assumptions)
    if strategy == "reply_weighted":
        return roster, weights
    return expected_acceptance_roster(roster, assumptions, campaign), weights


def outreach_split_curve(
    roster: Roster,
    campaign: Campaign,
    assumptions: Assumptions,
    *,
    strategy: Strategy = DEFAULT_STRATEGY,
    backup_order: BackupOrder = DEFAULT_BACKUP_ORDER,
    step: float = 0.1,
    draws: int = CURVE_DRAWS,
    seed: int = SEED,
    part: tuple[int, int] = (0, 1),
    on_point: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The split curve on the realistic basis (`realistic_points`), as (curve, ranges) in the
    shape of `planner.risk.split_curve_ranges`: the curve's `expected_engagement` is the
    simulated mean, and its ranges' P10-P90 come from the same draws, so the line and its band
    belong together. `planned_value` is what the optimiser certified for the band (in the
    strategy's objective)."""
    return curve_frames(
        realistic_points(
            roster,
            campaign,
            assumptions,
            strategy=strategy,
            backup_order=backup_order,
            step=step,
            draws=draws,
            seed=seed,
            part=part,
            on_point=on_point,
        )
    )


@dataclass(frozen=True)
class CurvePoint:
    """One point of the realistic split curve: the strategy's certified plan for a band of
    macro share (`point`, made from the roster as the strategy plans it: `planned`), booked
    under `limits` (`booking_limits`), its posts per roster row, outreach list and simulated
    campaigns (None when the band has no plan)."""

    point: BandPoint
    planned: Roster
    limits: Campaign
    posts: np.ndarray | None
    offers: Offers | None
    outcome: OutreachOutcome | None


def realistic_points(
    roster: Roster,
    campaign: Campaign,
    assumptions: Assumptions,
    *,
    strategy: Strategy = DEFAULT_STRATEGY,
    backup_order: BackupOrder = DEFAULT_BACKUP_ORDER,
    step: float = 0.1,
    draws: int = CURVE_DRAWS,
    seed: int = SEED,
    part: tuple[int, int] = (0, 1),
    on_point: Callable[[int, int], None] | None = None,
    on_outcome: Callable[[CurvePoint], None] | None = None,
) -> list[CurvePoint]:
    """The split curve's points on the realistic basis: at each macro share (held within
    +- step/2 of the budget, as `planner.plan.split_curve`), the strategy's certified plan for
    that band, its own backups, and the outreach simulated (`draws` times, booked under
    `booking_limits`: the campaign's own, all micro at 0%). `part=(i, n)`: every n-th band
    from the i-th (`split_points`); `on_point(done, total)`: called after each band's plan is
    certified, as `split_points` does; `on_outcome(point)`: called as each point with a plan is
    simulated."""
    planned_roster, weights = _strategy_inputs(roster, assumptions, strategy, campaign)
    points = split_points(
        planned_roster, campaign, step=step, first_value=weights, part=part, on_point=on_point
    )
    out = []
    rows = ListRows.of(roster.table, assumptions)
    for point in points:
        limits = booking_limits(campaign, point.high)
        if point.solution.status not in ("optimal", "feasible"):
            out.append(CurvePoint(point, planned_roster, limits, None, None, None))
            continue
        posts = point.items.posts_per_influencer(point.solution.chosen)
        offers = offers_from_posts(
            roster, limits, assumptions, posts, backup_order=backup_order, rows=rows
        )
        outcome = simulate_outreach(offers, limits, assumptions, draws=draws, seed=seed)
        out.append(CurvePoint(point, planned_roster, limits, posts, offers, outcome))
        if on_outcome is not None:
            on_outcome(out[-1])
    return out


def curve_frames(points: Sequence[CurvePoint]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The realistic split curve and its ranges as frames (`outreach_split_curve`'s)."""
    rows = [_curve_rows(one) for one in points]
    return pd.DataFrame([c for c, _ in rows]), pd.DataFrame([r for _, r in rows])


def curve_campaign(campaign: Campaign) -> Campaign:
    """The part of `campaign` a realistic split curve (`outreach_split_curve`) depends on, for
    a cache key: the band's minimum does not matter (each point sets its own band), but its top
    does, and so do the caps. The top decides which macro offers could ever be booked at full
    price (`bookable_posts`, hence the expected-acceptance plan) and the share they are booked
    under (`booking_limits`): a curve worked out for the band 0-100% would put a plan the
    campaign cannot have on the point that holds its plan (`tests/test_outreach.py`)."""
    return dataclasses.replace(campaign, macro_share_min=0.0)


def booking_limits(campaign: Campaign, band_high: float) -> Campaign:
    """The limits a realistic split curve's point is booked under, for its band of macro share
    as planned (whose top is `band_high`). The band holds the plan (the share of the budget
    the strategy's plan puts on macro, in its own terms: expected cost for the
    expected-acceptance plan); its offers are then sent and booked as the campaign's would be:
    under the campaign's own top for the macro share at full price, or the band's where that is
    higher (a share the campaign does not allow, asked about). The 0% point is no macro at all,
    planned or booked: all micro, as in the head-to-head.

    So the band that holds the campaign's own plan gets that plan, booked as the headline's
    forecast books it: the campaign sits on its curve, never above the curve's best. (Booked
    under the band's top instead, an expected-acceptance plan with 7.5% on macro as planned
    could not book its macro influencer, whose post cost more than the band's 15% of the
    budget: the point fell 16% below the campaign's own forecast, `tests/test_outreach.py`.)"""
    if band_high <= 0:
        return all_micro(campaign)
    return dataclasses.replace(
        campaign, macro_share_min=0.0, macro_share_max=max(band_high, campaign.macro_share_max)
    )


def _curve_rows(one: CurvePoint) -> tuple[dict[str, object], dict[str, float]]:
    point = one.point
    ok = one.outcome is not None
    nan = float("nan")
    curve: dict[str, object] = {
        "macro_share": point.share,
        "band_low": point.low,
        "band_high": point.high,
        "expected_engagement": nan,
        "macro_spend": nan,
        "micro_spend": nan,
        "spend": nan,
        "status": point.solution.status,
        "optimality_gap": point.solution.gap if ok else nan,
        "planned_value": point.solution.value if ok else nan,
        "mean_booked": nan,
        "budget_filled": nan,
    }
    ranges = {"macro_share": point.share, "p10": nan, "p50": nan, "p90": nan, "mean": nan}
    outcome = one.outcome
    if outcome is None or not outcome.draws:
        return curve, ranges
    # (The figures `OutreachOutcome.summary` gives, only those the curve shows: eleven points'
    # whole summaries took some 25 ms.)
    mean = float(outcome.engagement.mean())
    spend = float(outcome.spend.mean())
    macro = float(outcome.macro_spend.mean())
    curve |= {
        "expected_engagement": mean,
        "macro_spend": macro,
        "micro_spend": spend - macro,
        "spend": spend,
        "mean_booked": float(outcome.booked.mean()),
        "budget_filled": outcome.filled,
    }
    p10, p50, p90 = np.quantile(outcome.engagement, [0.1, 0.5, 0.9])
    ranges |= {"p10": float(p10), "p50": float(p50), "p90": float(p90), "mean": mean}
    return curve, ranges


MACRO_REPLY_RATES = (0.2, 0.4, 0.6, 0.8, 1.0)


def macro_reply_sweep(
    roster: Roster,
    campaign: Campaign,
    assumptions: Assumptions,
    *,
    rates: Sequence[float] = MACRO_REPLY_RATES,
    strategy: Strategy = DEFAULT_STRATEGY,
    backup_order: BackupOrder = DEFAULT_BACKUP_ORDER,
    draws: int = DRAWS,
    seed: int = SEED,
) -> pd.DataFrame:
    """The article's claim tested on this roster: for each macro reply rate (influencers with
    their own rate keep it), the headline's plan (`forecast`: the best of the plan for the
    campaign's band and the split curve's bands inside it, simulated `draws` times with the
    same seed), the macro share of the budget it was planned at (the split curve's axis), what
    it earns after declines and backups, the macro share of what it books on average, and all
    micro (its all-micro finalist; NaN when the band has no room for all micro). At the
    campaign's own rates this row is the headline."""
    rows = []
    nan = float("nan")
    for rate in rates:
        varied = dataclasses.replace(assumptions, reply_macro=float(rate))
        result = forecast(
            roster,
            campaign,
            varied,
            strategy=strategy,
            backup_order=backup_order,
            draws=draws,
            seed=seed,
        )
        row: dict[str, float] = {"reply_macro": float(rate)}
        outcome = result.outcome
        if result.plan.has_plan and not result.plan.booked_nothing and outcome.draws:
            p10, p90 = np.quantile(outcome.engagement, [0.1, 0.9])
            spend = float(outcome.spend.mean())
            row |= {
                "best_share": float(result.plan.macro_share_of_budget),
                "best_mean": float(outcome.engagement.mean()),
                "best_p10": float(p10),
                "best_p90": float(p90),
                # The macro share of what that plan books on average (declines included).
                "best_booked_macro_share": float(outcome.macro_spend.mean()) / spend
                if spend > 0
                else 0.0,
            }
        else:
            row |= {"best_share": nan, "best_mean": nan, "best_p10": nan, "best_p90": nan}
            row["best_booked_macro_share"] = nan
        micro = _all_micro(result)
        row["all_micro_mean"] = float(micro.outcome.engagement.mean()) if micro else nan
        rows.append(row)
    return pd.DataFrame(rows)


def sweep_sentence(sweep: pd.DataFrame) -> str:
    """The sweep in one sentence for the page, the CLI and the report."""
    parts = [
        f"{row.reply_macro:.0%}: {row.best_share:.0%} planned, "
        f"{row.best_booked_macro_share:.0%} booked, {row.best_mean:,.0f} engagements"
        for row in sweep.itertuples()
        if np.isfinite(row.best_share)
    ]
    if not parts:
        return "No macro share could be planned at any of the macro reply rates tried."
    return (
        "Best macro share of the budget after declines and backups, by macro reply rate: "
        + "; ".join(parts)
        + "."
    )
