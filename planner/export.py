"""The plan as a table for people: named columns, and files (CSV, Excel) safe to open.

A cell that begins with `=`, `+`, `-`, `@` (or a tab or carriage return) is a formula to a
spreadsheet; influencer names and other text come from uploaded files. In CSV such cells get a
leading apostrophe (OWASP, "CSV injection"); in Excel they are stored as text with Excel's own
quote prefix, so they show exactly as typed and never run.
"""

from __future__ import annotations

import io

import pandas as pd

from planner.numbers import currency_label
from planner.plan import Plan
from planner.roster import DEFAULT_CURRENCY, Roster


def headings(currency: str = DEFAULT_CURRENCY) -> dict[str, str]:
    """Column in Plan.allocations -> heading in the table and in the files, money in
    `currency` (an ISO code: `Spend ($)`, `Spend (€)`, `Spend (CHF)`)."""
    unit = currency_label(currency)
    return {
        "name": "Influencer",
        "tier": "Tier",
        "platform": "Platform",
        "niche": "Niche",
        "followers": "Followers",
        "engagement_rate": "Engagement rate",
        "cost_per_post": f"Price per post ({unit})",
        "price_estimated": "Price estimated",
        "posts": "Posts",
        "spend": f"Spend ({unit})",
        "expected_engagement": "Expected engagements",
        "cost_per_engagement": f"Cost per engagement ({unit})",
    }


HEADINGS = headings()  # in US dollars
DERIVED_HEADING = "Engagement rate derived"  # from average likes and comments ÷ followers
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def plan_table(plan: Plan, roster: Roster | None = None) -> pd.DataFrame:
    """The chosen influencers, most expected engagements first, with readable headings; with
    the `roster` planned from, money headed in its currency and, where some engagement rates
    were derived, a column marking them."""
    names = headings(roster.currency if roster is not None else DEFAULT_CURRENCY)
    table = plan.allocations[list(names)].rename(columns=names)
    if roster is not None and roster.engagement_derived:
        derived = roster.table.set_index("name")["engagement_derived"]
        position = table.columns.get_loc(names["engagement_rate"]) + 1
        marks = plan.allocations["name"].map(derived).fillna(False).astype(bool)
        table.insert(position, DERIVED_HEADING, marks.to_numpy())
    return table.reset_index(drop=True)


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which no text cell can run as a spreadsheet formula."""

    def safe(value: object) -> object:
        if isinstance(value, str) and value.startswith(_FORMULA_START):
            return "'" + value
        return value

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe).astype(object)
    out.columns = [safe(c) for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark, so Excel shows accented names correctly."""
    return neutralise(frame).to_csv(index=False).encode("utf-8-sig")


def to_excel_bytes(frame: pd.DataFrame, sheet_name: str = "Plan") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet_name)
        sheet = writer.sheets[sheet_name]
        for cells in sheet.columns:
            for cell in cells:
                if isinstance(cell.value, str) and cell.value.startswith(_FORMULA_START):
                    cell.data_type = "s"  # openpyxl took it for a formula
                    cell.quotePrefix = True
            width = max(len(str(c.value)) if c.value is not None else 0 for c in cells)
            sheet.column_dimensions[cells[0].column_letter].width = min(max(width + 2, 10), 40)
    return buffer.getvalue()
