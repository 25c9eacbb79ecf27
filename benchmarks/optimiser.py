"""Optimiser speed against the mixed-integer reference (one binary per post, HiGHS, gap 1e-6).

    python benchmarks/optimiser.py [--sizes 500 5000 50000] [--repeats 5]
    python benchmarks/optimiser.py --capped [--caps 25 50 200] [--sizes ...]
    python benchmarks/optimiser.py --split-curve [--sizes ...]
    python benchmarks/optimiser.py --sample-caps [--caps 30 100 200]
    python benchmarks/optimiser.py --random-caps 800 [--seed 22]
    python benchmarks/optimiser.py --frontier [--sizes ...] [--frontier-caps 30]

Default: per roster, the median time of our optimiser and of the reference, the ratio, and both
plans' values and certified gaps. Budgets are 10% of what buying every allowed post would cost,
with the macro share capped at 60%.

--capped: the same rosters with a cap on influencers in total, with the macro band 0-60% and
20-50%: our median time, the ratio to the uncapped time at the same size, whether the engine had
to hand over to HiGHS, and HiGHS on the same model with --reference-time-limit (reported as "did
not finish" with its best gap when it runs out). One small capped plan is solved first, so that
loading the compiled kernels (numba, once per process) is not in the first rows (every mode
does this).

--sample-caps: the sample roster with each cap of --caps (and none), macro 0-60% (0 to
--caps-top: 1.0 is the app's default band), at every $5,000 from $20,000 to $200,000: median,
90th percentile and slowest plan, and how many budgets the engine handed to HiGHS.
--caps-roster N: a synthetic roster of N rows (seed 19, the one
`benchmarks/browser_responsiveness.py --roster N` uploads) instead of the sample; --caps-curve:
also the split curve (11 points, `planner.plan.split_points`) at $100,000 for each cap.

--random-caps N: N capped models drawn at random (numpy seed --seed): a synthetic roster of
300, 800 or 2,000 rows (its own seed, realistic or rate-card prices), a budget of 2%, 5%, 10% or
20% of what every allowed post costs, at most 10, 30, 60, 120 or 250 influencers, macro 0-60% or
0-100%; each solved once. Prints how many took over 0.3 s and over 1 s and how many the engine
handed to HiGHS, the median, 90th and 99th percentiles and the slowest, then the slowest models
with what draws them again (rows, roster seed, prices, budget share, cap, band's top): the tail
that the fixed cases above do not reach (found in the twenty-second session: rate-card rosters,
whose engagement per dollar is nearly the same for every influencer, with a cap that binds).

--split-curve: the 11 certified points of the split curve (`planner.solver.solve_bands` over
the bands of `planner.plan.split_bands`, from shared work) against one plan (`solve`), both from
the same posts (`build_items`, which `split_points` and `make_plan` each call once, is outside
both timings: until the twentieth session the curve's time included it and the plan's did not),
and against the same 11 bands each solved alone (`solve`, as the code before the shared curve
did), interleaved, with the largest relative difference between the two; --skip-independent
leaves the last out (50,000).

--frontier: the budget frontier (`planner.plan.budget_frontier`, 20 budgets from 10% to 200%
of the campaign's, each plan solved from shared work: `BudgetPlans`) against the same budgets
each planned alone (`make_plan` per budget, as the frontier did until the twenty-fourth
session), interleaved, on the rosters of the rows above at $100,000 (macro 0-60%), without a
cap and with each cap of --frontier-caps; whether both gave the same figures, and one plan's
time for scale.

Every plan is timed from posts not ranked yet, as the first plan of a roster just uploaded
(`planner.solver.forget_rankings` before each; since the twenty-fifth session the engine keeps
the rankings of the last posts it planned, `ranked_posts`, so that every later move of the same
roster skips them); --split-curve prints the times with the posts ranked too.

--kinds: the rosters, `realistic` and `rate-card` (rate-card prices) by default; `celebrity` is
the realistic roster with one more macro influencer whose single post costs 77% of the budget and
earns 1.2 times the best engagement per dollar of the other macro influencers (an agency's
roster with a star: the split curve's bands up to 75% cannot buy that post, and until the
eighteenth session their LP bounds bought part of it).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dataclasses  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import planner.mip  # noqa: E402
from planner.mip import solve_mip  # noqa: E402
from planner.model import build_items  # noqa: E402
from planner.plan import budget_frontier, make_plan, split_bands, split_points  # noqa: E402
from planner.roster import Roster, check_roster, read_roster  # noqa: E402
from planner.settings import Campaign  # noqa: E402
from planner.solver import forget_rankings, solve, solve_bands  # noqa: E402
from planner.synthetic import synthetic_roster  # noqa: E402


def timed(fn, repeats):
    """The median time of `fn` over `repeats` calls, each from posts not ranked yet (as the
    first plan of a roster just uploaded; `planner.solver.ranked_posts`), and its result."""
    times, result = [], None
    for _ in range(repeats):
        forget_rankings()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000, 50000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--reference-repeats", type=int, default=1)
    parser.add_argument(
        "--reference-max-size",
        type=int,
        default=5000,
        help="skip the textbook formulation above this size",
    )
    parser.add_argument("--reference-time-limit", type=float, default=300.0)
    parser.add_argument("--capped", action="store_true", help="caps on influencers in total")
    parser.add_argument("--caps", type=int, nargs="+", default=[25, 50, 200])
    parser.add_argument("--kinds", nargs="+", default=["realistic", "rate-card"])
    parser.add_argument("--split-curve", action="store_true", help="11 points vs one plan")
    parser.add_argument(
        "--skip-independent", action="store_true", help="split curve: no 11 independent solves"
    )
    parser.add_argument(
        "--sample-caps",
        action="store_true",
        help="the sample roster with caps on influencers in total, budgets $20,000-$200,000",
    )
    parser.add_argument(
        "--caps-roster",
        type=int,
        default=0,
        help="with --sample-caps: a synthetic roster of this many rows (seed 19, as "
        "benchmarks/browser_responsiveness.py --roster uploads) instead of the sample",
    )
    parser.add_argument(
        "--caps-top",
        type=float,
        default=0.6,
        help="with --sample-caps: the macro share's top (1.0: the app's default band, 0-100%%)",
    )
    parser.add_argument(
        "--caps-curve",
        action="store_true",
        help="with --sample-caps: also the split curve (11 points) at $100,000 for each cap",
    )
    parser.add_argument(
        "--random-caps", type=int, default=0, help="this many capped models drawn at random"
    )
    parser.add_argument("--seed", type=int, default=22, help="with --random-caps: numpy's seed")
    parser.add_argument(
        "--frontier", action="store_true", help="the budget frontier: shared vs each plan alone"
    )
    parser.add_argument(
        "--frontier-caps", type=int, nargs="*", default=[30], help="with --frontier: the caps"
    )
    args = parser.parse_args()
    # Small plans first: each compiled kernel (planner/kernels.py) is loaded from numba's cache
    # (or compiled) on its first use in a process, which is not what the rows measure.
    _warm_kernels()
    if args.capped:
        capped(args)
        return
    if args.split_curve:
        curve(args)
        return
    if args.sample_caps:
        sample_caps(args)
        return
    if args.random_caps:
        random_caps(args)
        return
    if args.frontier:
        frontier(args)
        return
    print(
        f"{'roster':<22} {'ours ms':>9} {'textbook ms':>12} {'ratio':>7} "
        f"{'our value':>14} {'our gap':>9} {'ref value':>14} {'ref gap':>9}"
    )
    for size in args.sizes:
        for kind in ("realistic", "rate-card"):
            raw = synthetic_roster(size, seed=7, rate_card_priced=kind == "rate-card")
            roster = check_roster(raw)
            total = float((roster.table["cost_per_post"] * 3).sum())
            campaign = Campaign(budget=round(total * 0.1), macro_share_max=0.6)
            items = build_items(roster.table, campaign)
            ours_t, ours = timed(lambda items=items: solve(items), args.repeats)
            line = f"{size:>6} {kind:<15} {ours_t * 1000:>9.1f} "
            if size <= args.reference_max_size:
                ref_t, ref = timed(
                    lambda items=items: solve_mip(items, time_limit=args.reference_time_limit),
                    args.reference_repeats,
                )
                line += f"{ref_t * 1000:>12.0f} {ref_t / ours_t:>6.1f}x "
            else:
                ref, line = None, line + f"{'skipped':>12} {'':>7} "
            line += f"{ours.value:>14,.1f} {ours.gap:>9.1e} "
            if ref is not None:
                line += f"{ref.value:>14,.1f} {ref.gap:>9.1e}"
            print(line, flush=True)


def _case(size: int, kind: str) -> tuple[object, Campaign]:
    raw = synthetic_roster(size, seed=7, rate_card_priced=kind == "rate-card")
    roster = check_roster(raw)
    total = float((roster.table["cost_per_post"] * 3).sum())
    campaign = Campaign(budget=round(total * 0.1), macro_share_max=0.6)
    if kind == "celebrity":
        table = roster.table
        macro = table["followers"] >= 1_000_000
        per_dollar = (
            table["followers"] * table["engagement_rate"] * table["audience_quality"]
        ) / table["cost_per_post"]
        price = round(0.77 * campaign.budget)
        star = {
            "name": "@celebrity",
            "platform": "instagram",
            "niche": "lifestyle",
            "followers": round(1.2 * float(per_dollar[macro].max()) * price / 0.05),
            "engagement_rate": 0.05,
            "cost_per_post": float(price),
            "max_posts": 1,
            "audience_quality": 1.0,
        }
        roster = check_roster(pd.concat([raw, pd.DataFrame([star])], ignore_index=True))
    return roster, campaign


def _warm_kernels() -> None:
    """Load every compiled kernel once (an uncapped and a capped plan whose programmes run)."""
    roster, base = _case(300, "rate-card")
    for cap in (None, 5):
        solve(build_items(roster.table, dataclasses.replace(base, max_influencers=cap)))


class _Watch:
    """Counts the engine's hand-overs to HiGHS's branch and bound."""

    def __init__(self) -> None:
        self.calls = 0
        self._real = planner.mip.solve_mip

    def __enter__(self) -> _Watch:
        def counted(*a, **k):
            self.calls += 1
            return self._real(*a, **k)

        planner.mip.solve_mip = counted
        return self

    def __exit__(self, *exc: object) -> None:
        planner.mip.solve_mip = self._real


def capped(args: argparse.Namespace) -> None:
    print(
        f"{'roster':<17} {'band':<7} {'cap':>4} {'ours ms':>9} {'uncapped ms':>12} {'x unc':>6} "
        f"{'HiGHS?':>6} {'our gap':>8} {'ref ms':>9} {'ref/ours':>8} {'ref gap':>8}"
    )
    for size in args.sizes:
        for kind in args.kinds:
            roster, base = _case(size, kind)
            items0 = build_items(roster.table, base)
            plain_t, _ = timed(lambda items0=items0: solve(items0), args.repeats)
            for band in ((0.0, 0.6), (0.2, 0.5)):
                for cap in args.caps:
                    campaign = dataclasses.replace(
                        base, macro_share_min=band[0], macro_share_max=band[1], max_influencers=cap
                    )
                    items = build_items(roster.table, campaign)
                    with _Watch() as watch:
                        ours_t, ours = timed(lambda items=items: solve(items), args.repeats)
                    line = (
                        f"{size:>6} {kind:<10} {band[0]:.1f}-{band[1]:.1f} {cap:>4} "
                        f"{ours_t * 1000:>9.0f} {plain_t * 1000:>12.0f} {ours_t / plain_t:>5.1f}x "
                        f"{'yes' if watch.calls else 'no':>6} {ours.gap:>8.1e} "
                    )
                    if size <= args.reference_max_size:
                        ref_t, ref = timed(
                            lambda items=items: solve_mip(
                                items, time_limit=args.reference_time_limit
                            ),
                            args.reference_repeats,
                        )
                        done = ref.status in ("optimal", "infeasible")
                        ref_ms = (
                            f"{ref_t * 1000:>9.0f}"
                            if done
                            else f"{'>' + str(int(args.reference_time_limit)) + ' s':>9}"
                        )
                        line += f"{ref_ms} {ref_t / ours_t:>7.1f}x {ref.gap:>8.1e}"
                    else:
                        line += f"{'skipped':>9}"
                    print(line, flush=True)


def curve(args: argparse.Namespace) -> None:
    """Interleaved, one repeat at a time: one plan, the shared curve, the 11 bands solved
    independently (the code before the shared curve did exactly that), each from posts not
    ranked yet (a roster just uploaded); then one plan and the curve again with the posts
    ranked already (`planner.solver.ranked_posts`: every later move of the same roster)."""
    print(
        f"{'roster':<17} {'one plan ms':>11} {'11 shared ms':>12} {'x one':>6} "
        f"{'11 alone ms':>11} {'alone/shared':>12} {'worst gap':>9} {'max diff':>9}  "
        f"{'ranked: one':>11} {'11 shared':>9} {'x one':>6}"
    )
    for size in args.sizes:
        for kind in args.kinds:
            roster, campaign = _case(size, kind)
            items = build_items(roster.table, campaign)
            limits = [band.limits for band in split_bands(items)]
            one, shared, alone, one_ranked, shared_ranked = [], [], [], [], []
            points, independent = [], []
            for _ in range(args.repeats):
                forget_rankings()
                start = time.perf_counter()
                solve(items)
                one.append(time.perf_counter() - start)
                forget_rankings()
                start = time.perf_counter()
                points = solve_bands(items, limits)
                shared.append(time.perf_counter() - start)
                if not args.skip_independent:
                    forget_rankings()
                    start = time.perf_counter()
                    independent = [
                        solve(dataclasses.replace(items, macro_min=low, macro_max=high))
                        for low, high in limits
                    ]
                    alone.append(time.perf_counter() - start)
                start = time.perf_counter()  # (the posts are ranked now)
                solve(items)
                one_ranked.append(time.perf_counter() - start)
                start = time.perf_counter()
                solve_bands(items, limits)
                shared_ranked.append(time.perf_counter() - start)
            one_t, curve_t = statistics.median(one), statistics.median(shared)
            worst = max(p.gap for p in points if p.status != "infeasible")
            line = f"{size:>6} {kind:<10} {one_t * 1000:>11.1f} {curve_t * 1000:>12.1f} "
            line += f"{curve_t / one_t:>5.1f}x "
            if alone:
                alone_t = statistics.median(alone)
                diff = max(
                    abs(p.value - q.value) / max(q.value, 1e-12)
                    for p, q in zip(points, independent, strict=True)
                    if q.status != "infeasible"
                )
                line += f"{alone_t * 1000:>11.0f} {alone_t / curve_t:>11.1f}x "
            else:
                line += f"{'skipped':>11} {'':>12} "
                diff = float("nan")
            one_r, curve_r = statistics.median(one_ranked), statistics.median(shared_ranked)
            line += f"{worst:>9.1e} {diff:>9.1e}  {one_r * 1000:>11.1f} {curve_r * 1000:>9.1f} "
            print(line + f"{curve_r / one_r:>5.1f}x", flush=True)


def frontier(args: argparse.Namespace) -> None:
    """Interleaved, one repeat at a time: the frontier from shared work, the same budgets each
    planned alone (the code before), one plan."""
    print(
        f"{'roster':<17} {'cap':>4} {'one plan ms':>11} {'frontier ms':>11} "
        f"{'alone ms':>9} {'alone/shared':>12} {'x one':>6}  same"
    )
    for size in args.sizes:
        for kind in args.kinds:
            roster, _ = _case(size, kind)
            for cap in [None, *args.frontier_caps]:
                campaign = Campaign(budget=100_000, macro_share_max=0.6, max_influencers=cap)
                one, shared, alone = [], [], []
                ours = theirs = None
                for _ in range(args.repeats):
                    forget_rankings()
                    start = time.perf_counter()
                    make_plan(roster, campaign)
                    one.append(time.perf_counter() - start)
                    forget_rankings()
                    start = time.perf_counter()
                    ours = budget_frontier(roster, campaign)
                    shared.append(time.perf_counter() - start)
                    forget_rankings()
                    start = time.perf_counter()
                    theirs = budget_frontier(roster, campaign, plan_for=make_plan)
                    alone.append(time.perf_counter() - start)
                one_t, shared_t = statistics.median(one), statistics.median(shared)
                alone_t = statistics.median(alone)
                same = ours is not None and ours.equals(theirs)
                print(
                    f"{size:>6} {kind:<10} {cap or '-':>4} {one_t * 1000:>11.1f} "
                    f"{shared_t * 1000:>11.0f} {alone_t * 1000:>9.0f} "
                    f"{alone_t / shared_t:>11.1f}x {shared_t / one_t:>5.1f}x  {same}",
                    flush=True,
                )


def sample_caps(args: argparse.Namespace) -> None:
    """The sample roster (data/sample_roster.csv, 397 influencers) with the caps of --caps on
    influencers in total, macro 0-60% (0 to --caps-top), at every $5,000 from $20,000 to
    $200,000: a marketer's own caps moving the budget slider. Per cap: the median, 90th
    percentile and slowest plan, how many budgets took over 0.1 s, and how many the engine
    handed to HiGHS."""
    if args.caps_roster:
        roster = check_roster(synthetic_roster(args.caps_roster, seed=19))
    else:
        roster = read_roster(Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv")
    budgets = range(20_000, 200_001, 5_000)
    print(
        f"{'cap':>5} {'median ms':>10} {'p90 ms':>8} {'max ms':>8} {'over 0.1 s':>10} {'HiGHS':>6}"
    )
    for cap in [None, *args.caps]:
        times, slow = [], 0
        with _Watch() as watch:
            for budget in budgets:
                campaign = Campaign(
                    budget=budget, macro_share_max=args.caps_top, max_influencers=cap
                )
                items = build_items(roster.table, campaign)
                forget_rankings()
                start = time.perf_counter()
                solve(items)
                times.append(time.perf_counter() - start)
                slow += times[-1] > 0.1
        ms = sorted(t * 1000 for t in times)
        print(
            f"{cap or 'none':>5} {statistics.median(ms):>10.0f} {ms[int(0.9 * len(ms))]:>8.0f} "
            f"{ms[-1]:>8.0f} {slow:>7}/{len(ms)} {watch.calls:>6}",
            flush=True,
        )
    if not args.caps_curve:
        return
    print(f"{'cap':>5} {'split curve at $100,000 (11 points) s':>38} {'HiGHS':>6}")
    for cap in [None, *args.caps]:
        campaign = Campaign(budget=100_000, macro_share_max=args.caps_top, max_influencers=cap)
        with _Watch() as watch:
            start = time.perf_counter()
            split_points(roster, campaign)
            took = time.perf_counter() - start
        print(f"{cap or 'none':>5} {took:>38.2f} {watch.calls:>6}", flush=True)


def random_caps(args: argparse.Namespace) -> None:
    """Capped models drawn at random (see the module's docstring), each solved once."""
    rng = np.random.default_rng(args.seed)
    drawn: tuple[tuple[int, int, bool], Roster, float] | None = None  # the last roster made
    rows = []
    for _ in range(args.random_caps):
        size = int(rng.choice([300, 800, 2000]))
        seed = int(rng.integers(1000))
        rate_card = bool(rng.integers(2))
        share = float(rng.choice([0.02, 0.05, 0.1, 0.2]))
        cap = int(rng.choice([10, 30, 60, 120, 250]))
        top = float(rng.choice([0.6, 1.0]))
        if drawn is None or drawn[0] != (size, seed, rate_card):
            roster = check_roster(synthetic_roster(size, seed=seed, rate_card_priced=rate_card))
            total = float((roster.table["cost_per_post"] * 3).sum())
            drawn = ((size, seed, rate_card), roster, total)
        _, roster, total = drawn
        campaign = Campaign(budget=round(total * share), max_influencers=cap, macro_share_max=top)
        items = build_items(roster.table, campaign)
        with _Watch() as watch:
            forget_rankings()
            start = time.perf_counter()
            found = solve(items)
            took = time.perf_counter() - start
        rows.append((took, watch.calls, size, seed, rate_card, share, cap, top, found.status))
    ms = sorted(row[0] * 1000 for row in rows)
    print(
        f"{len(rows)} models: over 0.3 s {sum(t > 300 for t in ms)}, over 1 s "
        f"{sum(t > 1000 for t in ms)}, handed to HiGHS {sum(row[1] > 0 for row in rows)}; "
        f"median {statistics.median(ms):.0f} ms, p90 {ms[int(0.9 * len(ms))]:.0f} ms, "
        f"p99 {ms[int(0.99 * len(ms))]:.0f} ms, slowest {ms[-1]:.0f} ms"
    )
    print(
        f"{'ms':>7} {'HiGHS':>5} {'rows':>5} {'seed':>4} {'prices':<9} {'budget':>6} {'cap':>4} "
        f"{'top':>4} status"
    )
    for took, calls, size, seed, rate_card, share, cap, top, status in sorted(rows)[::-1][:10]:
        print(
            f"{took * 1000:>7.0f} {calls:>5} {size:>5} {seed:>4} "
            f"{'rate-card' if rate_card else 'realistic':<9} {share:>6.0%} {cap:>4} {top:>4.0%} "
            f"{status}"
        )


if __name__ == "__main__":
    main()
