"""A plan that books nothing says why, in every output, instead of showing figures of nothing
("Optimal" over 0 engagements, "$nan", "Chance of target 100% ≥ 0")."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from planner import Campaign, check_roster, make_plan
from planner.cli import main

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


def _roster(followers: int, price: float, n: int = 3):
    rows = [
        {"name": f"n{i}", "followers": followers, "engagement_rate": 0.05, "cost_per_post": price}
        for i in range(n)
    ]
    return check_roster(pd.DataFrame(rows))


def test_every_price_above_the_budget_says_so_and_what_to_change():
    plan = make_plan(_roster(50_000, 500.0), Campaign(budget=100))
    assert plan.booked_nothing and plan.has_plan
    assert "cheapest post" in plan.message and "$500" in plan.message
    assert "at least $500" in plan.message


def test_everyone_left_out_says_so():
    plan = make_plan(_roster(500, 50.0), Campaign(budget=100))  # all below 1,000 followers
    assert plan.booked_nothing
    assert "no influencer to plan with" in plan.message


def test_caps_and_bands_that_leave_nothing_say_so():
    plan = make_plan(_roster(50_000, 10.0), Campaign(budget=100, max_influencers=0))
    assert plan.booked_nothing and "cap on influencers is 0" in plan.message
    macro_only = _roster(5_000_000, 50.0)
    plan = make_plan(macro_only, Campaign(budget=100, macro_share_max=0.0))
    assert plan.booked_nothing and "band's top is 0%" in plan.message


def test_a_plan_that_books_something_has_no_message():
    plan = make_plan(_roster(50_000, 10.0), Campaign(budget=100))
    assert not plan.booked_nothing and plan.message == ""


def test_the_command_line_says_why_nothing_was_booked(tmp_path):
    path = tmp_path / "roster.csv"
    pd.DataFrame(
        [{"name": "a", "followers": 50_000, "engagement_rate": 0.05, "cost_per_post": 500}]
    ).to_csv(path, index=False)
    for fmt in ("table", "json"):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["plan", "--roster", str(path), "--budget", "100", "--format", fmt]) == 0
        text = out.getvalue()
        if fmt == "json":
            assert "cheapest post" in json.loads(text)["message"]
        else:
            assert "cheapest post" in text and "Expected engagements: 0" not in text


def test_the_page_says_why_nothing_was_booked_instead_of_figures():
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params["max_influencers"] = "0"
    app.run()
    assert not app.exception
    assert any("Nothing was booked" in w.value for w in app.warning)
    labels = {m.label for m in app.metric}
    assert "Plan status" not in labels and "Chance of target" not in labels
