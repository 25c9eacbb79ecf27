"""The dashboard through Streamlit's AppTest: controls drive the plan, links restore settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


def run(**params: str | list[str]) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        app.query_params[key] = value
    return app.run()


def headline(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


@pytest.fixture(scope="module")
def first() -> AppTest:
    return run()


def test_first_open_shows_the_sample_plan_and_every_chart(first):
    assert not first.exception
    figures = headline(first)
    assert figures["Expected engagements"] not in ("", "0")
    assert figures["Plan status"] == "Optimal"
    charts = first.get("plotly_chart")
    assert len(charts) == 5
    assert not first.error and not first.warning


def test_the_budget_slider_and_the_typed_budget_move_together(first):
    before = headline(first)["Expected engagements"]
    first.slider(key="budget_slider").set_value(40_000.0).run()
    assert first.number_input(key="budget").value == 40_000.0
    assert headline(first)["Spend"] == "$40,000"
    assert headline(first)["Expected engagements"] != before
    first.number_input(key="budget").set_value(2_500_000.0).run()
    assert first.slider(key="budget_slider").value == 1_000_000.0
    assert not first.exception


def test_a_link_restores_its_settings():
    app = run(budget="25000", macro_share=["0", "30"], max_posts="2", decay="0.9")
    assert not app.exception
    assert app.number_input(key="budget").value == 25_000.0
    assert app.slider(key="macro_share").value == (0, 30)
    assert app.slider(key="max_posts").value == 2
    assert headline(app)["Spend"].startswith("$2")
    assert not app.warning


def test_a_link_with_bad_values_says_so_and_uses_the_defaults():
    app = run(budget="lots", max_posts="99")
    assert not app.exception
    warnings = " ".join(w.value for w in app.warning)
    assert "Budget" in warnings and "'lots' is not a number" in warnings
    assert "Posts per influencer" in warnings
    assert app.number_input(key="budget").value == 100_000.0
    assert app.slider(key="max_posts").value == 3


def test_impossible_settings_explain_what_to_change_instead_of_charts():
    app = run(macro_share=["50", "100"], max_macro="0")
    assert not app.exception
    text = " ".join(e.value for e in app.error)
    assert "No plan fits these settings" in text
    assert "cap" in text
    assert not app.get("plotly_chart")


def test_share_link_carries_the_settings():
    app = run(budget="30000")
    codes = [c.value for c in app.code]
    assert any("budget=30000" in c for c in codes)
