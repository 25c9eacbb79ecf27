"""Money is whole cents: whatever the precision of the roster's prices and of the budget, no
output (the plan, its JSON, the command line's three formats, the plan table, the CSV and Excel
files, the client report) shows a spend above the budget or a negative amount left."""

from __future__ import annotations

import contextlib
import io
import json
import re
import tempfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from dashboard import controls
from dashboard.forecast import offers_plan
from dashboard.headline import forecast_figures, if_all_accepted_words
from dashboard.report import plan_report
from planner import Campaign, check_roster, make_plan
from planner.cli import main
from planner.export import plan_table, to_csv_bytes, to_excel_bytes
from planner.outreach import forecast
from planner.risk import split_curve_ranges

# Prices and budgets with any number of decimals (as a file or a formula can give them).
PRICE = st.floats(min_value=0.01, max_value=500, allow_nan=False, allow_infinity=False)


@st.composite
def cases(draw):
    n = draw(st.integers(1, 12))
    prices = draw(st.lists(PRICE, min_size=n, max_size=n))
    rows = [
        {
            "name": f"inf{i}",
            "followers": draw(st.integers(1_000, 3_000_000)),
            "engagement_rate": draw(st.floats(0.001, 0.2)),
            "cost_per_post": price,
        }
        for i, price in enumerate(prices)
    ]
    # Often exactly what some posts add up to, unrounded: where a rounding slip would show.
    sums = [sum(prices[: k + 1]) for k in range(n)]
    budget = draw(st.one_of(st.sampled_from(sums), st.floats(1.0, 5_000.0)))
    return pd.DataFrame(rows), budget, draw(st.integers(1, 3))


def _amount(text: str) -> Decimal:
    return Decimal(re.sub(r"[$,]", "", text))


def _check_plan_outputs(frame: pd.DataFrame, budget: float, posts: int) -> None:
    roster = check_roster(frame)
    plan = make_plan(roster, Campaign(budget=budget, max_posts=posts))
    cap = Decimal(repr(budget))
    assert plan.spend <= budget and plan.budget_left >= 0
    data = plan.to_dict()
    assert Decimal(repr(data["spend"])) <= cap and data["budget_left"] >= 0
    rows = plan.allocations
    # every row's spend is its price times its posts, to the cent, and they add up to the spend
    cents = (rows["cost_per_post"] * 100).round().astype(int) * rows["posts"]
    assert list(cents) == list((rows["spend"] * 100).round().astype(int))
    assert int(cents.sum()) == round(plan.spend * 100)
    table = plan_table(plan)
    spend = next(c for c in table.columns if c.startswith("Spend"))
    assert Decimal(repr(round(float(table[spend].sum()), 2))) <= cap
    back = pd.read_csv(io.StringIO(to_csv_bytes(table).decode("utf-8-sig")))
    spend_csv = next(c for c in back.columns if str(c).startswith("Spend"))
    total = sum(Decimal(str(v)) for v in back[spend_csv].dropna() if str(v) != "")
    assert total <= cap
    sheet = load_workbook(io.BytesIO(to_excel_bytes(table))).worksheets[-1]
    heads = [c.value for c in next(sheet.iter_rows(max_row=1))]
    col = next(i for i, h in enumerate(heads) if str(h).startswith("Spend"))
    cells = [r[col] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert sum(Decimal(repr(v)) for v in cells[: len(table)] if v is not None) <= cap
    # The headline (page and report): the campaign after declines and backups never books
    # more, and the "if every offer were accepted" line states the plan's spend as shown.
    if plan.has_plan:
        result = forecast(
            roster,
            plan.campaign,
            controls.assumptions_from(_DEFAULTS),
            draws=200,
            if_all_accepted=plan,
        )
        if result.plan.has_plan:
            shown = {f.label: f for f in forecast_figures(result, 1.0, roster.tiers)}
            assert _amount(shown["Expected spend"].value) <= cap
        words = if_all_accepted_words(result)
        assert _amount(re.search(r"for (\$[\d,.]+)\.$", words).group(1)) <= cap
    return roster, plan


_DEFAULTS = {s.key: s.default for s in controls.ALL}


def _check_cli(frame: pd.DataFrame, budget: float, posts: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roster.csv"
        frame.to_csv(path, index=False)
        cap = Decimal(repr(budget))
        # pandas writes a decimal point; said so, since a price such as 1.875 alone could also
        # be 1,875 written with a dot between thousands (the CLI would ask).
        args = ["plan", "--roster", str(path), "--budget", repr(budget), "--max-posts", str(posts)]
        args += ["--decimal", "point"]
        for fmt in ("json", "csv", "table"):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                assert main([*args, "--format", fmt]) == 0
            text = out.getvalue()
            if fmt == "json":
                data = json.loads(text)
                assert Decimal(repr(data["spend"])) <= cap and data["budget_left"] >= 0
                assert sum(Decimal(repr(a["spend"])) for a in data["allocations"]) <= cap
            elif fmt == "csv":
                if text.strip():
                    back = pd.read_csv(io.StringIO(text))
                    assert sum(Decimal(str(v)) for v in back["Spend ($)"]) <= cap
            else:
                found = re.search(r"Spend: (\$[\d,.]+) of \S+ \(([^)]*) left\)", text)
                if found:
                    assert _amount(found.group(1)) <= cap
                    assert not found.group(2).startswith(("-", "−")) and "$-" not in found.group(2)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_spend_never_exceeds_the_budget_in_any_output(case):
    frame, budget, posts = case
    _check_plan_outputs(frame, budget, posts)
    _check_cli(frame, budget, posts)


def test_the_reported_example_spends_exactly_the_budget():
    # 10 influencers at $10.004, a $100 budget, one post each: was $100.04, "-$0.04 left".
    frame = pd.DataFrame(
        [
            {"name": f"n{i}", "followers": 50_000, "engagement_rate": 0.05, "cost_per_post": 10.004}
            for i in range(10)
        ]
    )
    roster, plan = _check_plan_outputs(frame, 100.0, 1)
    assert plan.status == "optimal" and plan.spend == 100.0 and plan.budget_left == 0
    assert set(plan.allocations["cost_per_post"]) == {10.0}
    _check_cli(frame, 100.0, 1)
    values = {s.key: s.default for s in controls.ALL} | {controls.BUDGET.key: 100.0}
    assumptions = controls.assumptions_from(values)
    curve, ranges = split_curve_ranges(roster, plan.campaign, assumptions)
    result = forecast(roster, plan.campaign, assumptions, if_all_accepted=plan)
    html = plan_report(
        title="Cents",
        roster=roster,
        roster_label="Sample roster",
        plan=offers_plan(roster, result),
        values=values,
        forecast=result,
        target=1.0,
        curve=curve,
        ranges=ranges,
    ).decode()
    assert "100.04" not in html and "10.004" not in html and "−$0" not in html
