"""At most N of the planner's computations at once in a server, whatever the number of sessions.

Streamlit runs each session's script in a thread of its own. With 25 marketers moving sliders
on a 2-core server, 25 threads computed plans and forecasts at once: they shared the cores and
the interpreter's lock, so every one of them finished late (the last of a burst as late as the
first), and each held its arrays in memory all that time. Measured (`benchmarks/load.py`, 25
sessions, `docs/benchmarks.md`, *Issue 20, tenth session*): with the computations taking a slot
of two, runs finished at p95 4.6 s instead of 5.4–9.9 s, on less CPU (10 sessions: 0.6–0.8 s
instead of 1.4–1.5 s).

`SLOTS.held()` around a computation (`ui/cache.py` puts it around every cached call, hit or
miss): the first `held` of a thread waits for a slot, the ones nested in it (a forecast asking
for its plan) go straight on. Taking the slot *outside* the cache matters: Streamlit's cache
holds a lock per key while it computes, so a thread that held a slot and then waited for a key
another thread was computing, while that thread waited for a slot, could wait forever; taken
outside, whoever computes a key already holds a slot. Slots are handed out first come, first
served, the headline's own figures first (`priority`): a page's first figures (its roster
checked, its plan, the plan for its band simulated) are served before the comparisons that
follow them (the split curve's bands, the head-to-head, the reply sweep), so a burst of moves
shows every page's new headline before any page's comparison.

The number: `PLANNER_COMPUTE_SLOTS`, default the machine's cores (the work is CPU-bound; the
compiled loops release the interpreter's lock, so two slots use both cores).
"""

from __future__ import annotations

import heapq
import itertools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from dashboard.environment import positive_number


def default_slots() -> int:
    """`PLANNER_COMPUTE_SLOTS`, else the cores this process may use (at least 1)."""
    try:
        cores = max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # (not on Linux)
        cores = max(1, os.cpu_count() or 1)
    return int(positive_number("PLANNER_COMPUTE_SLOTS", cores, whole=True))


class ComputeSlots:
    """`slots` computations at once, re-entrant per thread: `held()` nested in a `held()` of the
    same thread takes no second slot. Waiting calls are served by `priority` (lower first: the
    headline's own figures before the comparisons that follow them), then in the order they
    came."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("at least one slot")
        self.slots = slots
        self._free = slots
        self._waiting: list[tuple[int, int]] = []  # (priority, ticket), a heap
        self._tickets = itertools.count()
        self._changed = threading.Condition()
        self._depth = threading.local()

    @contextmanager
    def held(self, priority: int = 0) -> Iterator[None]:
        depth = getattr(self._depth, "n", 0)
        if not depth:  # the thread's outermost computation: it waits for a slot
            self._acquire(priority)
        self._depth.n = depth + 1
        try:
            yield
        finally:
            self._depth.n = depth
            if not depth:
                self._release()

    def ahead(self, priority: int = 0) -> int:
        """How many computations would be served before a call of `priority` made now, when
        it would have to wait for a slot (running ones, and waiting ones of its priority or
        a more urgent one); 0 when a slot is free for it, or when this thread holds one."""
        if getattr(self._depth, "n", 0):
            return 0
        with self._changed:
            before = sum(1 for waiting, _ in self._waiting if waiting <= priority)
            if self._free and not before:
                return 0
            return self.slots - self._free + before

    def spare(self) -> bool:
        """Whether a slot is free and no computation waits for one: work a computation does
        alongside itself (`planner.outreach.forecast(alongside=True)`) then takes a core nobody
        else is waiting for. Under load it is False, and each computation keeps to its slot."""
        with self._changed:
            return self._free > 0 and not self._waiting

    def _acquire(self, priority: int) -> None:
        with self._changed:
            me = (priority, next(self._tickets))
            heapq.heappush(self._waiting, me)
            while not (self._free and self._waiting[0] == me):
                self._changed.wait()
            heapq.heappop(self._waiting)
            self._free -= 1
            self._changed.notify_all()  # the next in line may take another free slot

    def _release(self) -> None:
        with self._changed:
            self._free += 1
            self._changed.notify_all()


SLOTS = ComputeSlots(default_slots())  # one per server process


def queue_words(ahead: int) -> str:
    """What a page says while its computation waits for a slot ('' when it does not)."""
    if not ahead:
        return ""
    whose = "other page's request" if ahead == 1 else "other pages' requests"
    return f" The server is busy: {ahead} {whose} ahead of yours."
