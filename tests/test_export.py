"""Plan tables and files: headings, and no cell a spreadsheet would run."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from planner import Campaign, check_roster, make_plan, read_roster
from planner.export import HEADINGS, neutralise, plan_table, to_csv_bytes, to_excel_bytes

DANGEROUS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"]


@pytest.fixture(scope="module")
def plan():
    rows = [
        {"name": name, "followers": 50_000 + i, "engagement_rate": 0.05, "cost_per_post": 100}
        for i, name in enumerate(DANGEROUS + ["plain name"])
    ]
    return make_plan(check_roster(pd.DataFrame(rows)), Campaign(budget=10_000))


def test_plan_table_has_readable_headings(plan):
    table = plan_table(plan)
    # every heading but "Price estimated" (no price here was estimated), in words
    assert list(table.columns) == [h for k, h in HEADINGS.items() if k != "price_estimated"]
    assert not any("_" in h for h in table.columns)
    assert len(table) == 5


def test_csv_cells_that_start_a_formula_get_an_apostrophe(plan):
    text = to_csv_bytes(plan_table(plan)).decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(text))
    names = set(back["Influencer"])
    assert {"'" + d for d in DANGEROUS} <= names
    assert "plain name" in names
    assert not any(str(n).startswith(("=", "+", "-", "@")) for n in names)
    # numbers stay numbers
    assert pd.api.types.is_numeric_dtype(back["Spend ($)"])


def test_handles_in_excel_show_as_typed_without_an_apostrophe():
    frame = pd.DataFrame(
        [{"name": "@sunny_nomad", "followers": 50_000, "engagement_rate": 0.05, "cost_per_post": 9}]
    )
    plan = make_plan(check_roster(frame), Campaign(budget=100))
    book = load_workbook(io.BytesIO(to_excel_bytes(plan_table(plan))))
    cell = book.active["A2"]
    assert cell.value == "@sunny_nomad" and cell.quotePrefix and cell.data_type == "s"


def test_excel_keeps_names_as_text_that_never_runs(plan):
    book = load_workbook(io.BytesIO(to_excel_bytes(plan_table(plan))))
    sheet = book.active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    risky = [c for c in cells if str(c.value).startswith(("=", "+", "-", "@", "\t"))]
    assert {c.value for c in risky} == set(DANGEROUS)
    assert all(c.data_type == "s" and c.quotePrefix for c in risky)


def test_neutralise_leaves_negative_numbers_alone():
    frame = pd.DataFrame({"a": [-1.5, 2.0], "b": ["-x", "\ty"]})
    out = neutralise(frame)
    assert list(out["a"]) == [-1.5, 2.0]
    assert list(out["b"]) == ["'-x", "'\ty"]


SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv"


@pytest.fixture(scope="module")
def sample_plan():
    return make_plan(read_roster(SAMPLE), Campaign(budget=20_000))


def test_the_csv_is_rounded_as_shown_in_words_with_brands(sample_plan):
    back = pd.read_csv(io.StringIO(to_csv_bytes(plan_table(sample_plan)).decode("utf-8-sig")))
    assert list(back.columns[:3]) == ["Influencer", "Tier", "Platform"]
    assert set(back["Platform"]) <= {"Instagram", "TikTok", "YouTube"}
    assert set(back["Tier"]) <= {"Micro", "Macro"}
    text = to_csv_bytes(plan_table(sample_plan)).decode("utf-8-sig")
    for line in text.splitlines()[1:]:
        cells = next(csv.reader([line]))
        rate, price, spend, engagements = cells[5], cells[6], cells[8], cells[9]
        assert re.fullmatch(r"\d+(\.\d{1,2})?", rate)  # percent, two decimals at most
        assert 0 < float(rate) < 100
        assert re.fullmatch(r"\d+(\.\d{1,2})?", price) and re.fullmatch(r"\d+(\.\d{1,2})?", spend)
        assert re.fullmatch(r"\d+", engagements)
    rate = back["Engagement rate (%)"]
    first = sample_plan.allocations["engagement_rate"].iloc[0] * 100
    assert rate.iloc[0] == pytest.approx(round(first, 2))


def test_excel_has_the_scenario_first_then_a_typed_plan_with_totals(sample_plan):
    from dashboard import controls
    from dashboard.report import plan_facts
    from planner.outreach import forecast

    values = {s.key: s.default for s in controls.ALL} | {controls.BUDGET.key: 20_000.0}
    result = forecast(
        read_roster(SAMPLE),
        sample_plan.campaign,
        controls.assumptions_from(values),
        strategy="plan",
    )
    about = plan_facts(
        title="Spring launch",
        roster_label="Sample roster",
        plan=sample_plan,
        values=values,
        created=datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
        forecast=result,
        target=300_000.0,
    )
    table = plan_table(sample_plan)
    book = load_workbook(io.BytesIO(to_excel_bytes(table, about=about, totals=True)))
    assert book.sheetnames == ["About", "Plan"]
    facts = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True)}
    assert "Spring launch" in facts and facts["Made"] == "01 Dec 2026, 10:00 UTC"
    assert facts["Roster"] == "Sample roster"
    # (The forecast's plan was made for a band of the split curve: its certificate says so.)
    assert result.band is not None
    assert facts["Plan of offers"] == (
        "This is the best plan possible for its mix of micro and macro influencers, the mix "
        "these settings allow that is expected to earn the most once offers are declined."
    )
    assert facts["Budget"] == 20_000
    # The headline's figures: the campaign after declines and backups (the same simulation).
    summary = result.summary()
    assert facts["Expected engagements (after declines and backups)"] == round(summary["mean"])
    assert facts["Expected spend"] == pytest.approx(summary["mean_spend"], abs=0.01)
    assert facts["Chance of at least 300,000 engagements"] == pytest.approx(
        round(result.outcome.probability(300_000) * 100, 2)
    )
    budget_row = next(r for r in book["About"].iter_rows() if r[0].value == "Budget")
    assert "$" in budget_row[1].number_format
    assert facts["Share of budget on macro influencers (%)"] == "0–100% of the budget"
    sheet = book["Plan"]
    heads = [c.value for c in sheet[1]]
    column = {h: i for i, h in enumerate(heads)}
    rows = list(sheet.iter_rows(min_row=2))
    body, total = rows[: len(table)], rows[len(table)]
    first = body[0]
    assert first[column["Spend ($)"]].number_format == '"$"#,##0.00'
    assert first[column["Followers"]].number_format == "#,##0"
    assert first[column["Engagement rate (%)"]].number_format == '0.00"%"'
    assert first[column["Expected engagements"]].number_format == "#,##0"
    assert isinstance(first[column["Spend ($)"]].value, (int, float))
    assert total[0].value == f"Total: {len(table)} influencers"
    assert total[column["Spend ($)"]].value == pytest.approx(sample_plan.spend)
    assert total[column["Posts"]].value == int(table["Posts"].sum())
    assert total[column["Expected engagements"]].value == int(table["Expected engagements"].sum())
    assert total[column["Spend ($)"]].font.bold


def test_the_outreach_list_is_in_words():
    from planner.export import outreach_table
    from planner.risk import Assumptions, outreach_list

    roster = read_roster(SAMPLE)
    plan = make_plan(roster, Campaign(budget=20_000))
    table = outreach_table(outreach_list(roster, plan, Assumptions()))
    assert not any("_" in str(h) for h in table.columns)
    assert "Expected engagements if accepted" in table.columns
    assert set(table["Role"]) == {"Plan", "Backup"}
    assert set(table["Platform"]) <= {"Instagram", "TikTok", "YouTube"}


def test_an_edited_roster_is_named_for_what_it_is():
    from ui.state import AppState, RosterTable

    frame = pd.read_csv(SAMPLE)
    app = AppState(roster=RosterTable(frame, "Sample roster (synthetic)", True), link_problems=[])
    app.keep_edits(frame.copy())
    app.close_editor()  # opened and closed without a change: the same roster
    assert app.roster.label == "Sample roster (synthetic)"
    app.keep_edits(frame.assign(followers=frame["followers"] + 1))
    app.close_editor()
    assert app.roster.label == "Edited from sample roster (synthetic)"
    app.keep_edits(frame)
    app.close_editor()
    assert app.roster.label == "Edited from sample roster (synthetic)"


def test_the_engagements_column_adds_up_to_the_headline_figure():
    for budget in (20_000, 50_000, 80_000):
        plan = make_plan(read_roster(SAMPLE), Campaign(budget=budget))
        column = plan_table(plan)["Expected engagements"]
        assert int(column.sum()) == round(plan.expected_engagement)
        exact = plan.allocations["expected_engagement"].to_numpy()
        assert (abs(column.to_numpy() - exact) < 1).all()


@pytest.mark.parametrize(
    ("code", "money_format", "rate_format"),
    [
        ("EUR", '"€"#,##0.00', '"€"#,##0.0000'),
        ("CHF", '"CHF "#,##0.00', '"CHF "#,##0.0000'),
    ],
)
def test_excel_money_cells_carry_the_rosters_currency(code, money_format, rate_format):
    from dataclasses import replace

    roster = replace(read_roster(SAMPLE), currency=code)
    plan = make_plan(roster, Campaign(budget=20_000))
    table = plan_table(plan, roster)
    book = load_workbook(io.BytesIO(to_excel_bytes(table, totals=True, currency=code)))
    sheet = book["Plan"]
    heads = [c.value for c in sheet[1]]
    unit = "€" if code == "EUR" else code
    spend = heads.index(f"Spend ({unit})")
    first = list(sheet.iter_rows(min_row=2, max_row=2))[0]
    assert first[spend].number_format == money_format
    assert isinstance(first[spend].value, (int, float))
    per_engagement = [i for i, h in enumerate(heads) if "per engagement" in str(h).lower()]
    for i in per_engagement:
        assert first[i].number_format == rate_format
    assert not [c.number_format for c in first if "$" in c.number_format]
