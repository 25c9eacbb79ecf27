"""What a slider drag costs the split curve's workers: curves a session has moved past given up,
or all computed in turn.

    python benchmarks/superseded_curves.py [--trials 5] [--moves 20] [--gap 0.1] [--load 1]

On the sample roster, with the workers warm, one session asks for `--moves` curves `--gap`
seconds apart (a budget slider dragged down from $100,000, $1,000 a step: each curve new), as
`ui/cache.py`'s `start_curve` does on every run. Measured: the time from the last request to
its curve being ready, how many parts the workers computed (of 2 per curve) and the workers'
CPU time (Linux). "given up" is the app (the session's id as owner: a curve it moved past is
given up); "all computed" is the behaviour before (no owner, so nothing is given up: the last
curve waits behind every earlier one). The two alternate, A/B then B/A (the machine drifts).

In the app the workers share the machine with the app's own runs (with `runner.fastReruns`,
one per move, overlapping) and, on one machine, the browser; the workers run at a lower
priority (`CurveJobs.warm`). `--load` processes spinning at normal priority throughout stand in
for them (default 1, a core of this 2-core machine); with `--load 0` the workers have the
machine to themselves.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the app does (streamlit_app.py)

import argparse  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.curve_jobs import CurveJobs  # noqa: E402
from planner import Campaign, read_roster  # noqa: E402
from planner.risk import Assumptions  # noqa: E402

ROSTER = read_roster(ROOT / "data" / "sample_roster.csv")
MODES = ("given up", "all computed")


def worker_cpu(jobs: CurveJobs) -> float | None:
    """CPU seconds the worker processes have used so far (None where /proc is not to be had)."""
    pool = jobs._pool
    if pool is None:
        return None
    total = 0.0
    try:
        for pid in list(pool._processes):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None
    return total


def drag(jobs: CurveJobs, mode: str, trial: int, moves: int, gap: float) -> dict:
    """One drag: `moves` curves asked for `gap` s apart by one session (or by nobody)."""
    owner = f"session {trial}" if mode == "given up" else None
    assumptions = Assumptions()
    cpu_before = worker_cpu(jobs)
    submitted = []
    last = 0.0
    for i in range(moves):
        started = time.perf_counter()
        budget = 100_000 - 1_000 * (i + 1)
        campaign = Campaign(budget=budget, macro_share_min=0.0, macro_share_max=1.0)
        key = ("benchmark", mode, trial, campaign)  # new each time: nothing from the cache
        submitted.append((key, jobs.submit(ROSTER, key, campaign, None, assumptions, owner)))
        last = time.perf_counter()
        if i < moves - 1:
            time.sleep(max(0.0, gap - (time.perf_counter() - started)))
    key, job = submitted[-1]
    jobs.result(key, job)
    waited = time.perf_counter() - last
    # Everything still running finishes before the next drag (so each drag starts idle).
    for _, job in submitted:
        for part in job:
            if not part.cancelled():
                part.result(timeout=300)
    cpu_after = worker_cpu(jobs)
    parts = sum(not part.cancelled() for _, job in submitted for part in job)
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return {"wait": waited, "parts": parts, "cpu": cpu}


def span(values: list[float], unit: str = "", scale: float = 1.0, digits: int = 0) -> str:
    low, high = min(values) * scale, max(values) * scale
    return f"{low:,.{digits}f}–{high:,.{digits}f}{unit}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=5, help="drags of each kind")
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between moves")
    parser.add_argument("--load", type=int, default=1, help="processes using a core each")
    args = parser.parse_args()

    jobs = CurveJobs()
    jobs.warm()
    if not jobs.up(timeout=120):
        sys.exit("the split curve's workers did not start")
    warm_up = ("warm up",)
    jobs.result(
        warm_up, jobs.submit(ROSTER, warm_up, Campaign(budget=100_000), None, Assumptions())
    )

    print(
        f"{args.moves} curves asked for {args.gap * 1000:.0f} ms apart by one session, sample "
        f"roster, {CurveJobs.WORKERS} workers, {CurveJobs.PARTS} parts a curve"
        + f", {args.load} other process(es) using a core each"
    )
    # Each uses a core until it is stopped: the app's runs and the browser, standing in.
    load = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.load)]
    results: dict[str, list[dict]] = {mode: [] for mode in MODES}
    for trial in range(args.trials):
        order = MODES if trial % 2 == 0 else MODES[::-1]
        for mode in order:
            result = drag(jobs, mode, trial, args.moves, args.gap)
            results[mode].append(result)
            cpu = "" if result["cpu"] is None else f", worker CPU {result['cpu']:.2f} s"
            print(
                f"  trial {trial + 1} {mode:>12}: last curve ready {result['wait'] * 1000:6.0f} ms "
                f"after the last move; {result['parts']:2d} of {2 * args.moves} parts computed{cpu}"
            )
            time.sleep(0.5)
    for process in load:
        process.terminate()
        process.wait(timeout=10)

    print()
    for mode in MODES:
        rs = results[mode]
        cpus = [r["cpu"] for r in rs if r["cpu"] is not None]
        print(
            f"{mode:>12}: last curve ready {span([r['wait'] for r in rs], ' ms', 1000)} "
            f"(median {statistics.median(r['wait'] for r in rs) * 1000:,.0f} ms); parts computed "
            f"{span([r['parts'] for r in rs])} of {2 * args.moves}"
            + (f"; worker CPU {span(cpus, ' s', digits=2)}" if cpus else "")
        )
    new, old = (statistics.median(r["wait"] for r in results[mode]) for mode in MODES)
    print(f"all computed / given up, median wait: {old / new:.1f}x")


if __name__ == "__main__":
    main()
