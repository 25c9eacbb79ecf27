"""Optimiser speed against the textbook formulation (one binary per post, HiGHS, gap 1e-6).

    python benchmarks/optimiser.py [--sizes 500 5000 50000] [--repeats 5]

Prints, per roster, the median time of our optimiser and of the reference, the ratio, and both
plans' values and certified gaps. Budgets are 10% of what buying every allowed post would cost,
with the macro share capped at 60%.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planner.mip import solve_mip  # noqa: E402
from planner.model import build_items  # noqa: E402
from planner.roster import check_roster  # noqa: E402
from planner.settings import Campaign  # noqa: E402
from planner.solver import solve  # noqa: E402
from planner.synthetic import synthetic_roster  # noqa: E402


def timed(fn, repeats):
    times, result = [], None
    for _ in range(repeats):
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
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
