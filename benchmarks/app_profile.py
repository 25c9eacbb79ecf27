"""Where the app's time goes with a large roster: an upload and budget moves through AppTest,
profiled in the script's own thread (cProfile of the caller's thread would see only AppTest
waiting).

    python benchmarks/app_profile.py --roster 5000 [--cap 30] [--moves 3] [--lines 50]

Opens the app (on its sample roster, with a cap of `--cap` influencers in total if given),
uploads a synthetic roster of `--roster` rows (`planner/synthetic.py`, seed 19) through the file
picker, then moves the budget `--moves` times; prints each run's time and the profile of the
upload's run and of the last move, by cumulative time.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the app does (streamlit_app.py)

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import pstats  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.runtime.scriptrunner import script_runner  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from planner.synthetic import synthetic_roster  # noqa: E402
from ui import state  # noqa: E402

_profiler: list[cProfile.Profile | None] = [None]
_run_script = script_runner.ScriptRunner._run_script


def _profiled(self: object, *args: object, **kwargs: object) -> object:
    """The script's run, profiled in its own thread when a profiler is set."""
    profiler = _profiler[0]
    if profiler is None:
        return _run_script(self, *args, **kwargs)  # type: ignore[arg-type]
    profiler.enable()
    try:
        return _run_script(self, *args, **kwargs)  # type: ignore[arg-type]
    finally:
        profiler.disable()


def show(profiler: cProfile.Profile, lines: int) -> None:
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(lines)
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--roster", type=int, default=5000)
    parser.add_argument("--cap", type=int, default=0)
    parser.add_argument("--moves", type=int, default=3)
    parser.add_argument("--lines", type=int, default=50)
    args = parser.parse_args()
    script_runner.ScriptRunner._run_script = _profiled  # type: ignore[method-assign]
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=1800)
    if args.cap:
        app.query_params["max_influencers"] = str(args.cap)
    app.run()
    app.run()  # the rerun the page asks for once its first chart is drawn
    raw = synthetic_roster(args.roster, seed=19).to_csv(index=False).encode()
    _profiler[0] = upload = cProfile.Profile()
    started = time.perf_counter()
    app.file_uploader[0].set_value((f"roster_{args.roster}.csv", raw, "text/csv")).run()
    print(f"upload's run: {time.perf_counter() - started:.2f} s")
    assert not app.exception, app.exception
    move = None
    for i in range(args.moves):
        _profiler[0] = move = cProfile.Profile()
        started = time.perf_counter()
        app.slider(key=state.BUDGET_SLIDER).set_value(100_000.0 - 1_000.0 * (i + 1)).run()
        print(f"budget move {i + 1}: {time.perf_counter() - started:.2f} s")
        assert not app.exception, app.exception
    print("\nthe upload's run:")
    show(upload, args.lines)
    if move is not None:
        print("the last move:")
        show(move, args.lines)


if __name__ == "__main__":
    main()
