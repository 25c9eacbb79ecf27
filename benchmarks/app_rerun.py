"""How long the dashboard takes to answer a budget move, measured with Streamlit's AppTest.

    python benchmarks/app_rerun.py [--moves 15] [--profile]

Opens the app on the sample roster, then moves the budget slider to new values (each one not
seen before, so nothing comes from the cache) and prints the median and the slowest rerun.
The app opens on the Plan tab, so a move redraws the headline and that tab. Reference: the
issue's target of well under half a second per move, and the planner calls that tab makes
(the plan, its 10,000-draw simulation, the split curve with its simulated ranges, and the
all-micro and all-macro plans), timed alone on the same budgets.
"""

from __future__ import annotations

import os

# As the app does for itself under `streamlit run` (see streamlit_app.py): here numpy is loaded
# before the app's first line runs, so the setting has to come first.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import cProfile  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from planner import Campaign, make_plan, read_roster, split_curve  # noqa: E402
from planner.plan import split_points, strategy_plans  # noqa: E402
from planner.risk import Assumptions, simulate, split_bands  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=15)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120).run()
    budgets = [100_000.0 - 1_000.0 * (i + 1) for i in range(args.moves)]
    times = []
    profiler = cProfile.Profile() if args.profile else None
    for budget in budgets:
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        app.slider(key="budget_slider").set_value(budget).run()
        if profiler:
            profiler.disable()
        times.append(time.perf_counter() - started)
        assert not app.exception, app.exception
    roster = read_roster(ROOT / "data" / "sample_roster.csv")
    planner_times = []
    for budget in budgets:
        campaign = Campaign(budget=budget - 500)
        started = time.perf_counter()
        plan = make_plan(roster, campaign)
        simulate(roster, plan, Assumptions())
        points = split_points(roster, campaign)
        split_bands(roster.table, points, campaign.decay, Assumptions())
        split_curve(roster, campaign, points=points)
        strategy_plans(roster, campaign, optimal=plan)
        planner_times.append(time.perf_counter() - started)
    med, worst = statistics.median(times), max(times)
    plan_med = statistics.median(planner_times)
    print(
        f"AppTest rerun after a budget move: median {med * 1000:.0f} ms, "
        f"slowest {worst * 1000:.0f} ms"
    )
    print(
        "the Plan tab's planner calls alone, uncached (plan, simulation, split curve and its "
        "ranges, all-micro and all-macro plans): "
        f"median {plan_med * 1000:.0f} ms"
    )
    print(f"ratio to the 500 ms target: {med / 0.5:.2f}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
