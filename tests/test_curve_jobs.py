"""The split curve computed in worker processes, in parts, gives the same answer as computed
here in one piece."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboard.curve_jobs import CurveJobs
from planner import Campaign, read_roster
from planner.risk import Assumptions, split_curve_ranges
from ui.cache import weights

ROSTER = read_roster(Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv")
CAMPAIGN = Campaign(budget=45_000)


def test_worker_and_inline_curves_agree_and_jobs_are_kept_by_their_inputs():
    jobs = CurveJobs()
    jobs.warm()
    assert jobs.up(timeout=120)
    key = ("sample", CAMPAIGN, None, Assumptions())
    job = jobs.submit(ROSTER, key, CAMPAIGN, None, Assumptions())
    assert len(job) == CurveJobs.PARTS  # the bands in parts, shared by the workers
    assert not any(part.done() for part in job)  # running in the workers
    assert jobs.submit(ROSTER, key, CAMPAIGN, None, Assumptions()) is job  # kept, not redone
    curve, ranges = jobs.result(key, job)
    here_curve, here_ranges = split_curve_ranges(ROSTER, CAMPAIGN, Assumptions())
    pd.testing.assert_frame_equal(curve, here_curve)
    pd.testing.assert_frame_equal(ranges, here_ranges)


def test_a_curve_asked_for_before_the_workers_are_started_waits_for_them():
    jobs = CurveJobs()
    jobs.warm()  # starting, in the background: takes about a second
    key = ("sample", CAMPAIGN, "early")
    job = jobs.submit(ROSTER, key, CAMPAIGN, None, Assumptions())
    assert len(job) == 1 and not job[0].done()  # worked out when first needed
    curve, ranges = jobs.result(key, job)
    here_curve, here_ranges = split_curve_ranges(ROSTER, CAMPAIGN, Assumptions())
    pd.testing.assert_frame_equal(curve, here_curve)
    pd.testing.assert_frame_equal(ranges, here_ranges)
    assert jobs.up(timeout=0)  # it waited for the workers, which are up now


def test_without_a_worker_the_curve_is_computed_here():
    jobs = CurveJobs()
    jobs._pool = None
    key = ("sample", CAMPAIGN, (0.5, 0.1), Assumptions())
    job = jobs.submit(ROSTER, key, CAMPAIGN, weights(ROSTER, (0.5, 0.1)), Assumptions())
    assert len(job) == 1 and not job[0].done()  # computed when first needed
    curve, _ = jobs.result(key, job)
    assert job[0].done() and jobs.result(key, job)[0] is curve  # once
    assert curve["expected_engagement"].notna().sum() >= 9
