"""The split curve's worker processes: each curve computed once, in parts, beside the app's
process while the script draws the rest of the page, and kept by its inputs like a cache. No
Streamlit in here: `ui/cache.py` keeps one `CurveJobs` per server."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from importlib.machinery import ModuleSpec

import numpy as np
import pandas as pd

from planner import Campaign, Roster
from planner.risk import Assumptions, split_curve_ranges


class _Later:
    """A curve asked for before the workers were started: worked out when the page first needs
    it (it is drawn last), once, by the workers if they are started by then (the app's process
    stays free to send the page), else here."""

    def __init__(self, compute: Callable[[], tuple[pd.DataFrame, pd.DataFrame]]) -> None:
        self._compute = compute
        self._lock = threading.Lock()  # other sessions wait for the same computation
        self._value: tuple[pd.DataFrame, pd.DataFrame] | None = None

    def done(self) -> bool:
        return self._value is not None

    def result(self, timeout: float | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        with self._lock:
            if self._value is None:
                self._value = self._compute()
            return self._value


Job = tuple[Future | _Later, ...]  # type: ignore[type-arg]  # one per part of the curve


class CurveJobs:
    """The split curves (with their simulated ranges), each computed once in worker processes
    while the script draws the rest of the page, and kept by their inputs like a cache.

    The curve is the slowest part of a budget move (one optimal plan per band). `WORKERS`
    processes beside this one solve its bands in `PARTS` parts (every `PARTS`-th band each).
    They are started from a background thread when the app first runs (`warm`), at a lower
    priority; a curve asked for before that is done waits for them rather than taking the CPU
    the first page needs. Wherever they cannot be had, the curve is computed here."""

    LIMIT = 64
    WORKERS = 2
    # One part per worker. (In four parts the two workers finished closer together, since the
    # bands' solving times differ several-fold: AppTest reruns ~40 ms faster, but in Chromium
    # the headline's p95 was ~100 ms worse with the extra jobs' traffic: docs/benchmarks.md.)
    PARTS = 2
    # How long a curve asked for before the workers were started waits for them to start.
    LAUNCH_WAIT = 10.0

    def __init__(self) -> None:
        self._jobs: OrderedDict[tuple, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._warm = False
        self._started: list[Future | None] = []  # type: ignore[type-arg]  # done once a worker is up
        self._launched = threading.Event()  # set once the workers have been started
        try:
            context = multiprocessing.get_context("forkserver")  # fork is unsafe in threads
            context.set_forkserver_preload(["planner.risk"])
            self._pool = ProcessPoolExecutor(max_workers=self.WORKERS, mp_context=context)
        except (ValueError, OSError):  # pragma: no cover - no forkserver on this platform
            self._pool = None

    def submit(
        self,
        roster: Roster,
        key: tuple,
        campaign: Campaign,
        first_value: np.ndarray | None,
        assumptions: Assumptions,
    ) -> Job:
        """The curve of `roster` under `campaign` (`first_value`: first-post engagement to plan
        with, when not the roster's own), kept by `key`."""
        args = (roster, campaign, assumptions)
        with self._lock:
            job = self._jobs.get(key)
            if job is not None:
                self._jobs.move_to_end(key)
                return job
            parts = self._parts(args, first_value) if self._launched.is_set() else None
            if parts is not None:
                return self._keep(key, parts)
            return self._keep(key, (_Later(lambda: self._later(args, first_value)),))

    def _parts(self, args: tuple, first_value: np.ndarray | None) -> Job | None:
        """The curve's parts submitted to the workers (queued until they are up), or None when
        there are no workers to be had."""
        if not self._started or any(f is None for f in self._started):
            return None  # they could not be started
        parts = [
            self._submit(split_curve_ranges, *args, first_value=first_value, part=(i, self.PARTS))
            for i in range(self.PARTS)
        ]
        return tuple(parts) if all(part is not None for part in parts) else None  # type: ignore[arg-type]

    def _later(
        self, args: tuple, first_value: np.ndarray | None
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        if self._warm and self._launched.wait(self.LAUNCH_WAIT):
            with self._lock:
                parts = self._parts(args, first_value)
            if parts is not None:
                return _combine([part.result(timeout=300) for part in parts])
        return split_curve_ranges(*args, first_value=first_value)

    def _keep(self, key: tuple, job: Job) -> Job:
        self._jobs[key] = job
        while len(self._jobs) > self.LIMIT:
            self._jobs.popitem(last=False)
        return job

    def warm(self) -> None:
        """Start the worker processes, from a background thread, if they are not running yet.

        Starting them runs a new Python that loads the planner (about half a second of CPU)
        while the first page is drawn, so it happens at a lower priority (Linux)."""
        with self._lock:
            if self._warm or self._pool is None:
                return
            self._warm = True
        threading.Thread(target=self._start_workers, name="curve-workers", daemon=True).start()

    def _start_workers(self) -> None:
        if sys.platform == "linux":
            # This thread only (on Linux a thread has its own priority), and the processes it
            # starts: they yield the CPU to the app and the browser, so the headline figures
            # come first and the curve takes the time they leave.
            os.nice(10)
        try:
            started = [self._submit(int) for _ in range(self.WORKERS)]
            with self._lock:
                self._started = started
        finally:  # whatever happened, nobody waits for workers any longer than this
            self._launched.set()

    def up(self, timeout: float | None = None) -> bool:
        """Whether the workers are up, waiting up to `timeout` seconds for them."""
        if not self._launched.wait(timeout):
            return False
        try:
            return all(f is not None and f.result(timeout=timeout) == 0 for f in self._started)
        except Exception:  # noqa: BLE001 - not up in time, or a worker failed to start
            return False

    def _submit(
        self, function: Callable[..., object], *args: object, **kwargs: object
    ) -> Future | None:  # type: ignore[type-arg]
        if self._pool is None:
            return None
        # Streamlit runs the script as a module named "__main__" with a file but no spec, so a
        # new worker would run the whole app again on start; a spec named "__main__" tells
        # multiprocessing that there is no main module to rerun.
        main = sys.modules["__main__"]
        if getattr(main, "__spec__", None) is None:
            main.__spec__ = ModuleSpec("__main__", None)
        try:
            return self._pool.submit(function, *args, **kwargs)
        except (BrokenProcessPool, RuntimeError, OSError):
            self._pool = None  # a worker died: compute here from now on
            return None

    def result(self, key: tuple, job: Job) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The whole curve and its ranges."""
        try:
            parts = [part.result(timeout=300) for part in job]
        except BaseException:
            with self._lock:  # a failed job is not kept
                if self._jobs.get(key) is job:
                    del self._jobs[key]
            raise
        return _combine(parts)


def _combine(parts: list[tuple[pd.DataFrame, pd.DataFrame]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The whole curve and its ranges from its parts: their rows, in order of macro share."""
    if len(parts) == 1:
        return parts[0]
    curve, ranges = (
        pd.concat([part[i] for part in parts])
        .sort_values("macro_share", kind="stable")
        .reset_index(drop=True)
        for i in (0, 1)
    )
    return curve, ranges
