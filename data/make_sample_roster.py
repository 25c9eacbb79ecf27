"""Regenerate data/sample_roster.csv, reproducibly (fixed seed), from BENCHMARKS.md's figures.

python data/make_sample_roster.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planner.synthetic import synthetic_roster  # noqa: E402

SEED = 20261125
SIZE = 400

if __name__ == "__main__":
    roster = synthetic_roster(SIZE, seed=SEED, macro_fraction=0.03, below_threshold=3)
    target = Path(__file__).resolve().parent / "sample_roster.csv"
    roster.to_csv(target, index=False)
    print(f"wrote {len(roster)} influencers to {target}")
