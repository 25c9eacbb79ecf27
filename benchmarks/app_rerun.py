"""How long the dashboard takes to answer a budget move, measured with Streamlit's AppTest.

    python benchmarks/app_rerun.py [--moves 15] [--profile]

Opens the app on the sample roster, then moves the budget slider to new values (each one not
seen before, so nothing comes from the cache) and prints the median and the slowest rerun,
and the first move on its own (it comes before the split curve's workers are up).
The app opens on the Plan tab, so a move redraws the headline and that tab. Reference: the
issue's target of well under half a second per move, and the planner calls that tab makes
(the plan as if every offer were accepted, the forecast after declines and backups with its
10,000 simulated campaigns, the realistic split curve with its ranges), timed alone in one
process on the same budgets.
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

from planner import Campaign, make_plan, read_roster  # noqa: E402
from planner.outreach import DEFAULT_STRATEGY, forecast  # noqa: E402
from planner.risk import Assumptions, split_curve_ranges  # noqa: E402
from ui import state  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=15)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120).run()
    # (The first move is timed on its own: the compiled loops may still be loading.)
    started = time.perf_counter()
    app.slider(key=state.BUDGET_SLIDER).set_value(100_000.0 - 500).run()
    first = time.perf_counter() - started
    budgets = [100_000.0 - 1_000.0 * (i + 1) for i in range(args.moves)]
    times = []
    profiler = cProfile.Profile() if args.profile else None
    for budget in budgets:
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        app.slider(key=state.BUDGET_SLIDER).set_value(budget).run()
        if profiler:
            profiler.disable()
        times.append(time.perf_counter() - started)
        assert not app.exception, app.exception
    roster = read_roster(ROOT / "data" / "sample_roster.csv")
    planner_times = []
    for budget in budgets:
        campaign = Campaign(budget=budget - 250)
        started = time.perf_counter()
        plan = make_plan(roster, campaign)
        forecast(roster, campaign, Assumptions(), if_all_accepted=plan)
        split_curve_ranges(roster, campaign, Assumptions(), outreach=DEFAULT_STRATEGY)
        planner_times.append(time.perf_counter() - started)
    med, worst = statistics.median(times), max(times)
    plan_med = statistics.median(planner_times)
    print(
        f"AppTest rerun after a budget move: median {med * 1000:.0f} ms, "
        f"slowest {worst * 1000:.0f} ms (first move after opening: {first * 1000:.0f} ms)"
    )
    print(
        "reference, the Plan tab's planner calls alone in one process, uncached (plan, the "
        "forecast after declines and backups, the realistic split curve and its ranges): "
        f"median {plan_med * 1000:.0f} ms"
    )
    print(f"ratio to the 500 ms target: {med / 0.5:.2f}; to the reference: {med / plan_med:.2f}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
