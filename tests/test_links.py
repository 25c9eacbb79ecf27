"""A link's settings: what the warning says is used is what every widget shows and the plan
uses, for repeated and malformed parameters too (the widgets bound to the link read it their
own way, so the app rewrites a link it had to correct before they do)."""

from __future__ import annotations

from test_app import headline, run

from dashboard.controls import BUDGET


def _warnings(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [w.value for w in app.warning]


def test_a_reversed_range_falls_back_to_the_default_band_in_the_slider_and_the_plan():
    app = run(macro_share=["90", "10"])
    assert not app.exception
    (warning,) = _warnings(app)
    assert "using 0–100\\%" in warning
    assert app.slider(key="macro_share").value == (0, 100)
    assert headline(app)["Plan status"] == "Optimal"
    assert "macro_share" not in app.query_params


def test_a_thousand_repeated_budgets_give_a_short_warning_and_the_budget_it_names():
    app = run(budget=["1000000"] * 1000)
    assert not app.exception
    (warning,) = _warnings(app)
    assert "using \\$100,000" in warning and len(warning) < 250
    assert app.number_input(key=BUDGET.key).value == 100_000
    # the plan as if every offer were accepted spends the budget the warning names
    assert any("for \\$100,000\\." in c.value for c in app.caption)


def test_a_value_the_check_accepts_is_the_value_the_widget_shows():
    app = run(max_posts="5.0", budget="25000.00", decay="0.70")
    assert not app.exception and not _warnings(app)
    assert app.slider(key="max_posts").value == 5
    assert app.number_input(key=BUDGET.key).value == 25_000
    assert app.slider(key="decay").value == 0.7
    assert app.query_params["max_posts"] == "5"  # as the app writes it


def test_a_malformed_value_falls_back_in_the_widget_too():
    app = run(budget="abc", max_macro="many")
    assert not app.exception
    assert len(_warnings(app)) == 2
    assert app.number_input(key=BUDGET.key).value == 100_000
    assert app.number_input(key="max_macro").value is None
