"""Saving is rate-limited per session (`dashboard/limits.py`), with a clock the test moves."""

from __future__ import annotations

import threading

import pytest

from dashboard.limits import RateLimiter, SaveLimits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_sliding_window_allows_the_limit_then_refuses_until_the_oldest_event_leaves():
    clock = Clock()
    limiter = RateLimiter(3, 60, clock=clock)
    for _ in range(3):
        assert limiter.refusal("a") is None
        limiter.record("a")
        clock.now += 10
    refusal = limiter.refusal("a")
    assert refusal is not None and refusal.limit == 3
    assert refusal.retry_after == pytest.approx(30)  # the first event was at 1000, now 1030
    assert limiter.refusal("b") is None  # another key has its own count
    clock.now = 1060  # the first event leaves the window exactly now
    assert limiter.refusal("a") is None


def test_refusing_counts_nothing():
    clock = Clock()
    limiter = RateLimiter(1, 60, clock=clock)
    limiter.record("a")
    for _ in range(5):
        assert limiter.refusal("a") is not None
    clock.now += 60
    assert limiter.refusal("a") is None


def test_memory_stays_bounded_as_sessions_come_and_go():
    clock = Clock()
    limiter = RateLimiter(2, 60, clock=clock, max_keys=100)
    for session in range(1000):
        limiter.record(session)
        clock.now += 1
    assert len(limiter) <= 100
    # The most recent sessions are still counted.
    limiter.record(999)
    assert limiter.refusal(999) is not None


def test_bad_limits_are_refused():
    with pytest.raises(ValueError):
        RateLimiter(0, 60)
    with pytest.raises(ValueError):
        RateLimiter(1, 0)


def test_save_limits_per_minute_and_per_hour_with_a_message_saying_how_long_to_wait():
    clock = Clock()
    saves = SaveLimits(per_minute=2, per_hour=3, clock=clock)
    assert saves.try_save("s1") is None
    assert saves.try_save("s1") is None
    message = saves.try_save("s1")
    assert message is not None
    assert message.startswith("Not saved: this session has already saved 2 scenarios")
    assert "last minute" in message and "Try again in 60 seconds" in message
    assert "nothing on this page is lost" in message
    assert saves.try_save("s2") is None  # another session is not held back

    clock.now += 61  # the minute has passed: one more fits in the hour
    assert saves.try_save("s1") is None
    clock.now += 61
    hourly = saves.try_save("s1")
    assert hourly is not None and "3 scenarios in the last hour" in hourly
    assert "Try again in 58 minutes" in hourly  # the first save leaves the hour at 1000 + 3600
    clock.now = 1000 + 3600
    assert saves.try_save("s1") is None


def test_concurrent_saves_of_one_session_never_exceed_the_limit():
    saves = SaveLimits(per_minute=5, per_hour=100)
    allowed: list[bool] = []
    barrier = threading.Barrier(20)

    def press() -> None:
        barrier.wait()
        allowed.append(saves.try_save("script") is None)

    threads = [threading.Thread(target=press) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 5
