"""Every string a user gave (roster names and niches, a scenario's name, a file name) shows as
text in every place the app puts it: Markdown titles and messages, chart labels, legends and
hovers, tables, downloads and the client report. The app is walked tab by tab with a roster
and a saved scenario whose strings are Markdown, HTML and plotly templates."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest
from test_app import app_state, run

from dashboard import charts
from dashboard.store import ScenarioStore, database_url
from dashboard.text import chart_text, md
from planner import read_table
from ui import state

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv"
HOSTILE = (  # under the 200 characters a name may have
    '=HYPERLINK("http://evil.example") ![t](http://evil.example/p.png) '
    "[Verify](http://evil.example/phish) "
    '<a href="http://evil.example/a">a</a> <img src=x onerror=alert(1)> %{y} $x$ :red[hi] &amp;'
)
# In Markdown, what would start a tag, a link or an image unless escaped with a backslash.
LIVE = re.compile(r"(?<!\\)(<|\[|\]\(|!\[)")


def hostile_roster() -> pd.DataFrame:
    frame = read_table(SAMPLE)
    frame["name"] = [f"{i} {HOSTILE}" for i in range(len(frame))]
    frame["niche"] = HOSTILE
    return frame


def _strings(value: object) -> Iterator[tuple[str, str]]:
    """Every string in a decoded figure, with the key it sits under."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                yield key, item
            else:
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                yield "", item
            else:
                yield from _strings(item)


def assert_figure_shows_text(figure: dict) -> None:
    for key, text in _strings(figure):
        assert not any(live in text for live in ("<a ", "<img")), (key, text)
        if key == "hovertemplate":
            assert "evil.example" not in text, text  # user text enters as data only


def assert_page_shows_text(app: AppTest) -> None:
    assert not app.exception
    for kind in ("title", "markdown", "caption", "warning", "error", "info", "success"):
        for element in getattr(app, kind):
            assert not LIVE.search(element.value), (kind, element.value)
    for chart in app.get("plotly_chart"):
        assert_figure_shows_text(json.loads(chart.proto.spec))


def _save_hostile_scenarios() -> list[str]:
    store = ScenarioStore(database_url())
    roster = hostile_roster().assign(include=True)
    return [
        store.save(f"{HOSTILE} {n}", {"budget": budget}, roster, f"{HOSTILE}.csv").id
        for n, budget in ((1, 50_000.0), (2, 80_000.0))
    ]


def test_every_place_in_the_app_shows_user_strings_as_text():
    first, second = _save_hostile_scenarios()
    # The client view: the scenario's name is the page's title.
    client = run(scenario=first, view="client")
    assert_page_shows_text(client)
    assert client.title[0].value == md(app_state(client).scenario.name)  # (cut to 120)
    # The marketer's view of the same scenario, every tab.
    app = run(scenario=first)
    assert_page_shows_text(app)
    table = app.dataframe[0].value
    assert table["Influencer"].str.contains(HOSTILE, regex=False).all()  # a table: text as is
    for tab in ("Budget and roster", "Strategies and risk"):
        opened = run(scenario=first, tab=tab)
        assert_page_shows_text(opened)
        assert opened.get("plotly_chart")
    # The roster's file name and the left-out list.
    app.session_state[state.LEFT_OUT_OPEN] = True
    app.session_state[state.ROSTER_OPEN] = True
    app.run()
    assert_page_shows_text(app)
    # Compare: the two scenarios' names on the charts' axes, legends and hovers.
    compare = run(scenario=first, tab="Compare")
    compare.text_input(key="compare_link").set_value(f"http://x/?scenario={second}").run()
    assert_page_shows_text(compare)
    specs = [json.loads(c.proto.spec) for c in compare.get("plotly_chart")]
    assert len(specs) == 2
    split_labels = [y for trace in specs[0]["data"] for y in trace["y"]]
    assert all(label.startswith(chart_text(HOSTILE[:100])) for label in split_labels)


def test_every_chart_builder_takes_user_strings_as_text():
    from planner import Campaign, check_roster, make_plan

    roster = check_roster(hostile_roster())
    plan = make_plan(roster, Campaign(budget=50_000))
    assert_figure_shows_text(charts.roster_scatter(roster.table, plan.allocations).to_dict())
    summary = pd.DataFrame(
        {
            "scenario": [HOSTILE, HOSTILE + " 2"],
            "micro_spend": [1.0, 2.0],
            "macro_spend": [1.0, 2.0],
            "micro_engagement": [1.0, 2.0],
            "macro_engagement": [1.0, 2.0],
        }
    )
    assert_figure_shows_text(charts.compare_split(summary).to_dict())
    curve = pd.DataFrame({"macro_share": [0.0, 0.5], "expected_engagement": [1.0, 2.0]})
    figure = charts.compare_curves({HOSTILE: curve}).to_dict()
    assert_figure_shows_text(figure)
    assert figure["data"][0]["name"] == chart_text(HOSTILE)
