"""Plan tables and files: headings, and no cell a spreadsheet would run."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from planner import Campaign, check_roster, make_plan
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
    assert list(table.columns) == list(HEADINGS.values())
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
