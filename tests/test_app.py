from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


def test_sample_plan_page_runs_and_reacts_to_budget():
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    engagements = app.metric[0].value
    assert engagements != "0"
    app.number_input[0].set_value(20_000.0).run()
    assert not app.exception
    assert app.metric[0].value != engagements
