"""How long reading and checking a large roster takes, against pandas reading the same file.

    python benchmarks/roster_read.py [--rows 100000] [--repeats 3]

Writes a synthetic roster of `--rows` rows in two shapes (plain: `12500`, `3.5%`, `1200`; and
European: `230.500`, `6,1 %`, `9.800,00 €`), then times `read_table` (find the header, read
the rows) and `check_roster` (match the columns, read each number column's format and every
value, check every row), best of `--repeats`. Reference: `pd.read_csv(path, dtype=str)` of the
same file, which reads it without any check; the ratio is ours over that.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner import check_roster, read_table  # noqa: E402


def write(path: Path, rows: int, european: bool) -> None:
    rng = random.Random(1)
    sep = ";" if european else ","
    lines = [sep.join(["name", "followers", "engagement_rate", "cost_per_post", "platform"])]
    for i in range(rows):
        followers = rng.randint(1_000, 2_000_000)
        rate = rng.randint(5, 80) / 10
        price = rng.randint(5_000, 5_000_000) / 100
        if european:
            cells = [
                f"{followers:,}".replace(",", "."),
                f"{rate:.1f}".replace(".", ",") + " %",
                f"{price:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".") + " €",
            ]
        else:
            cells = [str(followers), f"{rate:.1f}%", f"{price:.2f}"]
        lines.append(sep.join([f"user{i}", *cells, "instagram"]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def best(repeats: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for european in (False, True):
            path = Path(folder) / "roster.csv"
            write(path, args.rows, european)
            sep = ";" if european else ","
            reference = best(args.repeats, partial(pd.read_csv, path, dtype=str, sep=sep))
            read = best(args.repeats, partial(read_table, path))
            check = best(args.repeats, partial(check_roster, read_table(path)))
            shape = "European" if european else "plain"
            print(
                f"{shape:>8}, {args.rows:,} rows: pd.read_csv {reference:.2f} s; read_table "
                f"{read:.2f} s ({read / reference:.1f}x); check_roster {check:.2f} s "
                f"({check / reference:.1f}x)"
            )


if __name__ == "__main__":
    main()
