"""How sure is a plan? Outcome ranges by simulation, reply-aware planning and the outreach list.

A plan's expected engagement is one number. Here each draw of the campaign decides, for every
influencer in the plan, whether they accept the offer (with their reply rate) and how each of
their posts does (around its expectation, with the influencer's spread), and then scales the
whole campaign by one shared shock (the creative lands or it does not). Spreading the budget over
many influencers narrows the range of the independent parts only: the shared shock stays.

Every number in `Assumptions` is a setting the marketer can change; where BENCHMARKS.md has a
figure the default comes from it, and where it has none the default is labelled an assumption.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtri

from planner.model import first_post_engagement, posts_allowed
from planner.money import money_prefix
from planner.plan import BandPoint, Plan, split_curve, split_points
from planner.roster import Roster
from planner.settings import Campaign, SettingsError, is_number

DRAWS = 10_000
SEED = 7
# Draws per point of the split curve's P10-P90 range (each point's plan is simulated).
CURVE_DRAWS = 500


@dataclass(frozen=True)
class Assumptions:
    """Reply rates and engagement spreads used where the roster has none."""

    # BENCHMARKS.md, "Replies": about 40% of contacted influencers respond (Heepsy; no split by
    # tier).
    reply_micro: float = 0.40
    # Assumption: the article the project started from says macro influencers often do not reply
    # at all, and no source gives a figure; half the overall rate.
    reply_macro: float = 0.20
    # Assumption (no published figure): one post's engagement varies around its expectation with
    # this coefficient of variation (standard deviation / mean), lognormal.
    spread_micro: float = 0.5
    spread_macro: float = 0.5
    # Assumption (no published figure): the campaign-wide shock shared by every post, same units.
    shared_spread: float = 0.25
    # Assumption (no published figure): rounds of offers the marketer sends before the campaign
    # starts (planner/outreach.py); each round goes to backups for what the last one left open.
    rounds: int = 3

    def __post_init__(self) -> None:
        problems = []
        for name, label in (("reply_micro", "micro"), ("reply_macro", "macro")):
            value = getattr(self, name)
            if not is_number(value) or not 0 <= value <= 1:
                problems.append(
                    f"The {label} reply rate must be between 0% and 100% (got {value!r})."
                )
        for name, label in (
            ("spread_micro", "micro post spread"),
            ("spread_macro", "macro post spread"),
            ("shared_spread", "campaign-wide spread"),
        ):
            value = getattr(self, name)
            if not is_number(value) or not 0 <= value <= 10:
                problems.append(
                    f"The {label} must be between 0 and 10 (0.5 means a typical post lands "
                    f"about 50% above or below its expectation; got {value!r})."
                )
        rounds = self.rounds
        if not isinstance(rounds, int) or isinstance(rounds, bool) or not 1 <= rounds <= 20:
            problems.append(
                f"The rounds of offers must be a whole number from 1 to 20 (got {rounds!r})."
            )
        if problems:
            raise SettingsError(problems)


def _per_tier(table: pd.DataFrame, column: str, micro: float, macro: float) -> np.ndarray:
    default = np.where((table["tier"] == "macro").to_numpy(dtype=bool), macro, micro)
    own = table[column].to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isnan(own), default, own)


def reply_rates(table: pd.DataFrame, assumptions: Assumptions) -> np.ndarray:
    """Each row's reply rate: its own where the roster gives one, else its tier's default."""
    return _per_tier(table, "reply_rate", assumptions.reply_micro, assumptions.reply_macro)


def spreads(table: pd.DataFrame, assumptions: Assumptions) -> np.ndarray:
    """Each row's engagement spread: its own where the roster gives one, else its tier's."""
    return _per_tier(table, "engagement_spread", assumptions.spread_micro, assumptions.spread_macro)


def reply_weighted_engagement(table: pd.DataFrame, assumptions: Assumptions) -> np.ndarray:
    """First-post engagement times the reply rate: what an offer is expected to earn. Passed to
    `make_plan(first_value=...)`, it plans for offers that may be declined."""
    return first_post_engagement(table) * reply_rates(table, assumptions)


# ---------------------------------------------------------------- simulation
class Draws:
    """What every set of simulated campaigns answers from its `engagement` (one value per
    draw): how many there are, a quantile, and the chance of reaching a target."""

    engagement: np.ndarray

    @property
    def draws(self) -> int:
        return int(self.engagement.size)

    def quantile(self, q: float) -> float:
        return float(np.quantile(self.engagement, q)) if self.draws else 0.0

    def probability(self, target: float) -> float:
        """Share of draws that reach at least `target` engagements, counted in whole
        engagements as every figure shows them (a draw of 850,240.53 reaches 850,241). Without
        it, a campaign with no spread and no declines, whose every draw earns exactly its
        expected 850,240.53, had a 0% chance of its expected engagements (850,241 shown)."""
        return float(np.mean(self.engagement >= target - 0.5)) if self.draws else 0.0


@dataclass(frozen=True)
class Outcome(Draws):
    """Simulated campaign results, one value per draw."""

    engagement: np.ndarray
    micro: np.ndarray
    macro: np.ndarray
    spend: np.ndarray  # what the accepted offers cost
    expected: float  # the exact expectation of `engagement`

    def summary(self, target: float | None = None) -> dict[str, float | None]:
        return {
            "draws": self.draws,
            "mean": float(self.engagement.mean()) if self.draws else 0.0,
            "expected": self.expected,
            "p10": self.quantile(0.10),
            "p50": self.quantile(0.50),
            "p90": self.quantile(0.90),
            "mean_spend": float(self.spend.mean()) if self.draws else 0.0,
            "target": target,
            "probability_of_target": None if target is None else self.probability(target),
        }


def stratified_normals(seed: int, purpose: int, rows: int, draws: int) -> np.ndarray:
    """Standard normals, `rows` x `draws`, each row a stratified sample (a one-dimensional Latin
    hypercube): the normal's range is cut into `draws` equally likely strata and each holds one
    draw, at a uniform place within it, in a random order. Used for the shared shock and the
    tiers' totals, which every draw of a campaign has one of: drawn plainly, 500 draws' shock
    averaged 1 +- 1.1% (the shared spread is 0.25), so the split curve's 500 simulated campaigns
    a point sat 2-3% above or below the headline's 10,000 as a whole; stratified, the sample's
    mean and spread are those of the distribution almost exactly, and only the independent
    parts (replies, the order answers come back in, the posts) are left to chance. Each row's
    draws are still independent of the other rows' and of the other streams, so every figure
    keeps its distribution (docs/outreach.md, *Stratified draws*)."""
    rng = np.random.default_rng([seed, purpose])
    out = np.empty((rows, draws))
    for row in range(rows):
        uniform = (rng.permutation(draws) + rng.random(draws)) / draws
        uniform[uniform <= 0.0] = 0.5 / draws  # (a uniform of exactly 0: never in practice)
        out[row] = ndtri(uniform)
    return out


# Standard draws are the same for every plan with the same seed and number of draws: they are
# made once and kept (one block per seed and draw count, grown when a plan has more influencers),
# so a plan's simulation only transforms them. Blocks above this many values are not kept.
_KEEP_VALUES = 2**23
_blocks: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
_blocks_lock = threading.Lock()


def _make_block(seed: int, draws: int, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standard normals and uniforms, one row of `draws` per influencer, and the shared shock's
    standard normals (stratified: `stratified_normals`). Each comes from its own stream, the
    influencers' filled row by row, so the first rows are the same whatever the number of rows:
    a plan's draws do not depend on what was kept."""
    normal = np.random.default_rng([seed, 0]).standard_normal((rows, draws), dtype=np.float32)
    uniform = np.random.default_rng([seed, 1]).random((rows, draws), dtype=np.float32)
    shock = stratified_normals(seed, 2, 1, draws)[0]
    for array in (normal, uniform, shock):
        array.flags.writeable = False
    return normal, uniform, shock


def _standard_draws(seed: int, draws: int, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    key = (seed, draws)
    with _blocks_lock:
        block = _blocks.get(key)
        if block is None or block[0].shape[0] < rows:
            # Room for plans a little larger than this one; doubled when outgrown.
            size = max(rows + rows // 2, 64, 2 * block[0].shape[0] if block is not None else 0)
            if size * draws > _KEEP_VALUES:
                size = rows
            block = _make_block(seed, draws, size)
            if size * draws <= _KEEP_VALUES:
                _blocks[key] = block
    normal, uniform, shock = block
    return normal[:rows], uniform[:rows], shock


def _lognormal(normal: np.ndarray, cv: np.ndarray) -> np.ndarray:
    """Multipliers with mean 1 and coefficient of variation `cv` (one per row of `normal`;
    exactly 1 where cv is 0), from standard normals."""
    sigma = np.sqrt(np.log1p(np.square(cv))).astype(normal.dtype)
    if normal.ndim == 2:
        sigma = sigma[:, np.newaxis]
    return np.exp(normal * sigma - sigma * sigma / 2)


def _weighted_sum(weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """`weights @ rows`, by numpy's own loops: a BLAS call would wake BLAS's threads, which
    then spin and take the CPU the rest of the app (and the split curve's worker) needs."""
    return np.einsum("i,ij->j", weights.astype(rows.dtype), rows).astype(float)


def simulate_posts(
    table: pd.DataFrame,
    owner: np.ndarray,
    k: np.ndarray,
    decay: float,
    assumptions: Assumptions,
    *,
    draws: int = DRAWS,
    seed: int = SEED,
) -> Outcome:
    """Draw the outcome of the posts (`owner` = table row, `k` = 0 for a first post).

    Per draw: each influencer accepts with their reply rate; each of their posts earns its
    expectation times an independent multiplier with mean 1 and the influencer's spread as its
    coefficient of variation; the campaign total is scaled by one shared multiplier (mean 1,
    the campaign-wide spread). An influencer's posts are drawn together as one lognormal with
    exactly the mean and variance of their sum (Fenton-Wilkinson), which keeps 10,000 draws of
    a few hundred posts fast. Seeded: the same arguments give the same draws.
    """
    owner = np.asarray(owner, dtype=np.int64)
    k = np.asarray(k, dtype=np.int64)
    rows, where = np.unique(owner, return_inverse=True)
    value = first_post_engagement(table)[owner] * np.power(decay, k)
    mean = np.bincount(where, weights=value, minlength=rows.size)
    square = np.bincount(where, weights=value * value, minlength=rows.size)
    reply = reply_rates(table, assumptions)[rows]
    cv = spreads(table, assumptions)[rows] * np.sqrt(square) / np.where(mean > 0, mean, 1.0)
    cost = table["cost_per_post"].to_numpy(dtype=float)
    spend = np.bincount(where, weights=cost[owner], minlength=rows.size)
    macro = (table["tier"] == "macro").to_numpy(dtype=bool)[rows]
    expected = float((reply * mean).sum())

    normal, uniform, shock_normal = _standard_draws(seed, draws, rows.size)
    # What each influencer earns in each draw, as a multiple of their expectation (rows are
    # influencers): their lognormal multiplier, times 0 where they decline. None: exactly 1.
    factor = _lognormal(normal, cv) if np.any(cv > 0) else None
    if np.any(reply < 1):
        accepted = (uniform < reply.astype(np.float32)[:, np.newaxis]).astype(np.float32)
        paid = _weighted_sum(spend, accepted)
        factor = accepted if factor is None else np.multiply(factor, accepted, out=factor)
    else:
        paid = np.full(draws, float(spend.sum()))
    shock = (
        _lognormal(shock_normal, np.array(assumptions.shared_spread))
        if assumptions.shared_spread > 0
        else np.ones(draws)
    )
    by_tier = []
    for in_tier in (~macro, macro):
        weights = np.where(in_tier, mean, 0.0)
        earned = np.full(draws, weights.sum()) if factor is None else _weighted_sum(weights, factor)
        by_tier.append(earned * shock)
    micro, macro_total = by_tier
    return Outcome(micro + macro_total, micro, macro_total, paid, expected)


def plan_posts(roster: Roster, plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """The plan's posts as (table row, post number) pairs."""
    if not plan.has_plan or plan.allocations.empty:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    position = pd.Series(np.arange(len(roster.table)), index=roster.table["name"].astype(str))
    rows = position.loc[plan.allocations["name"].astype(str)].to_numpy(dtype=np.int64)
    posts = plan.allocations["posts"].to_numpy(dtype=np.int64)
    owner = np.repeat(rows, posts)
    k = np.arange(owner.size) - np.repeat(np.cumsum(posts) - posts, posts)
    return owner, k


def simulate(
    roster: Roster,
    plan: Plan,
    assumptions: Assumptions,
    *,
    draws: int = DRAWS,
    seed: int = SEED,
) -> Outcome:
    """The outcome distribution of a plan made for `roster` (see `simulate_posts`)."""
    owner, k = plan_posts(roster, plan)
    return simulate_posts(
        roster.table, owner, k, plan.campaign.decay, assumptions, draws=draws, seed=seed
    )


# ---------------------------------------------------------------- outreach
OUTREACH_COLUMNS = [
    "contact_order",
    "role",
    "name",
    "tier",
    "platform",
    "posts",
    "spend",
    "reply_rate",
    "expected_engagement_if_accepted",
    "expected_spend",
    "cumulative_expected_spend",
    "why",
]


def outreach_list(roster: Roster, plan: Plan, assumptions: Assumptions) -> pd.DataFrame:
    """Whom to contact, in order: the plan's influencers, then ranked backups.

    Offers can be declined, so the plan alone is expected to spend only the sum of reply rate x
    spend. Backups are added until that expected spend reaches the budget (or the roster runs
    out). The plan's influencers come first, the largest expected engagement first; backups are
    ranked by reply-weighted engagement per dollar of their offer, and each is offered the posts
    that earn at least the plan's last post per dollar (at least one).
    """
    table = roster.table
    if not plan.has_plan:
        return pd.DataFrame(columns=OUTREACH_COLUMNS)
    campaign: Campaign = plan.campaign
    reply = reply_rates(table, assumptions)
    owner, k = plan_posts(roster, plan)
    value1 = first_post_engagement(table)
    cost = table["cost_per_post"].to_numpy(dtype=float)
    in_plan = np.zeros(len(table), dtype=bool)
    in_plan[owner] = True
    posts = np.bincount(owner, minlength=len(table))
    post_value = value1[owner] * np.power(campaign.decay, k)
    earn = np.bincount(owner, weights=post_value, minlength=len(table))
    total = float(earn.sum()) or 1.0

    plan_rows = np.flatnonzero(in_plan)
    plan_rows = plan_rows[np.argsort(-(reply[plan_rows] * earn[plan_rows]), kind="stable")]
    records = []
    for i in plan_rows:
        records.append(
            (
                "plan",
                i,
                int(posts[i]),
                float(earn[i]),
                f"In the plan: {posts[i]} post{'s' if posts[i] != 1 else ''}, "
                f"{earn[i] / total:.1%} of the plan's engagements if accepted; replies about "
                f"{reply[i]:.0%} of the time.",
            )
        )

    # The plan's last post per dollar: backups are offered the posts that earn at least that.
    post_ratio = post_value / cost[owner]
    cutoff = float(post_ratio.min()) if post_ratio.size else 0.0
    allowed = posts_allowed(table, campaign)
    candidates = np.flatnonzero(~in_plan & (allowed > 0) & (value1 > 0) & (cost > 0))
    offers = []
    for i in candidates:
        n = 1
        while n < allowed[i] and value1[i] * campaign.decay**n / cost[i] >= cutoff:
            n += 1
        gain = float(value1[i] * np.sum(campaign.decay ** np.arange(n)))
        offers.append((reply[i] * gain / (cost[i] * n), i, n, gain))
    offers.sort(key=lambda o: (-o[0], o[1]))

    expected_spend = float((reply * cost * posts).sum())
    unit = money_prefix(roster.currency)
    for rank, (per_dollar, i, n, gain) in enumerate(offers, start=1):
        if expected_spend >= campaign.budget - 1e-9:
            break
        expected_spend += reply[i] * cost[i] * n
        records.append(
            (
                "backup",
                i,
                n,
                float(gain),
                f"Backup {rank}: the next best reply-weighted engagements per dollar outside the "
                f"plan ({per_dollar * 1000:,.0f} per {unit}1K); contact if offers are declined.",
            )
        )

    frame = pd.DataFrame(
        {
            "contact_order": np.arange(1, len(records) + 1),
            "role": [r[0] for r in records],
            "name": [table["name"].iloc[r[1]] for r in records],
            "tier": [table["tier"].iloc[r[1]] for r in records],
            "platform": [table["platform"].iloc[r[1]] for r in records],
            "posts": [r[2] for r in records],
            "spend": [round(cost[r[1]] * r[2], 2) for r in records],
            "reply_rate": [float(reply[r[1]]) for r in records],
            "expected_engagement_if_accepted": [r[3] for r in records],
            "why": [r[4] for r in records],
        }
    )
    frame["expected_spend"] = frame["spend"] * frame["reply_rate"]
    frame["cumulative_expected_spend"] = frame["expected_spend"].cumsum()
    return frame[OUTREACH_COLUMNS]


def split_bands(
    table: pd.DataFrame,
    points: list[BandPoint],
    decay: float,
    assumptions: Assumptions,
    *,
    draws: int = CURVE_DRAWS,
    seed: int = SEED,
) -> pd.DataFrame:
    """P10, P50 and P90 of each split-curve band's plan (`split_points`), by simulation."""
    rows = []
    for point in points:
        solution = point.solution
        row: dict[str, float] = {"macro_share": point.share}
        if solution.status in ("optimal", "feasible"):
            chosen = solution.chosen
            outcome = simulate_posts(
                table,
                point.items.owner[chosen],
                point.items.k[chosen],
                decay,
                assumptions,
                draws=draws,
                seed=seed,
            )
            row |= {
                "p10": outcome.quantile(0.1),
                "p50": outcome.quantile(0.5),
                "p90": outcome.quantile(0.9),
                "mean": float(outcome.engagement.mean()),
            }
        else:
            row |= {"p10": np.nan, "p50": np.nan, "p90": np.nan, "mean": np.nan}
        rows.append(row)
    return pd.DataFrame(rows)


def split_curve_ranges(
    roster: Roster,
    campaign: Campaign,
    assumptions: Assumptions,
    *,
    first_value: np.ndarray | None = None,
    draws: int = CURVE_DRAWS,
    part: tuple[int, int] = (0, 1),
    outreach: str | None = None,
    on_point: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The split curve (`split_curve`) and each point's simulated range (`split_bands`), from
    one set of band plans; `part` as in `split_points` (the parts' rows, concatenated and
    sorted by share, are the whole curve's).

    `outreach` (a strategy of `planner.outreach.STRATEGIES`) makes it the realistic curve of
    `planner.outreach.outreach_split_curve` instead: each band's plan with its own backups,
    the line the simulated mean after declines and backups and the range from the same draws
    (`first_value` is then ignored: the strategy decides what is planned). `on_point(done,
    total)` is called after each band's plan is certified (`split_points`)."""
    if outreach is not None:
        from planner.outreach import outreach_split_curve  # it builds on this module

        return outreach_split_curve(
            roster,
            campaign,
            assumptions,
            strategy=outreach,  # type: ignore[arg-type]
            draws=draws,
            part=part,
            on_point=on_point,
        )
    points = split_points(roster, campaign, first_value=first_value, part=part, on_point=on_point)
    ranges = split_bands(roster.table, points, campaign.decay, assumptions, draws=draws)
    return split_curve(roster, campaign, points=points), ranges
