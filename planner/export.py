"""The plan as a table for people, and as files a marketer can send: CSV and Excel.

Words, not column names: every heading is a phrase ("Expected engagements"), platforms are
spelled as their brands (TikTok, YouTube) and tiers with a capital. Numbers are rounded as they
are shown (money to the cent, rates in percent with two decimals, engagements whole); in Excel
each cell is a number with its format (currency, percent, thousands), under a totals row's
sums, after a first sheet with the scenario's name, date and key settings.

Formulas never run. A cell that begins with `=`, `+`, `-`, `@` (or a tab or carriage return) is
a formula to a spreadsheet; influencer names and other text come from uploaded files (OWASP,
"CSV injection"):

- in Excel, such a cell is stored as text with Excel's quote prefix: it shows exactly as typed
  (`@sunny_nomad384`, no apostrophe) and never runs. The Excel file is the one to send a client.
- in CSV there is no such marker: Excel opens a CSV cell that begins with `@` as a formula
  (`#NAME?` at best), so every such cell gets a leading apostrophe, handles included. CSV is
  for other tools and for reading back into the planner (`docs/security.md`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from planner.money import currency_label, excel_money
from planner.plan import Plan
from planner.roster import DEFAULT_CURRENCY, Roster

Kind = Literal["text", "count", "percent", "money", "money_rate", "flag"]


@dataclass(frozen=True)
class Column:
    key: str  # column of Plan.allocations
    heading: str
    kind: Kind
    total: Literal["sum", "ratio", "count", ""] = ""  # what the totals row shows


PLAN_COLUMNS = (
    Column("name", "Influencer", "text", "count"),
    Column("tier", "Tier", "text"),
    Column("platform", "Platform", "text"),
    Column("niche", "Niche", "text"),
    Column("followers", "Followers", "count"),
    Column("engagement_rate", "Engagement rate (%)", "percent"),
    Column("cost_per_post", "Price per post ({unit})", "money"),
    Column("price_estimated", "Price estimated", "flag"),
    Column("posts", "Posts", "count", "sum"),
    Column("spend", "Spend ({unit})", "money", "sum"),
    Column("expected_engagement", "Expected engagements", "count", "sum"),
    Column("cost_per_engagement", "Cost per engagement ({unit})", "money_rate", "ratio"),
)


def headings(
    currency: str = DEFAULT_CURRENCY, renamed: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Column in Plan.allocations -> heading in the table and in the files, money in
    `currency` (an ISO code: `Spend ($)`, `Spend (€)`, `Spend (CHF)`); `renamed`: headings a
    table gives some columns instead (key -> heading)."""
    unit = currency_label(currency)
    return {c.key: c.heading.format(unit=unit) for c in PLAN_COLUMNS} | dict(renamed or {})


HEADINGS = headings()  # in US dollars
DERIVED_HEADING = "Engagement rate derived"  # from average likes and comments ÷ followers

PLATFORMS = {
    "instagram": "Instagram",
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "x": "X",
    "facebook": "Facebook",
    "twitch": "Twitch",
    "linkedin": "LinkedIn",
    "pinterest": "Pinterest",
    "snapchat": "Snapchat",
    "other": "Other",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _excel_formats(currency: str) -> dict[Kind, str]:
    return {
        "count": "#,##0",
        "percent": '0.00"%"',  # the cell holds the percent (3.47), as the CSV does
        "money": excel_money(currency),
        "money_rate": excel_money(currency, digits=4),
    }


def platform_name(platform: object) -> str:
    """A platform as its brand spells it (TikTok, YouTube); one the list does not know, as the
    roster has it."""
    text = str(platform)
    return PLATFORMS.get(text.strip().lower(), text)


def whole_summing_to_total(values: np.ndarray) -> np.ndarray:
    """Whole numbers, each within 1 of its value, that add up to the total rounded (largest
    remainders get the extra units): a column of expected engagements then sums to the figure
    the headline shows, where rounding each row alone can miss it by a few."""
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    floors = np.floor(values)
    short = int(round(float(values.sum()))) - int(floors.sum())
    order = np.argsort(-(values - floors), kind="stable")
    out = floors.astype(np.int64)
    out[order[: max(short, 0)]] += 1
    return out


def plan_table(plan: Plan, roster: Roster | None = None) -> pd.DataFrame:
    """The chosen influencers, most expected engagements first, in words and rounded as shown;
    with the `roster` planned from, money headed in its currency and, where some engagement
    rates were derived, a column marking them. The *Price estimated* column is there only when
    some price was estimated."""
    names = headings(roster.currency if roster is not None else DEFAULT_CURRENCY)
    rows = plan.allocations
    table = pd.DataFrame(
        {
            names["name"]: rows["name"].astype(object),
            names["tier"]: rows["tier"].map(lambda t: str(t).capitalize()),
            names["platform"]: rows["platform"].map(platform_name),
            names["niche"]: rows["niche"].fillna("").astype(str),
            names["followers"]: rows["followers"].astype("int64"),
            names["engagement_rate"]: (rows["engagement_rate"].astype(float) * 100).round(2),
            names["cost_per_post"]: rows["cost_per_post"].astype(float).round(2),
            names["price_estimated"]: rows["price_estimated"].map(
                lambda e: "yes" if bool(e) else ""
            ),
            names["posts"]: rows["posts"].astype("int64"),
            names["spend"]: rows["spend"].astype(float).round(2),
            names["expected_engagement"]: whole_summing_to_total(
                rows["expected_engagement"].to_numpy(dtype=float)
            ),
            names["cost_per_engagement"]: rows["cost_per_engagement"].astype(float).round(4),
        }
    )
    if not plan.prices_estimated:
        table = table.drop(columns=names["price_estimated"])
    if roster is not None and roster.engagement_derived:
        derived = roster.table.set_index("name")["engagement_derived"]
        position = table.columns.get_loc(names["engagement_rate"]) + 1
        marks = rows["name"].map(derived).fillna(False).astype(bool)
        table.insert(position, DERIVED_HEADING, marks.map(lambda d: "yes" if d else "").to_numpy())
    return table.reset_index(drop=True)


def totals_row(
    table: pd.DataFrame,
    currency: str = DEFAULT_CURRENCY,
    renamed: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """The totals under a plan table (money in `currency`, columns `renamed` as in
    `headings`): the number of influencers, posts, spend and expected engagements, and the
    plan's cost per engagement."""
    names = headings(currency, renamed)
    out: dict[str, object] = {}
    for column in PLAN_COLUMNS:
        heading = names[column.key]
        if heading not in table or column.key in (renamed or {}):
            continue  # a renamed column means something else: not this total
        values = table[heading]
        if column.total == "count":
            out[heading] = f"Total: {len(table):,} influencer" + ("" if len(table) == 1 else "s")
        elif column.total == "sum":
            total = values.sum()
            out[heading] = round(float(total), 2) if column.kind == "money" else int(total)
        elif column.total == "ratio":
            spend = float(table[names["spend"]].sum())
            engagements = float(table[names["expected_engagement"]].sum())
            out[heading] = round(spend / engagements, 4) if engagements > 0 else None
    return out


def _safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which no text cell can run as a spreadsheet formula (for CSV)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(_safe).astype(object)
    out.columns = [_safe(c) for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark, so Excel shows accented names correctly."""
    return neutralise(frame).to_csv(index=False).encode("utf-8-sig")


@dataclass(frozen=True)
class Fact:
    """One line of the Excel file's first sheet: a label and its value (a number keeps its
    kind's format)."""

    label: str
    value: object
    kind: Kind = "text"


def to_excel_bytes(
    frame: pd.DataFrame,
    sheet_name: str = "Plan",
    *,
    about: Sequence[Fact] = (),
    totals: bool = False,
    currency: str = DEFAULT_CURRENCY,
    renamed: Mapping[str, str] | None = None,
    extra_kinds: Mapping[str, Kind] | None = None,
) -> bytes:
    """The table as an Excel file: cells typed and formatted by their column's kind (plan
    columns, `kinds`, with `renamed` and `extra_kinds` as there), money in `currency`, a totals
    row when `totals`, and, first, a sheet of `about` facts (the scenario's name, date and
    settings) when given. No text cell runs as a formula."""
    from openpyxl.styles import Font

    formats = _excel_formats(currency)
    by_heading = kinds(currency, renamed, extra_kinds)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        if about:
            pd.DataFrame({"": [f.label for f in about]}).to_excel(
                writer, index=False, header=False, sheet_name="About"
            )
            facts = writer.sheets["About"]
            for row, fact in enumerate(about, start=1):
                head = row == 1 or fact.value == ""  # the title, and section headings
                facts.cell(row=row, column=1).font = Font(bold=head, size=14 if row == 1 else 11)
                cell = facts.cell(row=row, column=2, value=fact.value)
                if fact.kind in formats and not isinstance(fact.value, str):
                    cell.number_format = formats[fact.kind]
            facts.column_dimensions["A"].width = 34
            facts.column_dimensions["B"].width = 44
            _text_stays_text(facts)
        frame.to_excel(writer, index=False, sheet_name=sheet_name)
        sheet = writer.sheets[sheet_name]
        last = len(frame) + 1
        if totals and len(frame):
            row = totals_row(frame, currency, renamed)
            for i, heading in enumerate(frame.columns, start=1):
                if heading in row and row[heading] is not None:
                    cell = sheet.cell(row=last + 1, column=i, value=row[heading])
                    cell.font = Font(bold=True)
        for i, heading in enumerate(frame.columns, start=1):
            kind = by_heading.get(str(heading))
            fmt = formats.get(kind) if kind else None
            if fmt:
                for (cell,) in sheet.iter_rows(min_row=2, max_row=last + 1, min_col=i, max_col=i):
                    if isinstance(cell.value, (int, float)):
                        cell.number_format = fmt
        _text_stays_text(sheet)
        for cells in sheet.columns:
            width = max(len(str(c.value)) if c.value is not None else 0 for c in cells)
            sheet.column_dimensions[cells[0].column_letter].width = min(max(width + 2, 10), 40)
        sheet.freeze_panes = "B2"
    return buffer.getvalue()


def _text_stays_text(sheet: object) -> None:
    """Every text cell that would start a formula, stored as text with Excel's quote prefix:
    shown exactly as typed, never run."""
    for cells in sheet.iter_rows():  # type: ignore[attr-defined]
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith(_FORMULA_START):
                cell.data_type = "s"  # openpyxl took it for a formula
                cell.quotePrefix = True


# The outreach list (`planner.risk.outreach_list`) in words; a column not named here is headed
# by its name in words.
OUTREACH_COLUMNS = (
    Column("contact_order", "Contact order", "count"),
    Column("role", "Role", "text"),
    Column("name", "Influencer", "text"),
    Column("tier", "Tier", "text"),
    Column("platform", "Platform", "text"),
    Column("posts", "Posts offered", "count"),
    Column("spend", "Cost of the offer ({unit})", "money"),
    Column("reply_rate", "Reply rate (%)", "percent"),
    Column("expected_engagement_if_accepted", "Expected engagements if accepted", "count"),
    Column("expected_spend", "Expected spend ({unit})", "money"),
    Column("cumulative_expected_spend", "Expected spend so far ({unit})", "money"),
    Column("why", "Why", "text"),
)


def kinds(
    currency: str = DEFAULT_CURRENCY,
    renamed: Mapping[str, str] | None = None,
    extra: Mapping[str, Kind] | None = None,
) -> dict[str, Kind]:
    """Each heading of the plan table (columns `renamed` as in `headings`) and the outreach
    list, money in `currency`, and the `extra` columns a table adds -> its kind (how Excel and
    the report format its cells)."""
    unit = currency_label(currency)
    names = headings(currency, renamed)
    plan = {names[c.key]: c.kind for c in PLAN_COLUMNS}
    outreach = {c.heading.format(unit=unit): c.kind for c in OUTREACH_COLUMNS}
    return outreach | plan | dict(extra or {})


def outreach_table(frame: pd.DataFrame, currency: str = DEFAULT_CURRENCY) -> pd.DataFrame:
    """The outreach list in words, rounded as shown, money in `currency`."""
    unit = currency_label(currency)
    known = {c.key: c for c in OUTREACH_COLUMNS}
    out = {}
    for key in frame.columns:
        column = known.get(key) or Column(key, str(key).replace("_", " ").capitalize(), "text")
        values = frame[key]
        if key in ("tier", "role"):
            values = values.map(lambda v: str(v).capitalize())
        elif key == "platform":
            values = values.map(platform_name)
        elif column.kind == "percent":
            values = (values.astype(float) * 100).round(2)
        elif column.kind == "money":
            values = values.astype(float).round(2)
        elif column.kind == "count":
            values = values.astype(float).round().astype("int64")
        out[column.heading.format(unit=unit)] = values
    return pd.DataFrame(out)
