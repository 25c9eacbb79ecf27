"""One capped plan on a large synthetic roster, where the programme gives up: its status, plan,
upper bound, certified gap and time (issue 19: the true gap, never a hang).

    python benchmarks/capped_gap.py [--size 50000] [--seed 19] [--budget 400000] [--cap 500]
                                    [--repeats 3]

Default settings otherwise (`Campaign`); one process, `time.perf_counter` around `solve`; the
first repeat includes loading the compiled kernels.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planner import Campaign, check_roster  # noqa: E402
from planner.model import build_items  # noqa: E402
from planner.solver import solve  # noqa: E402
from planner.synthetic import synthetic_roster  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--budget", type=float, default=400_000)
    parser.add_argument("--cap", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    roster = check_roster(synthetic_roster(args.size, seed=args.seed))
    items = build_items(roster.table, Campaign(budget=args.budget, max_influencers=args.cap))
    print(f"{args.size:,} rows, {items.owner.size:,} posts, ${args.budget:,.0f}, cap {args.cap}")
    for _ in range(args.repeats):
        start = time.perf_counter()
        found = solve(items)
        seconds = time.perf_counter() - start
        print(
            f"status {found.status}, engagement {found.value:,.2f}, upper bound "
            f"{found.upper_bound:,.2f}, gap {found.gap:.3e}, {seconds:.2f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
