"""Every figure the headline's two steps give, as digests, to compare two versions of the engine
bit for bit: run it in each tree and compare the outputs (`diff`), or `--against PATH` to run
it in the tree at PATH as well and say which cases differ.

    python benchmarks/same_figures.py --against /tmp/main-tree

For each case (synthetic rosters of 400 to 5,000 rows, the sample roster, caps, bands, the three
strategies, other rounds and spreads): the plan for the campaign's band (`forecast(candidates=
False)`) and the forecast (`forecast(start=...)`): each one's outcome (every draw), outreach list,
plan, summary, its other finalists the same way, and the split curve's frames."""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

# The tree whose engine is run: this script's, or SAME_FIGURES_TREE's (`--against`).
TREE = Path(os.environ.get("SAME_FIGURES_TREE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(TREE))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from planner import Campaign, read_roster  # noqa: E402
from planner.outreach import forecast  # noqa: E402
from planner.risk import Assumptions  # noqa: E402
from planner.roster import check_roster  # noqa: E402
from planner.synthetic import synthetic_roster  # noqa: E402

SAMPLE = TREE / "data" / "sample_roster.csv"


def _digest(value: object) -> str:
    h = hashlib.sha256()

    def add(v: object) -> None:
        if isinstance(v, np.ndarray):
            h.update(str(v.dtype).encode() + str(v.shape).encode())
            if v.dtype.kind == "O":  # (text: its values, not their addresses)
                h.update(repr(v.tolist()).encode())
            else:
                h.update(np.ascontiguousarray(v).tobytes())
        elif isinstance(v, pd.DataFrame):
            h.update(repr(list(v.columns)).encode())
            for column in v.columns:
                add(v[column].to_numpy())
        elif dataclasses.is_dataclass(v) and not isinstance(v, type):
            for f in dataclasses.fields(v):
                h.update(f.name.encode())
                add(getattr(v, f.name))
        elif isinstance(v, dict):
            for k in v:
                h.update(repr(k).encode())
                add(v[k])
        elif isinstance(v, (list, tuple)):
            h.update(b"[")
            for item in v:
                add(item)
            h.update(b"]")
        elif isinstance(v, float):
            h.update(np.float64(v).tobytes())
        else:
            h.update(repr(v).encode())

    add(value)
    return h.hexdigest()[:16]


def _forecast_digests(result) -> dict[str, str]:  # type: ignore[no-untyped-def]
    out = {}
    for i, one in enumerate((result, *result.others)):
        plan = dataclasses.replace(one.plan, solve_seconds=0.0)  # (the one figure that is time)
        out[f"{i} {one.candidate} {one.band}"] = _digest(
            [one.outcome, one.offers, plan, one.summary(), one.if_all_accepted.allocations]
        )
    if result.curve is not None:
        out["curve"] = _digest(
            [frame.drop(columns=["solve_seconds"], errors="ignore") for frame in result.curve]
        )
    return out


def cases():  # type: ignore[no-untyped-def]
    big = check_roster(synthetic_roster(5000, seed=19))
    mid = check_roster(synthetic_roster(2000, seed=3))
    small = check_roster(synthetic_roster(400, seed=19))
    sample = read_roster(SAMPLE)
    plain = Assumptions()
    yield "5000", big, Campaign(budget=100_000), plain, "expected"
    yield "5000 cap 30", big, Campaign(budget=100_000, max_influencers=30), plain, "expected"
    yield (
        "5000 band 10-40%",
        big,
        Campaign(budget=100_000, macro_share_min=0.1, macro_share_max=0.4),
        plain,
        "expected",
    )
    yield "5000 reply_weighted", big, Campaign(budget=60_000), plain, "reply_weighted"
    yield "2000 plan", mid, Campaign(budget=40_000), plain, "plan"
    yield "2000 max macro 2", mid, Campaign(budget=80_000, max_macro=2), plain, "expected"
    yield "400", small, Campaign(budget=20_000), plain, "expected"
    yield (
        "400 rounds 1",
        small,
        Campaign(budget=20_000),
        dataclasses.replace(plain, rounds=1),
        "expected",
    )
    yield (
        "400 rounds 6, no shared spread",
        small,
        Campaign(budget=30_000),
        dataclasses.replace(plain, rounds=6, shared_spread=0.0),
        "expected",
    )
    for budget in (5_000, 25_000, 120_000):
        yield f"sample {budget}", sample, Campaign(budget=budget), plain, "expected"
    yield "sample cap 5", sample, Campaign(budget=25_000, max_influencers=5), plain, "expected"
    yield (
        "sample macro 20-60%",
        sample,
        Campaign(budget=25_000, macro_share_min=0.2, macro_share_max=0.6),
        plain,
        "plan",
    )


def run() -> dict[str, dict[str, str]]:
    out = {}
    for name, roster, campaign, assumptions, strategy in cases():
        first = forecast(roster, campaign, assumptions, strategy=strategy, candidates=False)
        final = forecast(roster, campaign, assumptions, strategy=strategy, start=first)
        alone = forecast(roster, campaign, assumptions, strategy=strategy)
        out[name] = {
            "first": json.dumps(_forecast_digests(first)),
            "final": json.dumps(_forecast_digests(final)),
            "final without start": json.dumps(_forecast_digests(alone)),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--against", metavar="PATH", help="a tree to run this script in too")
    args = parser.parse_args()
    ours = run()
    if not args.against:
        print(json.dumps(ours, indent=1))
        return
    theirs = json.loads(
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve())],
            cwd=args.against,
            env={**os.environ, "SAME_FIGURES_TREE": str(Path(args.against).resolve())},
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    differ = 0
    for name in ours:
        for step, digests in ours[name].items():
            same = theirs.get(name, {}).get(step) == digests
            differ += not same
            print(f"{'same   ' if same else 'DIFFERS'} {name}: {step}")
    print(f"{differ} of {sum(len(v) for v in ours.values())} differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
