"""Rate limits across a server's sessions, without Streamlit: a script driving the app cannot
fill the scenario database by pressing *Save* in a loop.

`RateLimiter` is a sliding-window counter per key (a session's id): at most `limit` events in
any `window` seconds per key, with a clock the tests control. `SaveLimits` holds the app's two
windows for saving (a burst per minute and a total per hour) and says, in plain words, how long
to wait. Memory stays bounded: keys whose events are all older than the window are dropped,
and at most `max_keys` keys are kept (the least recently used go first: sessions end without
saying so).

Per session only: a script that opens many sessions is held back by the load balancer instead
(`deploy/haproxy.cfg` limits new sessions per client address).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    """An event refused: how many were allowed in which window, and when to try again."""

    limit: int
    window: float
    retry_after: float  # seconds until the oldest counted event leaves the window


class RateLimiter:
    """At most `limit` events per `window` seconds for each key (a sliding window)."""

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        if limit < 1 or window <= 0 or max_keys < 1:
            raise ValueError("limit and max_keys must be at least 1 and window positive")
        self.limit = limit
        self.window = float(window)
        self._clock = clock
        self._max_keys = max_keys
        self._events: OrderedDict[Hashable, deque[float]] = OrderedDict()
        self._lock = threading.Lock()  # sessions run in threads of one process

    def _recent(self, key: Hashable, now: float) -> deque[float]:
        """The key's events still in the window (older ones dropped). (Under the lock.)"""
        events = self._events.get(key)
        if events is None:
            return deque()
        while events and events[0] <= now - self.window:
            events.popleft()
        return events

    def refusal(self, key: Hashable) -> Refusal | None:
        """Why one more event for `key` would be refused now, or None if it would be allowed.
        Counts nothing."""
        with self._lock:
            now = self._clock()
            events = self._recent(key, now)
            if len(events) < self.limit:
                return None
            return Refusal(self.limit, self.window, events[0] + self.window - now)

    def record(self, key: Hashable) -> None:
        """Count one event for `key` now."""
        with self._lock:
            now = self._clock()
            events = self._recent(key, now)
            events.append(now)
            self._events[key] = events
            self._events.move_to_end(key)
            self._prune(now)

    def _prune(self, now: float) -> None:
        """Drop keys with no event in the window, then the least recently used beyond
        `max_keys`. (Under the lock.)"""
        if len(self._events) <= self._max_keys:
            return
        for key in [k for k, ev in self._events.items() if not ev or ev[-1] <= now - self.window]:
            del self._events[key]
        while len(self._events) > self._max_keys:
            self._events.popitem(last=False)

    def __len__(self) -> int:
        """How many keys are remembered (for tests: memory stays bounded)."""
        return len(self._events)


def _wait_text(seconds: float) -> str:
    seconds = max(1, math.ceil(seconds))
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes"


def _window_text(window: float) -> str:
    """'minute', 'hour', or the window in seconds or minutes."""
    return {60.0: "minute", 3600.0: "hour"}.get(float(window)) or _wait_text(window)


class SaveLimits:
    """The limits on saving scenarios, per session: `per_minute` saves in any minute and
    `per_hour` in any hour. A marketer saves a handful of versions of a plan in a sitting;
    a script pressing *Save* in a loop is stopped after `per_minute` and, over time, holds at
    `per_hour` rows an hour per session (each at most 5 MB: `dashboard.store.MAX_ROSTER_BYTES`)."""

    PER_MINUTE = 5
    PER_HOUR = 30

    def __init__(
        self,
        per_minute: int = PER_MINUTE,
        per_hour: int = PER_HOUR,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limiters = (
            RateLimiter(per_minute, 60, clock=clock),
            RateLimiter(per_hour, 3600, clock=clock),
        )
        self._lock = threading.Lock()  # checked and counted at once: two presses, two counts

    def try_save(self, session: Hashable) -> str | None:
        """Count a save by `session` and return None, or, when it is over a limit, count
        nothing and return the message to show (what the limit is and how long to wait)."""
        with self._lock:
            refusals = [r for limiter in self._limiters if (r := limiter.refusal(session))]
            if refusals:
                return self.message(max(refusals, key=lambda r: r.retry_after))
            for limiter in self._limiters:
                limiter.record(session)
            return None

    @staticmethod
    def message(refusal: Refusal) -> str:
        """What the page says when a save is refused."""
        return (
            f"Not saved: this session has already saved {refusal.limit} scenarios in the last "
            f"{_window_text(refusal.window)}, the most allowed (so that no script can fill the "
            f"scenario database). Try again in {_wait_text(refusal.retry_after)}; nothing on "
            "this page is lost, and the links you already have keep working."
        )


# The server's limits: one per process, shared by its sessions (each server of a deployment
# counts its own sessions, and a session stays on one server).
SAVES = SaveLimits()
