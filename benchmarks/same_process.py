"""The engine of this checkout against the engine of another commit, in one process.

    python benchmarks/same_process.py --against f452201 [--sizes 500 5000] [--repeats 9]
                                      [--headline 5000] [--cap 30]

On a machine that drifts (two runs of the same commit differing by a quarter), two versions
timed in two processes cannot show a change of 10-20%. Here the other commit's `planner/` is
copied under another package name (`git archive`, imports rewritten) and imported beside this
checkout's, and each case's calls alternate between the two (ABAB, then BABA): both see the same
drift. Its compiled loops are numba's own copies (compiled once into the copy's
`__pycache__`, a minute or so the first time).

Cases, medians in ms, the reference (the other commit) first, then the ratio:
- per size of --sizes and kind (realistic, rate-card priced; the rosters of
  `benchmarks/optimiser.py`): the split curve (`split_points`, 11 bands) and one plan, no caps;
  then the 12 capped cases of `optimiser.py --capped` (caps 25/50/200, bands 0-60%/20-50%);
- --headline N (0: none): the headline's three steps on a synthetic roster of N rows (seed 19,
  $100,000, as `benchmarks/outreach.py --headline-steps`), with and without --cap: the plan as
  if every offer were accepted, the first figures (`forecast(candidates=False)`) and the final
  step (`forecast(start=...)`).

Each line says whether both versions gave the same answers: status, engagement, certified bound
and chosen posts (the headline: the same mean engagement of the simulated campaigns).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
from optimiser import _case  # noqa: E402

NAME = "planner_against"
# The planner's modules the cases call, by short name.
MODULES = ("model", "solver", "plan", "outreach", "settings", "risk", "roster", "compiled")


def load_against(commit: str, where: Path) -> dict[str, object]:
    """The planner of `commit`, as package `NAME` under `where`: its modules by short name."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "planner"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    (where / "planner").rename(where / NAME)
    for path in (where / NAME).glob("*.py"):
        text = path.read_text()
        text = re.sub(r"\bplanner\.", f"{NAME}.", text)
        text = re.sub(r"\bfrom planner import\b", f"from {NAME} import", text)
        text = re.sub(r"^import planner$", f"import {NAME}", text, flags=re.M)
        path.write_text(text)
    sys.path.insert(0, str(where))
    return {name: importlib.import_module(f"{NAME}.{name}") for name in MODULES}


def ours() -> dict[str, object]:
    return {name: importlib.import_module(f"planner.{name}") for name in MODULES}


def alternate(
    calls: dict[str, Callable[[], object]], repeats: int
) -> tuple[dict[str, float], dict[str, object]]:
    """Median ms of each call, alternating (ABAB, then BABA), and each one's last result."""
    for call in calls.values():
        call()
    times: dict[str, list[float]] = {name: [] for name in calls}
    results: dict[str, object] = {}
    order = list(calls)
    for r in range(repeats):
        for name in order if r % 2 else order[::-1]:
            started = time.perf_counter()
            results[name] = calls[name]()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(t) * 1000 for name, t in times.items()}, results


def same_solutions(a: list[object], b: list[object]) -> bool:
    return all(
        x.status == y.status  # type: ignore[attr-defined]
        and x.value == y.value  # type: ignore[attr-defined]
        and x.upper_bound == y.upper_bound  # type: ignore[attr-defined]
        and np.array_equal(x.chosen, y.chosen)  # type: ignore[attr-defined]
        for x, y in zip(a, b, strict=True)
    )


def engine_cases(old: dict, new: dict, sizes: list[int], repeats: int) -> None:
    print(f"{'case':<42} {'reference ms':>12} {'this ms':>9} {'ratio':>6}  same")
    for size in sizes:
        for kind in ("realistic", "rate-card"):
            roster, base = _case(size, kind)
            items = _items(old, new, roster, base)
            medians, results = alternate(
                {
                    "old": lambda r=roster, b=base: old["plan"].split_points(r, b),  # type: ignore[attr-defined]
                    "new": lambda r=roster, b=base: new["plan"].split_points(r, b),  # type: ignore[attr-defined]
                },
                repeats,
            )
            same = same_solutions(
                [p.solution for p in results["old"]],  # type: ignore[attr-defined]
                [p.solution for p in results["new"]],  # type: ignore[attr-defined]
            )
            _line(f"{size} {kind}, split curve", medians, same)
            medians, results = alternate(
                {
                    "old": lambda i=items: old["solver"].solve(i["old"]),  # type: ignore[attr-defined]
                    "new": lambda i=items: new["solver"].solve(i["new"]),  # type: ignore[attr-defined]
                },
                repeats,
            )
            _line(
                f"{size} {kind}, one plan",
                medians,
                same_solutions([results["old"]], [results["new"]]),
            )
            for low, high in ((0.0, 0.6), (0.2, 0.5)):
                for cap in (25, 50, 200):
                    campaign = dataclasses.replace(
                        base, macro_share_min=low, macro_share_max=high, max_influencers=cap
                    )
                    capped = _items(old, new, roster, campaign)
                    medians, results = alternate(
                        {
                            "old": lambda c=capped: old["solver"].solve(c["old"]),  # type: ignore[attr-defined]
                            "new": lambda c=capped: new["solver"].solve(c["new"]),  # type: ignore[attr-defined]
                        },
                        repeats,
                    )
                    same = same_solutions([results["old"]], [results["new"]])
                    _line(f"{size} {kind}, {low:.0%}-{high:.0%}, cap {cap}", medians, same)


def headline_cases(old: dict, new: dict, rows: int, cap: int, repeats: int) -> None:
    from planner.synthetic import synthetic_roster

    frame = synthetic_roster(rows, seed=19)
    print(f"\nthe headline's steps, {rows:,} rows, $100,000: plan / first figures / final step ms")
    for limit in (None, cap or None) if cap else (None,):
        steps = {}
        for name, m in (("old", old), ("new", new)):
            roster = m["roster"].check_roster(frame)  # type: ignore[attr-defined]
            campaign = m["settings"].Campaign(budget=100_000, max_influencers=limit)  # type: ignore[attr-defined]
            assumptions = m["risk"].Assumptions()  # type: ignore[attr-defined]

            def run(m=m, roster=roster, campaign=campaign, assumptions=assumptions):  # type: ignore[no-untyped-def]
                t0 = time.perf_counter()
                plan = m["plan"].make_plan(roster, campaign)
                t1 = time.perf_counter()
                first = m["outreach"].forecast(
                    roster, campaign, assumptions, candidates=False, if_all_accepted=plan
                )
                t2 = time.perf_counter()
                final = m["outreach"].forecast(
                    roster, campaign, assumptions, start=first, if_all_accepted=plan
                )
                t3 = time.perf_counter()
                return (t1 - t0, t2 - t1, t3 - t2), float(final.outcome.engagement.mean())

            steps[name] = run
        runs: dict[str, list[tuple[float, float, float]]] = {"old": [], "new": []}
        means: dict[str, float] = {}
        for r in range(repeats + 1):
            for name in ("old", "new") if r % 2 else ("new", "old"):
                seconds, means[name] = steps[name]()
                if r:  # (the first run loads what is loaded once)
                    runs[name].append(seconds)
        for name in ("old", "new"):
            part = [statistics.median(s[i] for s in runs[name]) * 1000 for i in range(3)]
            label = "reference" if name == "old" else "this"
            where = "cap " + str(limit) if limit else "no cap"
            times = " / ".join(f"{t:6.0f}" for t in part)
            print(f"  {where:<8} {label:<9} {times}  to the final figures {sum(part):6.0f}")
        print(f"  same mean engagement: {means['old'] == means['new']}")


def _items(old: dict, new: dict, roster: object, campaign: object) -> dict[str, object]:
    """The model's posts, built by each version."""
    return {
        name: m["model"].build_items(roster.table, campaign)  # type: ignore[attr-defined]
        for name, m in (("old", old), ("new", new))
    }


def _line(case: str, medians: dict[str, float], same: bool) -> None:
    old, new = medians["old"], medians["new"]
    print(f"{case:<42} {old:12.1f} {new:9.1f} {new / old:6.2f}  {same}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--against", required=True, help="the commit to compare with")
    parser.add_argument("--sizes", type=int, nargs="*", default=[500, 5000])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--headline", type=int, default=5000, help="rows (0: not run)")
    parser.add_argument("--cap", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as where:
        old = load_against(args.against, Path(where))
        new = ours()
        for m in (old, new):
            m["compiled"].warm()  # type: ignore[attr-defined]
        print(f"reference: {args.against}; this checkout: {ROOT}")
        if args.sizes:
            engine_cases(old, new, args.sizes, args.repeats)
        if args.headline:
            headline_cases(old, new, args.headline, args.cap, args.repeats)


if __name__ == "__main__":
    main()
