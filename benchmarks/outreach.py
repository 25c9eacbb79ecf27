"""How fast the outreach simulation answers (issue 18 targets), and which strategy earns most.

    python benchmarks/outreach.py [--repeats 7] [--against REV]   # speed
    python benchmarks/outreach.py --strategies   # the strategy comparison (docs/outreach.md)
    python benchmarks/outreach.py --candidates [--against REV]   # the forecast's candidates
    python benchmarks/outreach.py --curve-noise [--against REV]   # the curve's 500 draws
    python benchmarks/outreach.py --headline-steps --roster 5000 [--cap 30]   # the two steps

Speed, default assumptions (3 rounds) and the default strategy, against a named reference:
- 10,000 simulated campaigns with outreach on the sample roster ($100,000): target <= 150 ms;
  reference: `planner.risk.simulate` of the optimal plan alone (no backups), timed interleaved;
- the same on a 5,000-influencer synthetic roster (`planner/synthetic.py`, seed 7, budget 2% of
  the cost of every allowed post, as a large campaign; and 10%): target <= 1 s;
- the realistic split curve with its bands (`outreach_split_curve`: 11 band plans solved, each
  with its own backups, 500 simulated campaigns each) on the sample roster: target <= 1.5 s,
  whole and as the app's two workers split it (the slower half); reference: today's
  `split_curve_ranges` (band plans and their ranges without backups).
- `--against REV`: also times `simulate_outreach` as it was at git revision REV (its
  `planner/outreach.py` loaded as a module of its own, the same outreach list), interleaved,
  and prints the ratio and whether the draws are the same; then the same on two more lists: a
  capped rate-card roster of 5,000 with 6 rounds (later rounds look far down the list for an
  offer they can still pay for) and 50,000 influencers.
Every time is the median of the runs; the ratios are the fairer figure on a busy machine.

Curve noise: the realistic split curve of the sample roster ($100,000) at its own 500 simulated
campaigns a point (`planner.risk.CURVE_DRAWS`) against the same curve at the headline's 10,000,
for seeds 7, 8 and 9: each point's difference in %, and the best share of each (and the same at
`--against REV`'s `planner/outreach.py`).

Headline steps: the headline's two steps (`ui/headline.show_forecast`) on a synthetic roster of
`--roster` rows (`planner/synthetic.py`, seed 19, as `browser_responsiveness.py --roster` uploads)
at $100,000, with at most `--cap` influencers in total if given, in one process without caches:
one plan (`make_plan`, the reference), the first figures (the plan for the campaign's band,
simulated: `forecast(candidates=False)`), the final figures (the candidates compared:
`forecast(start=first)`, the split curve's 11 band plans and their simulations) and the 11 band
plans alone (`split_points`); medians of `--repeats` runs after one to load the compiled code.

Strategies: each strategy and backup order on the sample roster ($30,000 and $100,000) and on
synthetic rosters of 500 and 2,000 influencers (seed 7, budget 5% of the cost of every allowed
post), 10,000 simulated campaigns each with the same seed; plus today's plan with today's
backup list (`planner.risk.outreach_list`, cut where its expected spend reaches the budget).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from planner import Campaign, make_plan, read_roster  # noqa: E402
from planner.outreach import (  # noqa: E402
    BACKUP_ORDERS,
    STRATEGIES,
    curve_campaign,
    forecast,
    outreach_offers,
    outreach_split_curve,
    simulate_outreach,
)
from planner.plan import split_points  # noqa: E402
from planner.risk import Assumptions, outreach_list, simulate, split_curve_ranges  # noqa: E402
from planner.roster import check_roster  # noqa: E402
from planner.synthetic import synthetic_roster  # noqa: E402


def interleaved(a, b, repeats: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median seconds of `a` and of `b`, run in turns (the machine's speed drifts)."""
    ta, tb = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        a()
        ta.append(time.perf_counter() - started)
        started = time.perf_counter()
        b()
        tb.append(time.perf_counter() - started)
    return statistics.median(ta), statistics.median(tb)


def module_at(revision: str):  # type: ignore[no-untyped-def]
    """planner/outreach.py as it was at git revision `revision`, as a module of its own."""
    source = subprocess.run(
        ["git", "show", f"{revision}:planner/outreach.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "outreach_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("outreach_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["outreach_before"] = module
    spec.loader.exec_module(module)
    return module


def against(before, offers, campaign, assumptions, repeats: int, ms: int = 1000) -> None:  # type: ignore[no-untyped-def]
    """Time the code before (`before`) against today's on the same list, interleaved."""
    if before is None:
        return
    ours_outcome = simulate_outreach(offers, campaign, assumptions)
    theirs_outcome = before.simulate_outreach(offers, campaign, assumptions)
    ours, theirs = interleaved(
        lambda: simulate_outreach(offers, campaign, assumptions),
        lambda: before.simulate_outreach(offers, campaign, assumptions),
        repeats,
    )
    same = all(
        np.allclose(getattr(ours_outcome, name), getattr(theirs_outcome, name), rtol=1e-9)
        for name in ("engagement", "spend", "booked", "contacted", "booking_rate")
    )
    print(
        f"  the code before ({before.__name__}): {theirs * ms:7.1f} ms; today's "
        f"{ours * ms:7.1f} ms: {theirs / ours:.1f}x as fast "
        f"({'the same draws' if same else 'different draws'})"
    )


def synthetic(size: int, share: float):  # type: ignore[no-untyped-def]
    roster = check_roster(synthetic_roster(size, seed=7))
    total = float((roster.table["cost_per_post"] * 3).sum())
    return roster, Campaign(budget=round(total * share))


def later_rounds(before, repeats: int) -> None:  # type: ignore[no-untyped-def]
    """With `--against`: lists where a draw's later rounds have little open and look far down
    the list for offers they can still pay for (a rate-card roster with a cap, many rounds), and
    the largest list (50,000 influencers)."""
    cases = [
        (
            "5,000 rate-card influencers, $40,000, at most 50 influencers, 6 rounds",
            check_roster(synthetic_roster(5_000, seed=3, rate_card_priced=True)),
            Campaign(budget=40_000, max_influencers=50),
            Assumptions(rounds=6),
        ),
        (
            "50,000 influencers, $1,000,000",
            check_roster(synthetic_roster(50_000, seed=19)),
            Campaign(budget=1_000_000),
            Assumptions(),
        ),
    ]
    for label, roster, campaign, assumptions in cases:
        _, offers = outreach_offers(roster, campaign, assumptions)
        print(f"{label}: list of {offers.size:,} offers")
        against(before, offers, campaign, assumptions, repeats)


def speed(repeats: int, revision: str | None = None, *, curve: bool = True) -> None:
    assumptions = Assumptions()
    before = module_at(revision) if revision else None
    if before is not None:
        before.__name__ = f"planner/outreach.py at {revision}"
    ms = 1000
    roster = read_roster(ROOT / "data" / "sample_roster.csv")
    campaign = Campaign(budget=100_000)
    plan = make_plan(roster, campaign)
    _, offers = outreach_offers(roster, campaign, assumptions)
    started = time.perf_counter()
    outcome = simulate_outreach(offers, campaign, assumptions)
    first = time.perf_counter() - started
    simulate(roster, plan, assumptions)
    ours, ref = interleaved(
        lambda: simulate_outreach(offers, campaign, assumptions),
        lambda: simulate(roster, plan, assumptions),
        repeats,
    )
    print(f"sample roster, ${campaign.budget:,.0f}: list of {offers.size} offers")
    print(
        f"  10,000 campaigns with outreach: {ours * ms:7.1f} ms (target 150 ms: {ours / 0.15:.2f}x "
        f"of it; first call {first * ms:.0f} ms; mean {outcome.engagement.mean():,.0f})"
    )
    print(
        f"  reference, planner.risk.simulate of the plan alone: {ref * ms:7.1f} ms "
        f"(outreach takes {ours / ref:.1f}x as long)"
    )
    against(before, offers, campaign, assumptions, repeats)
    for share in (0.02, 0.1):
        big, big_campaign = synthetic(5_000, share)
        big_plan = make_plan(big, big_campaign)
        _, big_offers = outreach_offers(big, big_campaign, assumptions)
        started = time.perf_counter()
        big_outcome = simulate_outreach(big_offers, big_campaign, assumptions)
        big_first = time.perf_counter() - started
        ours, ref = interleaved(
            lambda o=big_offers, c=big_campaign: simulate_outreach(o, c, assumptions),
            lambda r=big, p=big_plan: simulate(r, p, assumptions),
            max(1, repeats // 2),
        )
        print(
            f"5,000 influencers, ${big_campaign.budget:,.0f} ({share:.0%} of every post's cost; "
            f"plan of {len(big_plan.allocations)}; contacted {big_outcome.contacted.mean():,.0f} "
            f"on average):"
        )
        print(
            f"  10,000 campaigns with outreach: {ours * ms:7.1f} ms (target 1,000 ms: "
            f"{ours:.2f}x of it; first call {big_first * ms:.0f} ms)"
        )
        print(
            f"  reference, planner.risk.simulate of the plan alone: {ref * ms:7.1f} ms "
            f"(outreach takes {ours / ref:.1f}x as long)"
        )
        against(before, big_offers, big_campaign, assumptions, max(1, repeats // 2))
    if before is not None:
        later_rounds(before, max(1, repeats // 2))
    if not curve:
        return
    curve_repeats = max(1, repeats // 2)
    ours, ref = interleaved(
        lambda: outreach_split_curve(roster, campaign, assumptions),
        lambda: split_curve_ranges(roster, campaign, assumptions),
        curve_repeats,
    )
    half = max(
        interleaved(
            lambda i=i: outreach_split_curve(roster, campaign, assumptions, part=(i, 2)),
            lambda: None,
            curve_repeats,
        )[0]
        for i in range(2)
    )
    print("realistic split curve with bands (11 band plans, 500 campaigns each), sample roster:")
    print(
        f"  whole: {ours * ms:7.1f} ms (target 1,500 ms: {ours / 1.5:.2f}x of it); the slower of "
        f"the app's two parts: {half * ms:.0f} ms"
    )
    print(
        f"  reference, today's split_curve_ranges (no backups): {ref * ms:7.1f} ms "
        f"(realistic takes {ours / ref:.1f}x as long)"
    )


def strategies(draws: int) -> None:
    assumptions = Assumptions()
    sample = read_roster(ROOT / "data" / "sample_roster.csv")
    cases = [
        ("sample", sample, Campaign(budget=30_000)),
        ("sample", sample, Campaign(budget=100_000)),
    ]
    for size in (500, 2_000):
        roster, campaign = synthetic(size, 0.05)
        cases.append((f"synthetic {size}", roster, campaign))
    header = (
        f"{'strategy':<15} {'backups':<15} {'mean':>10} {'P10':>10} {'P90':>10} "
        f"{'spend':>10} {'filled':>7} {'contacted':>9} {'booked':>7}"
    )
    for name, roster, campaign in cases:
        print(f"\n{name} ({len(roster.table)} influencers), budget ${campaign.budget:,.0f}")
        print(header)
        runs = []
        for strategy in STRATEGIES:
            for order in BACKUP_ORDERS:
                _, offers = outreach_offers(
                    roster, campaign, assumptions, strategy=strategy, backup_order=order
                )
                runs.append((strategy, order, offers))
        plan = make_plan(roster, campaign)
        today = outreach_list(roster, plan, assumptions)
        _, offers = outreach_offers(
            roster, campaign, assumptions, strategy="plan", backup_order="reply_weighted"
        )
        runs.append(("plan", "today's list", offers.head(len(today))))
        for strategy, order, offers in runs:
            s = simulate_outreach(offers, campaign, assumptions, draws=draws).summary()
            print(
                f"{strategy:<15} {order:<15} {s['mean']:>10,.0f} {s['p10']:>10,.0f} "
                f"{s['p90']:>10,.0f} {s['mean_spend']:>10,.0f} {s['budget_filled']:>7.0%} "
                f"{s['mean_contacted']:>9,.0f} {s['mean_booked']:>7,.0f}"
            )


def candidates(revision: str | None, repeats: int) -> None:
    """The forecast's candidates by budget on the sample roster: the plan for the campaign's
    band alone (`candidates=False`), all micro, and the forecast (the best of the band's plan
    and the split curve's bands inside it), with the band it chose; then the forecast's time
    with and without the candidates (and at `revision`, when given), interleaved over 8
    budgets."""
    assumptions = Assumptions()
    roster = read_roster(ROOT / "data" / "sample_roster.csv")
    before = module_at(revision) if revision else None
    print(
        f"{'budget':>10} {'band plan':>12} {'all micro':>12} {'forecast':>12} {'chosen':>14}",
        end="",
    )
    print(f" {'at ' + revision:>14}" if before is not None else "")
    for budget in (20_000, 30_000, 40_000, 50_000, 60_000, 80_000, 100_000, 150_000, 200_000):
        campaign = Campaign(budget=budget)
        chosen = forecast(roster, campaign, assumptions)
        alone = forecast(roster, campaign, assumptions, candidates=False)
        micro = next((o for o in (chosen, *chosen.others) if o.candidate == "all micro"), None)
        micro_mean = micro.outcome.engagement.mean() if micro is not None else float("nan")
        band = (
            "band"
            if chosen.band is None
            else "all micro"
            if chosen.band[1] <= 0
            else f"{chosen.band[0]:.0%}-{chosen.band[1]:.0%}"
        )
        print(
            f"{budget:>10,} {alone.outcome.engagement.mean():>12,.0f} {micro_mean:>12,.0f} "
            f"{chosen.outcome.engagement.mean():>12,.0f} {band:>14}",
            end="",
        )
        if before is not None:
            old = before.forecast(roster, campaign, assumptions).outcome.engagement.mean()
            print(f" {old:>14,.0f}")
        else:
            print()
    times: dict[str, list[float]] = {"with": [], "without": [], "before": []}
    for _ in range(max(1, repeats // 7)):
        for budget in (80_000 + 5_000 * i for i in range(8)):
            campaign = Campaign(budget=budget)
            for name, call in (
                ("before", None if before is None else before.forecast),
                ("with", forecast),
                ("without", lambda *a: forecast(*a, candidates=False)),
            ):
                if call is None:
                    continue
                started = time.perf_counter()
                call(roster, campaign, assumptions)
                times[name].append(time.perf_counter() - started)
    line = ", ".join(
        f"{name} {statistics.median(t) * 1000:.0f} ms" for name, t in times.items() if t
    )
    print(f"forecast (plan, list, 10,000 campaigns), median over budgets $80,000-$115,000: {line}")


def curve_noise(revision: str | None) -> None:
    """How far the split curve's 500 simulated campaigns a point sit from 10,000 (the
    headline's), point by point, for three seeds; at `revision` too, when given."""
    assumptions = Assumptions()
    roster = read_roster(ROOT / "data" / "sample_roster.csv")
    campaign = Campaign(budget=100_000)
    modules = [("now", sys.modules[outreach_split_curve.__module__])]
    if revision:
        modules.append((revision, module_at(revision)))
    for name, module in modules:
        for seed in (7, 8, 9):
            small, _ = module.outreach_split_curve(roster, campaign, assumptions, seed=seed)
            big, _ = module.outreach_split_curve(
                roster, campaign, assumptions, seed=seed, draws=10_000
            )
            a = small["expected_engagement"].to_numpy(dtype=float)
            b = big["expected_engagement"].to_numpy(dtype=float)
            diff = " ".join(f"{d:+.1f}" for d in (a / b - 1) * 100)
            print(
                f"{name:>8} seed {seed}: 500 against 10,000 draws, % by point: {diff}; "
                f"best share {small['macro_share'].iloc[a.argmax()]:.0%} "
                f"({a.max():,.0f}) against {big['macro_share'].iloc[b.argmax()]:.0%} "
                f"({b.max():,.0f})"
            )


def headline_steps(rows: int, cap: int | None, repeats: int) -> None:
    """The headline's two steps on a synthetic roster (module docstring), against one plan."""
    roster = check_roster(synthetic_roster(rows, seed=19))
    campaign = Campaign(budget=100_000, max_influencers=cap)
    assumptions = Assumptions()
    names = ("one plan", "first figures", "final figures", "11 band plans")
    times: dict[str, list[float]] = {name: [] for name in names}
    for run in range(repeats + 1):
        started = time.perf_counter()
        plan = make_plan(roster, campaign)
        one = time.perf_counter()
        first = forecast(roster, campaign, assumptions, candidates=False, if_all_accepted=plan)
        shown = time.perf_counter()
        forecast(roster, campaign, assumptions, start=first, if_all_accepted=plan)
        final = time.perf_counter()
        split_points(roster, curve_campaign(campaign))
        bands = time.perf_counter()
        if run:  # (the first run loads the compiled code)
            for name, seconds in zip(
                times, (one - started, shown - one, final - shown, bands - final), strict=True
            ):
                times[name].append(seconds)
    reference = statistics.median(times["one plan"])
    print(f"{rows:,} rows, $100,000" + (f", at most {cap} influencers" if cap else ""))
    for name, seconds in times.items():
        median = statistics.median(seconds)
        print(f"  {name:<15} {median * 1000:8.1f} ms  {median / reference:6.1f}x one plan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--strategies", action="store_true", help="compare the strategies")
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument(
        "--against",
        metavar="REV",
        help="also time simulate_outreach as it was at this git revision (e.g. a commit)",
    )
    parser.add_argument("--no-curve", action="store_true", help="leave out the split curve")
    parser.add_argument(
        "--candidates", action="store_true", help="the forecast's candidates by budget"
    )
    parser.add_argument(
        "--curve-noise", action="store_true", help="the curve's 500 draws against 10,000"
    )
    parser.add_argument(
        "--headline-steps", action="store_true", help="the headline's two steps, --roster rows"
    )
    parser.add_argument("--roster", type=int, default=5_000, help="with --headline-steps")
    parser.add_argument("--cap", type=int, default=0, help="with --headline-steps: a cap")
    args = parser.parse_args()
    if args.headline_steps:
        headline_steps(args.roster, args.cap or None, max(1, args.repeats))
    elif args.curve_noise:
        curve_noise(args.against)
    elif args.candidates:
        candidates(args.against, args.repeats)
    elif args.strategies:
        strategies(args.draws)
    else:
        speed(args.repeats, args.against, curve=not args.no_curve)


if __name__ == "__main__":
    main()
