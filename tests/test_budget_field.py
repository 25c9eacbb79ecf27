"""The budget's field at its limits: money shown as money, a typed budget outside the planner's
range said so next to the field (never a red field that silently keeps the old plan), and the
slider never disagreeing with the field without a note."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard import controls
from dashboard.controls import BUDGET, budget_in_range, check_link
from ui import state

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


def test_a_budget_outside_the_range_says_so_and_which_budget_is_used():
    assert budget_in_range(25_000.0) == (25_000.0, None)
    used, problem = budget_in_range(60_000_000.0)
    assert used == 50_000_000.0
    assert problem is not None and "$60,000,000 is above" in problem and "$50,000,000" in problem
    used, problem = budget_in_range(20.0)
    assert used == 100.0 and problem is not None and "$20 is below" in problem


def test_a_link_message_writes_money_as_money():
    (message,) = check_link({"budget": ["6e7"]})
    assert "$60,000,000 is outside $100–$50,000,000" in message and "e+07" not in message
    (message,) = check_link({"macro_threshold": ["5000000000"]})
    assert "5,000,000,000" in message and "e+09" not in message


def test_the_field_says_what_is_out_of_range_and_the_plan_follows_the_used_budget():
    app = AppTest.from_file(APP, default_timeout=120).run()
    app.number_input(key=BUDGET.key).set_value(60_000_000.0).run()
    assert not app.exception
    errors = " ".join(e.value for e in app.sidebar.error)
    assert "$60,000,000 is above the largest budget" in errors
    spend = next(m for m in app.metric if m.label == "Expected spend")
    assert "$50,000,000" in spend.help
    app.number_input(key=BUDGET.key).set_value(500.0).run()
    assert not app.sidebar.error
    captions = " ".join(c.value for c in app.sidebar.caption)
    assert "the typed budget, $500, is used" in captions and "$500.00" in captions
    assert app.slider(key=state.BUDGET_SLIDER).value == controls.BUDGET_SLIDER_LOW
