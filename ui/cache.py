"""Planner calls through Streamlit's cache: everything here depends only on the roster and the
settings, so a move back to an earlier setting, or a rerun that changed nothing the planner
reads, costs nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from concurrent.futures import CancelledError
from concurrent.futures.process import BrokenProcessPool

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard.controls import Replies, first_values
from dashboard.curve_jobs import CurveJobs
from dashboard.digest import digest
from dashboard.reading import Reading
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
from planner.outreach import (
    Forecast,
    Strategy,
    forecast,
    macro_reply_sweep,
    outreach_head_to_head,
)
from planner.risk import Assumptions, split_curve_ranges

# Every cache below is shared by the server's sessions, so whatever is derived from a roster is
# keyed by a SHA-256 digest of the whole roster (`dashboard/digest.py`) and by its scope: SHARED
# for the sample roster and saved scenarios (anyone may open those), else the session's own id,
# so that one session's roster and plans are never another's.
SHARED = "shared"


def session_scope() -> str:
    """The scope of this session's own rosters: its id (one scope outside a script run)."""
    ctx = get_script_run_ctx()
    return f"session {ctx.session_id}" if ctx is not None else "session"


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
    return _checked(frame, digest(scope, frame), tiers, prices, reading or Reading())


@st.cache_data(show_spinner=False, max_entries=16, ttl="15m")
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
    return digest(scope, roster.table, roster.tiers, roster.prices_estimated, roster.currency)


@st.cache_data(show_spinner=False, max_entries=1_000, ttl="15m")
def plan(_roster: Roster, roster_key: str, campaign: Campaign, replies: Replies) -> Plan:
    return make_plan(_roster, campaign, first_value=first_values(_roster, replies))


@st.cache_resource(show_spinner=False, on_release=CurveJobs.close)
def _curve_jobs() -> CurveJobs:
    return CurveJobs()


def warm_worker() -> None:
    """Start the split curve's worker processes (in the background, once per server)."""
    _curve_jobs().warm()


def start_curve(
    roster: Roster,
    roster_key: str,
    campaign: Campaign,
    strategy: Strategy,
    assumptions: Assumptions,
) -> PendingCurve:
    """Start the realistic split curve (after declines and backups, planned by `strategy`) and
    each point's simulated P10-P90 range from the same draws (the campaign's band does not
    matter: the curve sets its own at each point); the returned call waits for them.

    The session waits only for the curve it asked for last (`CurveJobs`): one that nobody waits
    for any more is given up, and a run still waiting for it gets `CancelledError`. That run was
    superseded: with `runner.fastReruns` (the default) every widget change starts a new run of
    the session's script at once and asks the running one to stop, which it notices only at its
    next Streamlit call. The wait then ends it with the runner's StopException, which the runner
    takes as a stop, not an error: nothing is shown, and the newer run draws the page."""
    whole = dataclasses.replace(campaign, macro_share_min=0.0, macro_share_max=1.0)
    key = (roster_key, whole, strategy, assumptions)
    jobs = _curve_jobs()
    ctx = get_script_run_ctx()
    owner = ctx.session_id if ctx is not None else None
    job = jobs.submit(roster, key, whole, None, assumptions, owner=owner, outreach=strategy)

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
                job = jobs.submit(
                    roster, key, whole, None, assumptions, owner=owner, outreach=strategy
                )
            except BrokenProcessPool:  # the worker died during this job: computed here instead
                return split_curve_ranges(roster, whole, assumptions, outreach=strategy)

    return PendingCurve(
        ready,
        lambda: jobs.waiting(job),
        done=lambda: jobs.done(job),
        progress=lambda: jobs.progress(job),
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
    page's words would be drawn from inside a cached function.)"""

    def plan_for(r: Roster, c: Campaign) -> Plan:
        planned = plan(r, roster_key, c, replies)
        if on_plan is not None:
            on_plan()
        return planned

    return budget_frontier(roster, campaign, plan_for=plan_for)


@st.cache_data(show_spinner=False, max_entries=64, ttl="15m")
def outreach_forecast(
    _roster: Roster,
    roster_key: str,
    campaign: Campaign,
    assumptions: Assumptions,
    strategy: Strategy,
) -> Forecast:
    """The campaign after declines and backups (`planner.outreach.forecast`, its seed), with
    the plan as if every offer were accepted (`plan`, cached) as its secondary line. No target:
    its chance is read from the same draws (`Forecast.outcome.probability`)."""
    return forecast(
        _roster,
        campaign,
        assumptions,
        strategy=strategy,
        if_all_accepted=plan(_roster, roster_key, campaign, None),
    )


@st.cache_data(show_spinner=False, max_entries=32, ttl="15m")
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


@st.cache_data(show_spinner=False, max_entries=16, ttl="30m")
def reply_sweep(
    _roster: Roster,
    roster_key: str,
    campaign: Campaign,
    assumptions: Assumptions,
    strategy: Strategy,
) -> pd.DataFrame:
    """The best macro share by macro reply rate (`macro_reply_sweep`: slow, some 14 s on the
    sample roster; the page runs it on a button press only)."""
    whole = dataclasses.replace(campaign, macro_share_min=0.0, macro_share_max=1.0)
    return macro_reply_sweep(_roster, whole, assumptions, strategy=strategy)
