"""How fast the risk simulation answers (issue 5 targets), against a named reference.

    python benchmarks/risk.py [--repeats 7]

Times, on the sample roster with a $100,000 budget and the default assumptions:
- 10,000 draws of the optimal plan (`planner.risk.simulate`); target <= 100 ms; and the first
  call alone, which also makes the standard draws every later call transforms;
- the P10-P90 bands of the split curve (`split_bands`, 11 band plans x CURVE_DRAWS draws, as
  the dashboard draws them); target <= 1 s; and the band plans solved as well (`split_points`);
- reference: the same 10,000 draws done the direct way, one lognormal per post (the planner
  draws one moment-matched lognormal per influencer), with both means printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner import Campaign, make_plan, read_roster  # noqa: E402
from planner.model import first_post_engagement  # noqa: E402
from planner.plan import split_points  # noqa: E402
from planner.risk import (  # noqa: E402
    CURVE_DRAWS,
    Assumptions,
    plan_posts,
    reply_rates,
    simulate,
    split_bands,
    spreads,
)


def per_post_reference(roster, plan, assumptions, draws, seed=7):  # type: ignore[no-untyped-def]
    table = roster.table
    owner, k = plan_posts(roster, plan)
    value = first_post_engagement(table)[owner] * plan.campaign.decay**k
    sigma = np.sqrt(np.log1p(spreads(table, assumptions)[owner] ** 2))
    rng = np.random.default_rng(seed)
    posts = np.exp(rng.standard_normal((draws, owner.size)) * sigma - sigma**2 / 2) * value
    rows, where = np.unique(owner, return_inverse=True)
    per_influencer = np.zeros((draws, rows.size))
    np.add.at(per_influencer.T, where, posts.T)
    accepted = rng.random((draws, rows.size)) < reply_rates(table, assumptions)[rows]
    s = np.sqrt(np.log1p(assumptions.shared_spread**2))
    shock = np.exp(rng.standard_normal(draws) * s - s * s / 2)
    return (per_influencer * accepted).sum(axis=1) * shock


def timed(function, repeats: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    roster = read_roster(ROOT / "data" / "sample_roster.csv")
    campaign = Campaign(budget=100_000)
    plan = make_plan(roster, campaign)
    assumptions = Assumptions()
    started = time.perf_counter()
    simulate(roster, plan, assumptions)  # the first call also makes the kept standard draws
    first = time.perf_counter() - started

    ours, outcome = timed(lambda: simulate(roster, plan, assumptions), args.repeats)
    ref, reference = timed(
        lambda: per_post_reference(roster, plan, assumptions, 10_000), args.repeats
    )
    solve, points = timed(lambda: split_points(roster, campaign), max(1, args.repeats // 3))
    bands, _ = timed(
        lambda: split_bands(roster.table, points, campaign.decay, assumptions),
        args.repeats,
    )
    ms = 1000
    posts = int(plan.allocations["posts"].sum())
    print(f"sample plan: {len(plan.allocations)} influencers, {posts} posts")
    print(
        f"10,000 draws of the plan:        {ours * ms:7.1f} ms  (target 100 ms: "
        f"{ours / 0.1:.2f}x of it; mean {outcome.engagement.mean():,.0f}, "
        f"exact expectation {outcome.expected:,.0f})"
    )
    print(f"  the first call, making the standard draws: {first * ms:.1f} ms")
    print(
        f"reference, one draw per post:    {ref * ms:7.1f} ms  (ours is {ref / ours:.1f}x faster; "
        f"mean {reference.mean():,.0f})"
    )
    print(
        f"split-curve bands ({len(points)} x {CURVE_DRAWS}):   {bands * ms:7.1f} ms  "
        f"(target 1,000 ms: {bands:.2f}x of it)"
    )
    print(
        f"  with the band plans solved:    {(bands + solve) * ms:7.1f} ms  "
        f"(solving alone {solve * ms:.0f} ms)"
    )


if __name__ == "__main__":
    main()
