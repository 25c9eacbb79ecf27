"""Hard knapsack instances nobody here wrote: Pisinger's classes and the issue's hard shapes.

    python benchmarks/pisinger.py [--sizes 1000 10000] [--range 1000 10000] [--time-limit 60]
        [--classes ...] [--reference]

D. Pisinger, "Where are the hard knapsack problems?", Computers & Operations Research 32 (2005):
each instance is a 0/1 knapsack, here a roster where every influencer is micro, may post once
(max posts 1, decay 1) and earns their profit p_j for weight (price) w_j; the budget is
c = h / (H + 1) * sum(w) for instance h = 1..H (H = 100 in the paper; `--instance` picks h).
Classes implemented from the paper's definitions (R the data range):

- uncorrelated: w, p uniform in [1, R]
- weakly correlated: w in [1, R], p in [w - R/10, w + R/10] (p >= 1)
- strongly correlated: w in [1, R], p = w + R/10
- inverse strongly correlated: p in [1, R], w = p + R/10
- almost strongly correlated: w in [1, R], p in [w + R/10 - R/500, w + R/10 + R/500]
- subset sum: w in [1, R], p = w
- uncorrelated / weakly / strongly correlated spanner(2, 10): a spanner set of v = 2 items of
  that class, weights and profits divided by m = 10 (rounded up); each of the n items is a
  random spanner item times a random multiplier a in [1, m]
- profit ceiling(3): w in [1, R], p = 3 ceil(w / 3)
- circle(2/3): w in [1, R], p = (2/3) sqrt(4 R^2 - (w - 2R)^2)

Issue 19's shapes: 2,000 influencers with engagement exactly proportional to price (subset sum
in disguise, budget half the total plus $0.50); 100,000 influencers with a macro band of 10-30%
and at most 20 macro influencers; 100,000 with at most 500 influencers in total (`--shapes`).

Every solve runs with a time limit (never a hang): the result is the plan with its certified
gap, "optimal" at <= 1e-6. `--reference` also runs HiGHS's branch and bound with the same limit.
Each instance is solved in a child process: a child killed (for memory, say) or far past its
limit is reported as such and the benchmark goes on; `--memory` adds the children's peak memory.
The compiled kernels are loaded once before the children are forked, so no row includes that.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import multiprocessing
import queue
import resource
import signal
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planner.mip import solve_mip  # noqa: E402
from planner.model import build_items  # noqa: E402
from planner.roster import check_roster  # noqa: E402
from planner.settings import Campaign  # noqa: E402
from planner.solver import solve  # noqa: E402
from planner.synthetic import synthetic_roster  # noqa: E402

CLASSES = [
    "uncorrelated",
    "weakly",
    "strongly",
    "inverse-strongly",
    "almost-strongly",
    "subset-sum",
    "uncorrelated-spanner",
    "weakly-spanner",
    "strongly-spanner",
    "profit-ceiling",
    "circle",
]


def _basic(kind: str, n: int, r: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    w = rng.integers(1, r + 1, n)
    if kind == "uncorrelated":
        return w, rng.integers(1, r + 1, n)
    if kind == "weakly":
        p = w + rng.integers(-(r // 10), r // 10 + 1, n)
        return w, np.maximum(p, 1)
    if kind == "strongly":
        return w, w + r // 10
    raise ValueError(kind)


def pisinger(kind: str, n: int, r: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights and profits of one instance of a class (integers >= 1)."""
    rng = np.random.default_rng(seed)
    if kind in ("uncorrelated", "weakly", "strongly"):
        return _basic(kind, n, r, rng)
    if kind == "inverse-strongly":
        p = rng.integers(1, r + 1, n)
        return p + r // 10, p
    if kind == "almost-strongly":
        w = rng.integers(1, r + 1, n)
        spread = max(r // 500, 1)
        return w, w + r // 10 + rng.integers(-spread, spread + 1, n)
    if kind == "subset-sum":
        w = rng.integers(1, r + 1, n)
        return w, w.copy()
    if kind.endswith("-spanner"):
        v, m = 2, 10
        sw, sp = _basic(kind.removesuffix("-spanner"), v, r, rng)
        sw, sp = np.ceil(sw / m).astype(np.int64), np.ceil(sp / m).astype(np.int64)
        pick = rng.integers(0, v, n)
        mult = rng.integers(1, m + 1, n)
        return sw[pick] * mult, sp[pick] * mult
    if kind == "profit-ceiling":
        w = rng.integers(1, r + 1, n)
        return w, 3 * np.ceil(w / 3).astype(np.int64)
    if kind == "circle":
        w = rng.integers(1, r + 1, n)
        p = (2 / 3) * np.sqrt(4 * r * r - (w - 2 * r) ** 2)
        return w, np.maximum(np.rint(p).astype(np.int64), 1)
    raise ValueError(kind)


def knapsack_case(w: np.ndarray, p: np.ndarray, instance: int, of: int = 100):
    """The roster and campaign for weights (cents) and profits (engagements)."""
    n = w.size
    frame = pd.DataFrame(
        {
            "name": [f"i{j}" for j in range(n)],
            "followers": np.full(n, 10_000),
            "engagement_rate": p / 10_000 / p.max(),  # engagement proportional to p
            "cost_per_post": w / 100,
            "max_posts": np.ones(n, dtype=np.int64),
        }
    )
    budget_cents = math.floor(instance / (of + 1) * int(w.sum()))
    campaign = Campaign(budget=budget_cents / 100, max_posts=1, decay=1.0)
    return frame, campaign


def _solve_in_child(items, time_limit: float, reference: bool, out) -> None:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    ours = solve(items, time_limit=time_limit)
    result = [time.perf_counter() - start, ours.status, ours.gap]
    if reference:
        start = time.perf_counter()
        ref = solve_mip(items, time_limit=time_limit)
        result += [time.perf_counter() - start, ref.status, ref.gap]
    out.put(result)


def run(label: str, frame: pd.DataFrame, campaign: Campaign, args: argparse.Namespace) -> None:
    """One instance in a child process, so that whatever happens to it (killed for memory, or
    a solve that overruns its limit by far) this process reports it and goes on."""
    roster = check_roster(frame)
    items = build_items(roster.table, campaign)
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    child = context.Process(
        target=_solve_in_child, args=(items, args.time_limit, args.reference, out)
    )
    guard = args.time_limit * (2 if args.reference else 1) * 1.5 + 60
    start = time.perf_counter()
    child.start()
    result = None
    try:
        result = out.get(timeout=guard)
    except queue.Empty:
        pass
    child.join(timeout=5)
    if child.is_alive():
        child.kill()
        child.join()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if result is None:
        why = (
            f"no answer in {guard:.0f} s (killed)"
            if child.exitcode in (None, -signal.SIGKILL) and time.perf_counter() - start >= guard
            else f"child ended with exit code {child.exitcode}"
        )
        print(f"{label:<38} {why}; peak memory of the children so far {peak:,.0f} MB", flush=True)
        return
    ours_t, status, gap = result[:3]
    line = f"{label:<38} {ours_t:>8.2f} {status:>9} {gap:>9.1e}"
    if args.reference:
        ref_t, ref_status, ref_gap = result[3:]
        line += f" {ref_t:>8.2f} {ref_status:>9} {ref_gap:>9.1e}"
    print(line + (f" {peak:>8,.0f}" if args.memory else ""), flush=True)


def shapes(args: argparse.Namespace) -> None:
    # Subset sum in disguise: engagement exactly proportional to price.
    frame = synthetic_roster(2000, seed=1)
    ratio = frame["cost_per_post"] / frame["followers"]
    frame["engagement_rate"] = ratio * (0.9 / ratio.max())
    frame["max_posts"] = 3
    checked = check_roster(frame)
    total = float((checked.table["cost_per_post"] * 3).sum())
    run("proportional 2,000 (B = total/2 + 0.50)", frame, Campaign(budget=total / 2 + 0.5), args)
    big = synthetic_roster(100_000, seed=2)
    total = float((check_roster(big).table["cost_per_post"] * 3).sum())
    banded = Campaign(
        budget=round(total * 0.1), macro_share_min=0.1, macro_share_max=0.3, max_macro=20
    )
    run("100,000, band 10-30%, <= 20 macro", big, banded, args)
    capped = Campaign(budget=round(total * 0.1), max_influencers=500)
    run("100,000, <= 500 influencers", big, capped, args)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--range", type=int, nargs="+", default=[1000, 10000], dest="ranges")
    parser.add_argument("--classes", nargs="+", default=CLASSES, choices=CLASSES)
    parser.add_argument("--instance", type=int, default=50, help="h of H = 100 (budget share)")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--reference", action="store_true", help="also HiGHS, same limit")
    parser.add_argument("--shapes", action="store_true", help="the issue's hard rosters only")
    parser.add_argument(
        "--memory", action="store_true", help="peak memory of the solving processes so far (MB)"
    )
    args = parser.parse_args()
    header = f"{'instance':<38} {'ours s':>8} {'status':>9} {'our gap':>9}"
    if args.reference:
        header += f" {'HiGHS s':>8} {'status':>9} {'ref gap':>9}"
    if args.memory:
        header += f" {'peak MB':>8}"
    print(header)
    # The children are forked from this process: the compiled kernels (planner/kernels.py,
    # numba) are loaded here once, so that no row includes loading them (~0.5 s each).
    for cap in (None, 5):
        frame, campaign = knapsack_case(*pisinger("strongly", 300, 1000, seed=1), 50)
        campaign = dataclasses.replace(campaign, max_influencers=cap)
        solve(build_items(check_roster(frame).table, campaign))
    if args.shapes:
        shapes(args)
        return
    for kind in args.classes:
        for r in args.ranges:
            for n in args.sizes:
                w, p = pisinger(kind, n, r, seed=n + r)
                frame, campaign = knapsack_case(w, p, args.instance)
                run(f"{kind} n={n} R={r}", frame, campaign, args)


if __name__ == "__main__":
    main()
