"""At most N of the planner's computations at once in a server, whatever the number of sessions.

Streamlit runs each session's script in a thread of its own. With 25 marketers moving sliders
on a 2-core server, 25 threads computed plans and forecasts at once: they shared the cores and
the interpreter's lock, so every one of them finished late (the last of a burst as late as the
first), and each held its arrays in memory all that time. Measured (`benchmarks/load.py`, 25
sessions, `docs/benchmarks.md`, *Issue 20, tenth session*): with the computations taking a slot
of two, runs finished at p50/p95 ~1.6/2.8 s instead of ~3.0/6–7.6 s, on less CPU.

`SLOTS.held()` around a computation (`ui/cache.py` puts it around every cached call, hit or
miss): the first `held` of a thread waits for a slot, the ones nested in it (a forecast asking
for its plan) go straight on. Taking the slot *outside* the cache matters: Streamlit's cache
holds a lock per key while it computes, so a thread that held a slot and then waited for a key
another thread was computing, while that thread waited for a slot, could wait forever; taken
outside, whoever computes a key already holds a slot. Slots are handed out first come, first
served (`threading.Semaphore` wakes its waiters in order).

The number: `PLANNER_COMPUTE_SLOTS`, default the machine's cores (the work is CPU-bound; the
compiled loops release the interpreter's lock, so two slots use both cores).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def default_slots() -> int:
    """`PLANNER_COMPUTE_SLOTS`, else the cores this process may use (at least 1)."""
    configured = os.environ.get("PLANNER_COMPUTE_SLOTS")
    if configured:
        return max(1, int(configured))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # (not on Linux)
        return max(1, os.cpu_count() or 1)


class ComputeSlots:
    """A semaphore of `slots`, re-entrant per thread: `held()` nested in a `held()` of the same
    thread takes no second slot."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("at least one slot")
        self.slots = slots
        self._free = threading.Semaphore(slots)
        self._depth = threading.local()

    @contextmanager
    def held(self) -> Iterator[None]:
        depth = getattr(self._depth, "n", 0)
        if depth:
            self._depth.n = depth + 1
            try:
                yield
            finally:
                self._depth.n = depth
            return
        with self._free:
            self._depth.n = 1
            try:
                yield
            finally:
                self._depth.n = 0


SLOTS = ComputeSlots(default_slots())  # one per server process
