"""The split curve's worker processes: each curve computed once, in parts, beside the app's
process while the script draws the rest of the page, and kept by its inputs like a cache. No
Streamlit in here: `ui/cache.py` keeps one `CurveJobs` per server."""

from __future__ import annotations

import functools
import itertools
import multiprocessing
import os
import sys
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import pandas as pd

from dashboard import memory
from planner import Campaign, Roster
from planner.compiled import warm as warm_compiled
from planner.risk import Assumptions, split_curve_ranges

Curve = tuple[pd.DataFrame, pd.DataFrame]  # the curve and its simulated ranges

# Waits for a curve asked for outside a session (no owner): such a curve is never given up.
_ANYONE = object()

# The split curve's points: the macro shares 0%, 10%, ..., 100% (`planner.plan.split_points`'
# step); a part (i, n) solves every n-th of them from the i-th.
POINTS = 11


def points_in(part: tuple[int, int]) -> int:
    """How many of the curve's points the part `part` = (i, n) solves."""
    first, every = part
    return len(range(first, POINTS, every))


# Each part sent to a worker reports the points it has solved in its own slot of this array
# (shared with the workers, which get it when they start: `_init_worker`), from the split curve
# function's `on_point(done, total)`, called as each point is certified.
_SLOTS = 256
_progress: object = None  # in a worker: the shared array


def _init_worker(progress: object) -> None:
    global _progress
    _progress = progress
    warm_compiled()  # the compiled loops (plans, simulation), before the first curve needs them


class _Later:
    """A curve asked for before the workers were started: worked out when the page first needs
    it (it is drawn last), once, by the workers if they are started by then (the app's process
    stays free to send the page), else here. Like a curve's parts, it can be given up (`cancel`)
    until it is worked out: before anyone asks for its value, while it waits for the workers to
    start, and while its parts wait for a worker; not once it is being computed here."""

    def __init__(self, compute: Callable[[_Later], Curve]) -> None:
        self._compute = compute
        self._lock = threading.Lock()  # other sessions wait for the same computation
        self._value: Curve | None = None
        # Changed under the lock of the `CurveJobs` it belongs to:
        self._cancelled = False  # given up before it was started
        self._parts: tuple[Future, ...] = ()  # type: ignore[type-arg]  # its parts, once sent
        self._here = False  # being computed in this process: it cannot be given up

    def done(self) -> bool:
        return self._value is not None

    def cancelled(self) -> bool:
        """Whether it was given up: then it will never have a value."""
        return self._cancelled or any(part.cancelled() for part in self._parts)

    def cancel(self) -> bool:
        """Give it up unless it is done or being computed (under its `CurveJobs`' lock)."""
        if self._value is not None or self._here:
            return False
        if not self._parts:
            self._cancelled = True
            return True
        return any([part.cancel() for part in self._parts])  # every part that still waits

    def begin(
        self,
        send: Callable[[], tuple[Future, ...] | None] | None,  # type: ignore[type-arg]
    ) -> tuple[Future, ...] | None:  # type: ignore[type-arg]
        """Start working it out (under its `CurveJobs`' lock): in the workers, with the parts
        `send` returns (None when there are no workers), or here when `send` is None.
        CancelledError if it was given up."""
        if self.cancelled():
            raise CancelledError()
        if send is None:
            self._here = True
            return None
        parts = send()
        if parts is not None:
            self._parts = parts
        return parts

    def result(self, timeout: float | None = None) -> Curve:
        with self._lock:
            if self._value is None:
                if self._cancelled:
                    raise CancelledError()
                self._value = self._compute(self)
                self._compute = _worked_out  # its inputs (the roster) are not kept with it
            return self._value


def _worked_out(later: _Later) -> Curve:  # pragma: no cover - a value is never worked out twice
    raise RuntimeError("this curve was worked out already")


Job = tuple[Future | _Later, ...]  # type: ignore[type-arg]  # one per part of the curve


class CurveJobs:
    """The split curves (with their simulated ranges), each computed once in worker processes
    while the script draws the rest of the page, and kept by their inputs like a cache.

    The curve is the slowest part of a budget move (one optimal plan per band). `WORKERS`
    processes beside this one solve its bands in `PARTS` parts (every `PARTS`-th band each).
    They are started from a background thread when the app first runs (`warm`), at a lower
    priority; a curve asked for before that is done waits for them rather than taking the CPU
    the first page needs. Wherever they cannot be had, the curve is computed here.

    Each curve is asked for by an owner, the session whose page shows it (None: nobody in
    particular), and a session waits only for the curve it asked for last. With Streamlit's
    `runner.fastReruns` every widget change starts a new run of the script at once and asks the
    previous one to stop, which that run notices only at its next Streamlit call, not while it
    waits here: a slider dragged over twenty values asks for twenty curves in two seconds. A
    curve nobody waits for any more is given up: its parts that have not gone to a worker are
    cancelled, the run still waiting for it gets `CancelledError` from `result`, and it is sent
    again if it is asked for again (with whatever of it did run). A part already running cannot
    be stopped; it finishes and is kept as usual. A curve another session waits for too (the
    same inputs), or one asked for without an owner, is never given up.

    Fairness: the parts go to the workers in the order they were asked for, and only when a
    worker is free for them (a process pool would take one more in as running, where it could
    no longer be cancelled). So one session has at most its running parts and its latest curve
    in the queue, and a curve waits for at most the parts running (one per worker) and one
    curve from each other session that asked before it, however fast anyone moves a slider."""

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
        # Reentrant: a part sent to the pool may be done at once, and its callback takes it too.
        self._lock = threading.RLock()
        self._pool: ProcessPoolExecutor | None = None
        self._warm = False
        self._started: list[Future | None] = []  # type: ignore[type-arg]  # done once a worker is up
        self._launched = threading.Event()  # set once the workers have been started
        # Parts waiting for a worker, in the order asked for (future, function, args, kwargs),
        # and how many parts are in the pool.
        self._queue: deque[tuple[Future, Callable[..., object], tuple, dict]] = deque()  # type: ignore[type-arg]
        self._in_pool = 0
        # Who waits for which curve: the owners waiting for each key, and each owner's key.
        self._waiters: dict[tuple, set[object]] = {}
        self._asked: dict[Hashable, tuple] = {}
        # The curves of each owner's own rosters (`private`), dropped when it ends (`forget`).
        self._private: dict[Hashable, set[tuple]] = {}
        self._prune_at = self.LIMIT
        # The parts' slots in the shared progress array (`progress`), given out in turn.
        self._next_slot = itertools.cycle(range(_SLOTS))
        self._progress = None
        try:
            context = multiprocessing.get_context("forkserver")  # fork is unsafe in threads
            context.set_forkserver_preload(["planner.risk", "planner.outreach"])
            self._progress = context.Array("i", _SLOTS, lock=False)
            self._pool = ProcessPoolExecutor(
                max_workers=self.WORKERS,
                mp_context=context,
                initializer=_init_worker,
                initargs=(self._progress,),
            )
        except (ValueError, OSError):  # pragma: no cover - no forkserver on this platform
            self._pool = None

    def submit(
        self,
        roster: Roster,
        key: tuple,
        campaign: Campaign,
        first_value: np.ndarray | None,
        assumptions: Assumptions,
        owner: Hashable | None = None,
        outreach: str | None = None,
        private: bool = False,
    ) -> Job:
        """The curve of `roster` under `campaign` (`first_value`: first-post engagement to plan
        with, when not the roster's own), kept by `key`. `owner` (a session's id) waits for it
        from now on, and no longer for the curve it asked for before. `outreach` (a strategy
        of `planner.outreach.STRATEGIES`) makes it the realistic curve, after declines and
        backups (`split_curve_ranges`); `key` must then tell it apart. `private`: the roster is
        the owner's own (an upload, an edit): its curve is dropped when the owner ends
        (`forget`)."""
        args = (roster, campaign, assumptions, outreach)
        with self._lock:
            self._wait(owner, key)
            if private and owner is not None:
                self._private.setdefault(owner, set()).add(key)
            job = self._jobs.get(key)
            if job is not None and not any(part.cancelled() for part in job):
                self._jobs.move_to_end(key)
                return job
            # New, or given up: sent (again), reusing whatever of it was not given up.
            parts = self._parts(args, first_value, job) if self._launched.is_set() else None
            if parts is not None:
                return self._keep(key, parts)
            later = functools.partial(self._later, args=args, first_value=first_value)
            return self._keep(key, (_Later(later),))

    def _wait(self, owner: Hashable | None, key: tuple) -> None:
        """`owner` waits for the curve `key`, and no longer for the one it asked for before,
        which is given up if nobody else waits for it. (Under the lock.)"""
        self._prune()
        self._waiters.setdefault(key, set()).add(_ANYONE if owner is None else owner)
        if owner is None:
            return
        before = self._asked.get(owner)
        self._asked[owner] = key
        if before is not None and before != key:
            self._stop_waiting(owner, before)

    def _stop_waiting(self, owner: Hashable, key: tuple) -> None:
        """`owner` no longer waits for the curve `key`, which is given up if nobody else waits
        for it. (Under the lock.)"""
        waiters = self._waiters.get(key)
        if waiters is None:
            return
        waiters.discard(owner)
        if not waiters:
            del self._waiters[key]
            self._give_up(key)

    def forget(self, owner: Hashable) -> None:
        """`owner` (a session) has ended: it waits for no curve any more (one nobody else waits
        for is given up) and the curves of its own rosters are dropped, queued or kept."""
        with self._lock:
            key = self._asked.pop(owner, None)
            if key is not None:
                self._stop_waiting(owner, key)
            for key in self._private.pop(owner, ()):
                job = self._jobs.pop(key, None)
                for part in job or ():
                    part.cancel()

    def _give_up(self, key: tuple) -> None:
        """Cancel the parts of the curve `key` that have not gone to a worker. (Under the lock.)"""
        job = self._jobs.get(key)
        if job is None:
            return
        for part in job:
            part.cancel()
        if all(part.cancelled() for part in job):
            del self._jobs[key]  # nothing of it is left to keep

    def _prune(self) -> None:
        """Now and then, forget who waits for curves that are worked out (those can no longer
        be given up): sessions end without saying so. (Under the lock.)"""
        if len(self._asked) <= self._prune_at:
            return
        finished = {
            key
            for key in self._waiters
            if key not in self._jobs or all(part.done() for part in self._jobs[key])
        }
        for key in finished:
            del self._waiters[key]
        self._asked = {owner: key for owner, key in self._asked.items() if key not in finished}
        # An owner's curves that are no longer kept need not be remembered as its own.
        kept = self._jobs.keys()
        self._private = {owner: keys & kept for owner, keys in self._private.items() if keys & kept}
        self._prune_at = max(self.LIMIT, 2 * len(self._asked))

    def _parts(
        self, args: tuple, first_value: np.ndarray | None, kept: Job | None = None
    ) -> Job | None:
        """The curve's parts queued for the workers (sent as they come free), or None when there
        are no workers to be had. The parts of `kept` (the same curve, given up) that were not
        cancelled are used again. (Under the lock.)"""
        if not self._started or any(f is None for f in self._started):
            return None  # they could not be started
        if kept is None or len(kept) != self.PARTS or not all(isinstance(p, Future) for p in kept):
            kept = (None,) * self.PARTS  # type: ignore[assignment]
        parts = [
            kept[i]
            if kept[i] is not None and not kept[i].cancelled()  # type: ignore[union-attr]
            else self._send_part(args, first_value, (i, self.PARTS))
            for i in range(self.PARTS)
        ]
        return tuple(parts) if all(part is not None for part in parts) else None  # type: ignore[arg-type]

    def _send_part(
        self, args: tuple, first_value: np.ndarray | None, part: tuple[int, int]
    ) -> Future | None:  # type: ignore[type-arg]
        """One part of a curve queued for the workers, with its progress slot. (Under the
        lock.)"""
        slot = next(self._next_slot)
        if self._progress is not None:
            self._progress[slot] = 0  # type: ignore[index]
        future = self._send(_curve, *args, first_value=first_value, part=part, slot=slot)
        if future is not None:
            future.curve_part = (part, slot)  # type: ignore[attr-defined]  # for `progress`
        return future

    def _later(self, later: _Later, args: tuple, first_value: np.ndarray | None) -> Curve:
        if self._warm and self._launched.wait(self.LAUNCH_WAIT):
            with self._lock:
                parts = later.begin(lambda: self._parts(args, first_value))
            if parts is not None:
                return _combine([part.result(timeout=300) for part in parts])
        with self._lock:
            later.begin(None)
        return _curve(*args, first_value=first_value)

    def _keep(self, key: tuple, job: Job) -> Job:
        self._jobs[key] = job
        self._jobs.move_to_end(key)
        while len(self._jobs) > self.LIMIT:
            self._jobs.popitem(last=False)
        return job

    def _send(
        self, function: Callable[..., object], *args: object, **kwargs: object
    ) -> Future | None:  # type: ignore[type-arg]
        """`function` queued for the workers, sent when one is free; None without workers.
        (Under the lock.)"""
        if self._pool is None:
            return None
        future: Future = Future()  # type: ignore[type-arg]
        self._queue.append((future, function, args, kwargs))
        self._pump()
        return future

    def _pump(self) -> None:
        """Send the queued parts to the pool while a worker is free for them. (Under the lock.)"""
        while self._queue and self._in_pool < self.WORKERS:
            future, function, args, kwargs = self._queue.popleft()
            if not future.set_running_or_notify_cancel():
                continue  # given up while it waited
            sent = self._submit(function, *args, **kwargs)
            if sent is None:  # the workers are gone: whoever waits for it computes it here
                future.set_exception(BrokenProcessPool("the curve's workers are gone"))
                continue
            self._in_pool += 1
            sent.add_done_callback(functools.partial(self._returned, future))

    def _returned(self, future: Future, sent: Future) -> None:  # type: ignore[type-arg]
        """A part is back from the pool: the next one goes, and its waiters have its result."""
        with self._lock:
            self._in_pool -= 1
            self._pump()
        if sent.cancelled():  # pragma: no cover - parts are sent only to run at once
            future.set_exception(CancelledError())
        elif (error := sent.exception()) is not None:
            future.set_exception(error)
        else:
            future.set_result(sent.result())

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

    def close(self) -> None:
        """Stop the worker processes (when Streamlit releases this object: a browser can ask
        the server to clear its caches, and each clearing would otherwise leave two more
        workers running). Curves still queued are cancelled; a run waiting for one computes it
        in this process instead (`ui/cache.start_curve`)."""
        with self._lock:
            pool, self._pool = self._pool, None
            while self._queue:
                future, *_ = self._queue.popleft()
                future.cancel()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

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
        try:
            return self._pool.submit(function, *args, **kwargs)
        except (BrokenProcessPool, RuntimeError, OSError):
            self._pool = None  # a worker died: compute here from now on
            return None

    def waiting(self, job: Job) -> int | None:
        """Whether `job` waits for a free worker: None when none of its parts waits (they are
        running, done, given up, or it is computed here), else how many other curves' parts
        wait before its first one, as curves (one per other session at most: a session's
        older curves are given up). For the page: "the curve waits for N others"."""
        mine = {id(part) for part in job if isinstance(part, Future)}
        with self._lock:
            ahead: set[object] = set()  # the keys of the curves queued before it
            owners = {id(part): k for k, parts in self._jobs.items() for part in parts}
            for future, *_ in self._queue:
                if future.cancelled():
                    continue
                if id(future) in mine:
                    return len(ahead)
                ahead.add(owners.get(id(future), id(future)))
        return None

    def done(self, job: Job) -> bool:
        """Whether `job` has its answer (or was given up): `result` then returns at once. A
        curve worked out in this process (`_Later`) is done only once someone waited for it."""
        return all(part.done() for part in job)

    def progress(self, job: Job) -> tuple[int, int] | None:
        """How many of the curve's points are solved, of how many: a part done counts all its
        points; a running one, those it has reported as certified. None for a curve worked out
        in this process (nothing to count)."""
        if not all(isinstance(part, Future) for part in job):
            return None
        solved = 0
        with self._lock:
            for future in job:
                part, slot = getattr(future, "curve_part", ((0, 1), None))
                if future.done():
                    if not future.cancelled() and future.exception() is None:
                        solved += points_in(part)
                elif slot is not None and self._progress is not None:
                    solved += min(points_in(part), int(self._progress[slot]))  # type: ignore[index]
        return solved, POINTS

    def result(self, key: tuple, job: Job) -> Curve:
        """The whole curve and its ranges; `CancelledError` when it was given up (its owner
        asked for another curve since, and nobody else waits for it)."""
        try:
            parts = [part.result(timeout=300) for part in job]
        except CancelledError:
            raise  # given up: whatever of it did run stays kept for whoever asks again
        except BaseException:
            with self._lock:  # a failed job is not kept
                if self._jobs.get(key) is job:
                    del self._jobs[key]
            raise
        return _combine(parts)


def _curve(
    roster: Roster,
    campaign: Campaign,
    assumptions: Assumptions,
    outreach: str | None,
    *,
    first_value: np.ndarray | None,
    part: tuple[int, int] = (0, 1),
    slot: int | None = None,
) -> Curve:
    """One part of a curve (what a worker runs; module level, so it can be sent to one). In a
    worker, it reports each point solved in its `slot` of the shared progress array (the split
    curve function's `on_point(done, total)`), then hands the memory the part used back to the
    system (`dashboard/memory.py`): otherwise a worker keeps the freed draws of its largest
    curve so far in its heap."""
    progress = _progress
    on_point = None
    if progress is not None and slot is not None:

        def on_point(done: int, total: int) -> None:
            progress[slot] = done  # type: ignore[index]

    curve = split_curve_ranges(
        roster,
        campaign,
        assumptions,
        first_value=first_value,
        part=part,
        outreach=outreach,
        on_point=on_point,
    )
    if multiprocessing.parent_process() is not None:  # in a worker
        memory.trim()
    return curve


def _combine(parts: list[Curve]) -> Curve:
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
