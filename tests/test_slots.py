"""The server's compute slots (`dashboard/slots.py`): at most N computations at once, nested ones
free, and the order of locks that keeps Streamlit's per-key cache locks from deadlocking."""

from __future__ import annotations

import threading
import time

import pytest

from dashboard.slots import ComputeSlots, default_slots, queue_words


def test_at_most_n_computations_run_at_once():
    slots = ComputeSlots(2)
    running = 0
    most = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal running, most
        with slots.held():
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.02)
            with lock:
                running -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert most == 2
    assert running == 0


def test_a_computation_nested_in_another_takes_no_second_slot():
    slots = ComputeSlots(1)
    done = threading.Event()

    def outer() -> None:
        with slots.held(), slots.held(), slots.held():
            pass
        with slots.held():  # the slot was given back by the outermost only
            done.set()

    thread = threading.Thread(target=outer, daemon=True)
    thread.start()
    thread.join(timeout=5)
    assert done.is_set()


def test_the_slot_is_taken_before_the_caches_key_lock_so_no_one_waits_forever():
    """Two threads want the same cache key: one computes it (holding the key's lock), the
    other holds its slot while it waits for that lock. With the slot taken outside the cache
    (as `ui/cache.py` does), the one computing already holds a slot, so both finish."""
    slots = ComputeSlots(1)
    key_lock = threading.Lock()  # what Streamlit's cache holds while it computes a key
    cached: dict[str, int] = {}
    order: list[str] = []

    def cached_call(name: str) -> int:
        with slots.held():  # outside the cache, as ui/cache._by_scope does
            with key_lock:
                if "k" not in cached:
                    with slots.held():  # the computation's own nested calls
                        time.sleep(0.02)
                        cached["k"] = 1
                order.append(name)
                return cached["k"]

    threads = [threading.Thread(target=cached_call, args=(n,), daemon=True) for n in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=5)
    assert sorted(order) == ["a", "b"]


def test_the_number_of_slots_is_configurable(monkeypatch):
    monkeypatch.setenv("PLANNER_COMPUTE_SLOTS", "3")
    assert default_slots() == 3
    monkeypatch.delenv("PLANNER_COMPUTE_SLOTS")
    assert default_slots() >= 1
    with pytest.raises(ValueError):
        ComputeSlots(0)


def test_waiting_computations_are_served_headline_first_then_in_order():
    slots = ComputeSlots(1)
    served: list[str] = []
    release = threading.Event()

    def holder() -> None:
        with slots.held():
            release.wait(5)

    def waiter(name: str, priority: int) -> None:
        with slots.held(priority):
            served.append(name)

    first = threading.Thread(target=holder)
    first.start()
    time.sleep(0.05)
    threads = []
    for name, priority in (("comparison 1", 1), ("headline 1", 0), ("comparison 2", 1)):
        thread = threading.Thread(target=waiter, args=(name, priority))
        thread.start()
        threads.append(thread)
        time.sleep(0.05)  # each in the queue before the next
    threads.append(threading.Thread(target=waiter, args=("headline 2", 0)))
    threads[-1].start()
    time.sleep(0.05)
    release.set()
    for thread in [first, *threads]:
        thread.join(timeout=5)
    assert served == ["headline 1", "headline 2", "comparison 1", "comparison 2"]


def test_a_page_is_told_how_many_requests_are_ahead_of_its_own():
    slots = ComputeSlots(2)
    assert slots.ahead() == 0 and queue_words(0) == ""
    release = threading.Event()
    started = threading.Barrier(3)

    def hold(priority: int) -> None:
        with slots.held(priority):
            started.wait(5)
            release.wait(5)

    holders = [threading.Thread(target=hold, args=(1,)) for _ in range(2)]
    for thread in holders:
        thread.start()
    started.wait(5)  # both slots taken
    assert slots.ahead(0) == 2
    waiters = [threading.Thread(target=lambda p=p: slots.held(p).__enter__()) for p in (1, 0)]
    # (the waiters never leave: the slots are dropped with the test)
    for thread in waiters:
        thread.daemon = True
        thread.start()
        time.sleep(0.05)
    assert slots.ahead(0) == 3  # the two running and the headline waiting
    assert slots.ahead(1) == 4  # and the comparison waiting too
    release.set()
    for thread in holders:
        thread.join(5)
    assert queue_words(1) == " The server is busy: 1 other page's request ahead of yours."
    assert queue_words(3) == " The server is busy: 3 other pages' requests ahead of yours."


def test_the_frontiers_plans_wait_as_comparisons_and_the_headlines_plan_does_not(monkeypatch):
    """The Budget tab's frontier is drawn below the headline: its plans take their slots at
    the comparisons' priority, while the headline's own plan takes its slot first."""
    from pathlib import Path

    from planner.roster import read_roster
    from planner.settings import Campaign
    from ui import cache

    taken: list[int] = []

    class Recorded(ComputeSlots):
        def _acquire(self, priority: int) -> None:
            taken.append(priority)
            super()._acquire(priority)

    monkeypatch.setattr(cache, "SLOTS", Recorded(1))
    roster = read_roster(Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv")
    key = cache.roster_key(roster, cache.SHARED)
    campaign = Campaign(budget=40_000)
    cache.plan(roster, key, campaign, None)
    assert taken == [cache.HEADLINE]
    taken.clear()
    frontier = cache.frontier(roster, key, campaign, None)
    assert len(taken) == len(frontier) > 1  # one slot a plan, none nested inside it
    assert set(taken) == {cache.COMPARISON}


@pytest.mark.parametrize("raw", ["abc", "0", "-2", "1.5", "inf"])
def test_a_number_of_slots_the_server_cannot_use_stops_it_with_words(monkeypatch, raw):
    from dashboard.environment import EnvironmentSettingError

    monkeypatch.setenv("PLANNER_COMPUTE_SLOTS", raw)
    with pytest.raises(EnvironmentSettingError, match="PLANNER_COMPUTE_SLOTS=.*whole number"):
        default_slots()


def test_slots_from_the_environment_or_one_per_core(monkeypatch):
    monkeypatch.setenv("PLANNER_COMPUTE_SLOTS", " 3 ")
    assert default_slots() == 3
    monkeypatch.setenv("PLANNER_COMPUTE_SLOTS", "")
    assert default_slots() >= 1


@pytest.mark.parametrize("raw", ["soon", "0", "-5", "nan"])
def test_a_cache_lifetime_the_server_cannot_use_is_named(monkeypatch, raw):
    from dashboard.environment import EnvironmentSettingError, positive_number

    monkeypatch.setenv("PLANNER_CACHE_TTL_SECONDS", raw)
    with pytest.raises(EnvironmentSettingError, match="number of seconds above 0"):
        positive_number("PLANNER_CACHE_TTL_SECONDS", 900)
    monkeypatch.setenv("PLANNER_CACHE_TTL_SECONDS", "2.5")
    assert positive_number("PLANNER_CACHE_TTL_SECONDS", 900) == 2.5


def test_a_slot_is_spare_only_while_one_is_free_and_nobody_waits():
    """`spare()`: work alongside a computation may take a second core only when no other
    computation holds it or waits for it."""
    slots = ComputeSlots(2)
    assert slots.spare()
    started, release = threading.Event(), threading.Event()

    def hold() -> None:
        with slots.held():
            started.set()
            release.wait(5)

    others = [threading.Thread(target=hold)]
    others[0].start()
    started.wait(5)
    assert slots.spare()  # one of two held: the other is free
    with slots.held():
        assert not slots.spare()  # both held
    started.clear()
    others.append(threading.Thread(target=hold))
    with slots.held():
        others[1].start()
        deadline = time.monotonic() + 5
        while not slots._waiting and time.monotonic() < deadline:
            time.sleep(0.005)
        assert not slots.spare()  # both held, one waiting
    started.wait(5)  # the waiting one took the slot this thread let go
    assert not slots.spare()
    release.set()
    for thread in others:
        thread.join(5)
    assert slots.spare()


@pytest.mark.parametrize("spare", [True, False])
def test_the_forecast_works_alongside_only_while_a_core_is_spare(monkeypatch, spare):
    """The headline's forecasts spread their work over a second core only while a slot is
    spare (`ComputeSlots.spare`); under load each keeps to its own slot's core."""
    from pathlib import Path

    from planner.risk import Assumptions
    from planner.roster import read_roster
    from planner.settings import Campaign
    from ui import cache

    asked: list[bool] = []

    class Busy(ComputeSlots):
        def spare(self) -> bool:
            return spare

    def recorded(*args: object, alongside: bool, **kwargs: object) -> str:
        asked.append(alongside)
        return "forecast"

    monkeypatch.setattr(cache, "SLOTS", Busy(2))
    monkeypatch.setattr(cache, "forecast", recorded)
    roster = read_roster(Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv")
    key = cache.roster_key(roster, cache.SHARED)
    campaign = Campaign(budget=41_000 if spare else 42_000)
    assert cache._forecast(roster, key, campaign, Assumptions(), "expected") == "forecast"
    assert asked == [spare]


def test_the_frontiers_plans_the_cache_lacks_come_from_one_shared_set_up(monkeypatch):
    """The Budget tab's frontier asks the plan cache for each budget; the budgets it lacks are
    solved from the frontier's shared work (`BudgetPlans`: the posts built once for them all),
    each the plan `make_plan` gives, and kept in the cache: the headline's own plan is the
    frontier's point at the budget, and a second look solves nothing."""
    from pathlib import Path

    import pandas as pd

    import planner.plan
    from planner.plan import budget_frontier, make_plan
    from planner.roster import read_roster
    from planner.settings import Campaign
    from ui import cache

    roster = read_roster(Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv")
    key = cache.roster_key(roster, cache.SHARED)
    campaign = Campaign(budget=47_000, max_influencers=45, macro_share_max=0.7)
    headline = cache.plan(roster, key, campaign, None)
    built: list[int] = []
    real = planner.plan.build_items

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(planner.plan, "build_items", counted)
    frontier = cache.frontier(roster, key, campaign, None)
    assert len(built) == 1 and len(frontier) > 20
    at_budget = frontier.set_index("budget").loc[campaign.budget, "expected_engagement"]
    assert at_budget == headline.expected_engagement
    built.clear()
    again = cache.frontier(roster, key, campaign, None)
    assert built == []
    pd.testing.assert_frame_equal(frontier, again)
    monkeypatch.setattr(planner.plan, "build_items", real)
    pd.testing.assert_frame_equal(frontier, budget_frontier(roster, campaign, plan_for=make_plan))
