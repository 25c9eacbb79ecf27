"""The headline's words (`dashboard/headline.py`): what each figure says it is."""

from __future__ import annotations

from pathlib import Path

from dashboard import controls
from dashboard.headline import chance_figure, target_of
from planner import Campaign, make_plan, read_roster
from planner.risk import Assumptions, simulate

ROSTER = read_roster(Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv")
PLAN = make_plan(ROSTER, Campaign(budget=50_000))
OUTCOME = simulate(ROSTER, PLAN, Assumptions())


def test_a_target_of_zero_is_a_target_not_no_target():
    values = {controls.TARGET.key: 0}
    assert target_of(values, OUTCOME) == 0
    assert chance_figure(OUTCOME, target_of(values, OUTCOME)).note == "≥ 0 engagements"


def test_no_target_is_what_the_plan_should_earn_with_replies():
    assert target_of({controls.TARGET.key: None}, OUTCOME) == round(OUTCOME.expected) > 0
