"""Planner calls through Streamlit's cache: everything here depends only on the roster and the
settings, so a move back to an earlier setting, or a rerun that changed nothing the planner
reads, costs nothing."""

from __future__ import annotations

import dataclasses
import functools
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import CancelledError
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import pandas as pd
import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard.controls import Replies, first_values
from dashboard.curve_jobs import CurveJobs
from dashboard.digest import digest
from dashboard.environment import positive_number
from dashboard.memory import RELEASER
from dashboard.reading import Reading
from dashboard.slots import SLOTS
from dashboard.slots import queue_words as slots_queue_words
from planner import (
    Campaign,
    Plan,
    RateCard,
    Roster,
    RosterError,
    Tiers,
    budget_frontier,
    check_roster,
    make_plan,
)
from planner.compiled import warm as warm_compiled
from planner.outreach import (
    Forecast,
    Strategy,
    curve_campaign,
    forecast,
    macro_reply_sweep,
    outreach_head_to_head,
)
from planner.plan import BudgetPlans
from planner.risk import Assumptions, split_curve_ranges

# Whatever is derived from a roster is keyed by a SHA-256 digest of the whole roster
# (`dashboard/digest.py`) and by its scope: SHARED for the sample roster and saved scenarios
# (anyone may open those), else the session's own id, so that one session's roster and plans
# are never another's. The key says which (`is_shared`): a shared roster's results are kept in
# caches shared by the server's sessions, a session's own (an upload, an edit) in caches of that
# session only, which Streamlit drops when its page disconnects (`_by_scope`).
SHARED = "shared"
OWN = "own"

# How long the planner's results are kept (seconds): PLANNER_CACHE_TTL_SECONDS, default 15
# minutes (the load benchmark shortens it to see memory once the caches have expired).
TTL = positive_number("PLANNER_CACHE_TTL_SECONDS", 15 * 60)


def session_scope() -> str:
    """The scope of this session's own rosters: its id (one scope outside a script run)."""
    ctx = get_script_run_ctx()
    return f"session {ctx.session_id}" if ctx is not None else "session"


def scoped_key(scope: str, *parts: object) -> str:
    """A cache key of `parts` in `scope`, saying whether it is SHARED (`is_shared`)."""
    return f"{SHARED if scope == SHARED else OWN} {digest(scope, *parts)}"


def is_shared(key: str) -> bool:
    return key.startswith(SHARED + " ")


# The order in which waiting computations get a compute slot (`dashboard/slots.py`).
HEADLINE = 0  # the roster checked, its plan, the plan for the campaign's band simulated
COMPARISON = 1  # the split curve's bands compared, head-to-head, reply sweep, frontier


def queue_words(priority: int = 0) -> str:
    """' The server is busy: N other pages' requests ahead of yours.' when a call of
    `priority` made now would wait for a compute slot, else ''."""
    return slots_queue_words(SLOTS.ahead(priority))


def _by_scope(
    *,
    ttl: float,
    shared_entries: int,
    shared_size: str,
    own_entries: int,
    own_size: str,
    priority: int = HEADLINE,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`st.cache_data` twice over one function whose second argument is a key of `scoped_key`:
    a shared roster's results in a cache of the server's (at most `shared_entries` entries
    and `shared_size` pickled), a session's own in a cache of that session's (`scope="session"`:
    at most `own_entries` and `own_size` per session, and dropped when its page disconnects),
    so that an upload's results are not kept after its session. Both expire after `ttl`.
    Each call takes one of the server's compute slots first (`dashboard/slots.py`), served by
    `priority`: HEADLINE for what the page needs for its first figures, COMPARISON for what
    follows them."""

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        shared = st.cache_data(
            func, show_spinner=False, max_entries=shared_entries, max_size=shared_size, ttl=ttl
        )
        own = st.cache_data(
            func,
            show_spinner=False,
            max_entries=own_entries,
            max_size=own_size,
            ttl=ttl,
            scope="session",
        )

        @functools.wraps(func)
        def call(*args: Any) -> Any:
            # (Outside a script run there is no session: its keys are told apart by scope.)
            in_session = get_script_run_ctx() is not None
            with SLOTS.held(priority):  # a few at once, served in turn (dashboard/slots.py)
                return (own if in_session and not is_shared(args[1]) else shared)(*args)

        call.clear = lambda: (shared.clear(), own.clear())  # type: ignore[attr-defined]
        return call

    return wrap


def checked(
    frame: pd.DataFrame,
    tiers: Tiers,
    rate_card: RateCard | None,
    scope: str,
    reading: Reading | None = None,
) -> tuple[Roster | None, RosterError | None]:
    """The checked roster, read as the user said (`reading`), or the error listing its
    problems."""
    prices = None if rate_card is None else tuple(sorted(rate_card.per_thousand.items()))
    return _checked(frame, scoped_key(scope, frame), tiers, prices, reading or Reading())


@_by_scope(ttl=TTL, shared_entries=16, shared_size="16MB", own_entries=4, own_size="16MB")
def _checked(
    _frame: pd.DataFrame,
    frame_key: str,
    tiers: Tiers,
    prices: tuple[tuple[str, float], ...] | None,
    reading: Reading,
) -> tuple[Roster | None, RosterError | None]:
    rate_card = None if prices is None else RateCard(dict(prices))  # (hashable for the cache)
    try:
        roster = check_roster(_frame, tiers=tiers, rate_card=rate_card, **reading.check_arguments())
    except RosterError as error:
        return None, error
    return roster, None


def roster_key(roster: Roster, scope: str) -> str:
    """The cache key of everything planned from a checked roster."""
    return scoped_key(scope, roster.table, roster.tiers, roster.prices_estimated, roster.currency)


@_by_scope(ttl=TTL, shared_entries=1_000, shared_size="16MB", own_entries=200, own_size="8MB")
def plan(
    _roster: Roster,
    roster_key: str,
    campaign: Campaign,
    replies: Replies,
    _budgets: BudgetPlans | None = None,
) -> Plan:
    """`make_plan`'s plan; where the frontier asks (`_budgets`: its campaign's and replies'
    plans at other budgets), the same plan from the frontier's shared work."""
    if _budgets is not None:
        return _budgets.plan(_roster, campaign)
    return make_plan(_roster, campaign, first_value=first_values(_roster, replies))


@st.cache_resource(show_spinner=False, on_release=CurveJobs.close)
def _curve_jobs() -> CurveJobs:
    jobs = CurveJobs()
    _JOBS.append(jobs)  # for `_session_gone`, which runs outside any script run
    del _JOBS[:-1]
    return jobs


_JOBS: list[CurveJobs] = []  # the server's CurveJobs (the last made: a cleared cache makes more)
_WATCHED: dict[str, weakref.finalize] = {}  # the sessions `track_session` watches, by id


def track_session() -> None:
    """Watch this session (on every run; it costs a lookup): when its page disconnects, and
    when Streamlit drops it, what it held is released.

    Streamlit has no hook for a session's end. A closed page's session is kept for
    `server.disconnectedSessionTTL` in case the page reconnects; its session-scoped caches are
    dropped at once (`_by_scope`, and `_page_closed` here: a resource of the session's, released
    then). After that time it is dropped from the server's session storage and its `AppSession`
    object is freed: the end watched by `weakref.finalize` (`_session_gone`). Streamlit removes
    a session's uploaded files when it shuts a session down, which it does for a session closed
    for good but not for one whose time in storage ran out (Streamlit 1.67); without
    `_session_gone` every roster uploaded in such a session stayed in the server's memory."""
    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return
    _page_open()
    if ctx.session_id in _WATCHED:
        return
    session = runtime.get_instance().get_app_session(ctx.session_id)
    if session is not None:
        watch = weakref.finalize(session, _session_gone, ctx.session_id)
        watch.atexit = False  # not when the server stops
        _WATCHED[ctx.session_id] = watch


def _page_closed(_: object) -> None:
    """The session's page disconnected: Streamlit dropped its session-scoped caches (the
    results of its own rosters); the memory they held goes back (`dashboard/memory.py`)."""
    RELEASER.release_soon()


@st.cache_resource(show_spinner=False, scope="session", on_release=_page_closed)
def _page_open() -> bool:
    return True


def _session_gone(session_id: str) -> None:
    """A session has ended: its uploaded files, the curves of its own rosters and its place in
    the curves' queue go, and the server hands the memory it held back (`dashboard/memory.py`).
    (Runs in whichever thread freed the session.)"""
    _WATCHED.pop(session_id, None)
    if runtime.exists():
        runtime.get_instance().uploaded_file_mgr.remove_session_files(session_id)
    for jobs in _JOBS:
        jobs.forget(session_id)
    RELEASER.release_soon()


def warm_up() -> None:
    """Load the compiled loops (the optimiser's and the simulation's: `planner.compiled.warm`)
    in the background, once per server, so the first page does not wait for them. (The split
    curve's worker processes are not started here any more: the page's curve comes with the
    forecast, and the workers start when a curve is first asked of them, `start_curve`.)"""
    _compiled_loaded()


@st.cache_resource(show_spinner=False)
def _compiled_loaded() -> threading.Thread:
    thread = threading.Thread(target=warm_compiled, name="warm-compiled", daemon=True)
    thread.start()
    return thread


def start_curve(
    roster: Roster,
    roster_key: str,
    campaign: Campaign,
    strategy: Strategy | None,
    assumptions: Assumptions,
) -> PendingCurve:
    """Start the realistic split curve (after declines and backups, planned by `strategy`;
    None: the plain curve, as if every offer were accepted, which no band changes) and
    each point's simulated P10-P90 range from the same draws (the curve sets its own band at
    each point, but the campaign's top for the macro share decides what can be booked:
    `planner.outreach.curve_campaign`); the returned call waits for them.

    The session waits only for the curve it asked for last (`CurveJobs`): one that nobody waits
    for any more is given up, and a run still waiting for it gets `CancelledError`. That run was
    superseded: with `runner.fastReruns` (the default) every widget change starts a new run of
    the session's script at once and asks the running one to stop, which it notices only at its
    next Streamlit call. The wait then ends it with the runner's StopException, which the runner
    takes as a stop, not an error: nothing is shown, and the newer run draws the page."""
    whole = (
        dataclasses.replace(campaign, macro_share_min=0.0, macro_share_max=1.0)
        if strategy is None  # the plain curve: the band does not matter at all
        else curve_campaign(campaign)
    )
    key = (roster_key, whole, strategy, assumptions)
    jobs = _curve_jobs()
    ctx = get_script_run_ctx()
    owner = ctx.session_id if ctx is not None else None
    submit = functools.partial(
        jobs.submit,
        roster,
        key,
        whole,
        None,
        assumptions,
        owner=owner,
        outreach=strategy,
        private=not is_shared(roster_key),  # dropped when the session ends
    )
    job = submit()

    def ready() -> tuple[pd.DataFrame, pd.DataFrame]:
        nonlocal job
        while True:
            try:
                return jobs.result(key, job)
            except CancelledError:
                # The run's yield check (what Streamlit's own cache waits call) raises the
                # runner's StopException when the run was asked to stop. `st.stop()` would end
                # a run that was not asked to stop as well: it is only the fallback.
                yield_check = getattr(get_script_run_ctx(), "yield_check", None)
                if yield_check is None:
                    st.stop()
                    raise
                yield_check()
                # Not asked to stop: an older run of this session, not stopped yet, asked for
                # its own curve after this run did. This run's curve is the one to show.
                job = submit()
            except BrokenProcessPool:  # the worker died during this job: computed here instead
                return split_curve_ranges(roster, whole, assumptions, outreach=strategy)

    return PendingCurve(
        ready,
        lambda: jobs.waiting(job),
        done=lambda: jobs.done(job),
        progress=lambda: jobs.progress(job),
    )


def forecast_curve(
    forecast: Forecast,
    roster: Roster,
    roster_key: str,
    campaign: Campaign,
    strategy: Strategy,
    assumptions: Assumptions,
) -> PendingCurve:
    """The realistic split curve of a forecast: the one its candidates came from
    (`Forecast.curve`, ready at once), else started in the workers (`start_curve`)."""
    if forecast.curve is None:
        return start_curve(roster, roster_key, campaign, strategy, assumptions)
    curve = forecast.curve
    points = len(curve[0])
    return PendingCurve(
        lambda: curve, lambda: None, done=lambda: True, progress=lambda: (points, points)
    )


class PendingCurve:
    """A split curve being computed: call it to wait for the curve and its ranges; `waiting`
    says how many other sessions' curves are queued before it for a worker (None when it is
    not queued); `done` whether calling it returns at once; `progress` how many of its points
    are solved, of how many (None when that cannot be told: it is worked out in this process
    when called)."""

    def __init__(
        self,
        ready: Callable[[], tuple[pd.DataFrame, pd.DataFrame]],
        waiting: Callable[[], int | None],
        *,
        done: Callable[[], bool] = lambda: False,
        progress: Callable[[], tuple[int, int] | None] = lambda: None,
    ) -> None:
        self._ready = ready
        self.waiting = waiting
        self.done = done
        self.progress = progress

    def __call__(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return self._ready()


def frontier(
    roster: Roster,
    roster_key: str,
    campaign: Campaign,
    replies: Replies,
    *,
    on_plan: Callable[[], None] | None = None,
) -> pd.DataFrame:
    """What more (or less) budget earns: one plan per budget (`budget_frontier`), each through
    the plan cache, so a frontier seen before costs lookups only and `on_plan` (called after
    each plan) can tell the page how far along a new one is. (Not cached as a whole: the
    page's words would be drawn from inside a cached function.) The plans the cache does not
    hold are solved from shared work (`BudgetPlans`: the posts built and ranked once; the same
    plans, post for post). Each plan waits for its compute slot as a comparison does
    (`COMPARISON`): the frontier is drawn below the headline, so a busy server serves every
    page's headline first."""
    budgets = BudgetPlans(roster, campaign, first_values(roster, replies))

    def plan_for(r: Roster, c: Campaign) -> Plan:
        with SLOTS.held(COMPARISON):  # the plan cache's own slot is then nested: no second
            planned = plan(r, roster_key, c, replies, budgets)
        if on_plan is not None:
            on_plan()
        return planned

    return budget_frontier(roster, campaign, plan_for=plan_for)


@_by_scope(
    ttl=TTL,
    shared_entries=64,
    shared_size="24MB",
    own_entries=8,
    own_size="8MB",
    priority=COMPARISON,
)
def outreach_forecast(
    _roster: Roster,
    roster_key: str,
    campaign: Campaign,
    assumptions: Assumptions,
    strategy: Strategy,
    _start: Forecast | None = None,
) -> Forecast:
    """The campaign after declines and backups (`planner.outreach.forecast`, its seed: the best
    of the plan for the campaign's band and the split curve's bands inside it), with the plan
    as if every offer were accepted (`plan`, cached) as its secondary line. No target: its
    chance is read from the same draws (`Forecast.outcome.probability`). `_start`: the plan for
    the band alone (`band_forecast`), when the caller has it (not part of the key: the result
    is the same)."""
    return _forecast(_roster, roster_key, campaign, assumptions, strategy, start=_start)


@_by_scope(ttl=TTL, shared_entries=64, shared_size="16MB", own_entries=8, own_size="8MB")
def band_forecast(
    _roster: Roster,
    roster_key: str,
    campaign: Campaign,
    assumptions: Assumptions,
    strategy: Strategy,
) -> Forecast:
    """The plan for the campaign's own band after declines and backups, without comparing the
    split curve's bands (`forecast(candidates=False)`): what the headline shows while they are
    compared (`ui/headline.show_forecast`), and where `outreach_forecast` starts."""
    return _forecast(_roster, roster_key, campaign, assumptions, strategy, candidates=False)


def _forecast(
    roster: Roster,
    roster_key: str,
    campaign: Campaign,
    assumptions: Assumptions,
    strategy: Strategy,
    **options: Any,
) -> Forecast:
    """`planner.outreach.forecast` with the plain plan from its cache as its secondary line,
    its simulations drawn half on a second core while a compute slot is spare
    (`ComputeSlots.spare`: no core is taken from another page's computation)."""
    return forecast(
        roster,
        campaign,
        assumptions,
        strategy=strategy,
        if_all_accepted=plan(roster, roster_key, campaign, None),
        alongside=SLOTS.spare(),
        **options,
    )


@_by_scope(
    ttl=TTL,
    shared_entries=32,
    shared_size="8MB",
    own_entries=4,
    own_size="4MB",
    priority=COMPARISON,
)
def head_to_head_outreach(
    _roster: Roster,
    roster_key: str,
    campaign: Campaign,
    assumptions: Assumptions,
    strategy: Strategy,
    target: float,
) -> pd.DataFrame:
    """All micro, all macro and the campaign's own mix after declines and backups."""
    # The headline's campaign, asked about the same target (its chance from the same draws).
    mix = dataclasses.replace(
        outreach_forecast(_roster, roster_key, campaign, assumptions, strategy), target=target
    )
    return outreach_head_to_head(
        _roster, campaign, assumptions, strategy=strategy, target=target, mix=mix
    )


@_by_scope(
    ttl=2 * TTL,
    shared_entries=16,
    shared_size="4MB",
    own_entries=2,
    own_size="1MB",
    priority=COMPARISON,
)
def reply_sweep(
    _roster: Roster,
    roster_key: str,
    campaign: Campaign,
    assumptions: Assumptions,
    strategy: Strategy,
) -> pd.DataFrame:
    """The best macro share by macro reply rate (`macro_reply_sweep`: the headline's plan
    worked out again at five macro reply rates, a second or two on the sample roster; the page
    runs it on a button press only)."""
    return macro_reply_sweep(_roster, campaign, assumptions, strategy=strategy)
