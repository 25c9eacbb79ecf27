"""Rosters as influencer tools and spreadsheets export them (tests/data/exports/, written by
make_exports.py) read to the clean table they were written from, and plan to the same optimum
on the command line as that clean table."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from planner import RosterError, check_roster, read_roster
from planner.cli import main

EXPORTS = Path(__file__).resolve().parent / "data" / "exports"

# file -> (read_roster options, the same on the command line, currency, rows left out)
CASES: dict[str, tuple[dict, list[str], str, list[str]]] = {
    "european.csv": ({}, [], "EUR", []),
    "hypeauditor.csv": ({}, [], "USD", []),
    "modash.csv": ({}, [], "USD", []),
    "upfluence_bom.csv": ({}, [], "USD", []),
    "per_network.csv": (
        {"columns": {"followers": "Instagram followers"}},
        ["--column", "followers=Instagram followers"],
        "USD",
        [],
    ),
    "youtube_views.csv": ({}, [], "USD", []),
    "heepsy.csv": ({}, [], "USD", []),
    "sheets_template.csv": ({}, [], "CHF", []),
    "foreign_headers.csv": (
        {"columns": {"name": "Nome", "cost_per_post": "Prezzo"}},
        ["--column", "name=Nome", "--column", "cost_per_post=Prezzo"],
        "USD",
        [],
    ),
    "utf16.txt": ({}, [], "GBP", []),
    "ambiguous.csv": (
        {"decimal": {"followers": "comma"}},
        ["--decimal", "followers=comma"],
        "USD",
        [],
    ),
    "spaces.csv": ({}, [], "EUR", []),
    "summary_rows.csv": ({}, [], "USD", ["Average", ""]),
    "titled_shortlist.xlsx": ({}, [], "EUR", ["Total"]),
    "formulas.xlsx": ({}, [], "USD", []),
    "sheets_merged.xlsx": ({}, [], "USD", []),
}
COMPARED = ["followers", "engagement_rate", "cost_per_post", "audience_quality"]


def expected_table(name: str) -> pd.DataFrame:
    return pd.read_csv(EXPORTS / f"{name}.expected.csv", keep_default_na=False)


def test_the_corpus_is_complete():
    files = {p.name for p in EXPORTS.iterdir() if not p.name.endswith((".expected.csv", ".py"))}
    assert files == set(CASES)
    assert sum(name.endswith(".xlsx") for name in files) >= 3
    assert len(files) >= 12


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_export_reads_to_its_clean_table(name):
    options, _, currency, left_out = CASES[name]
    roster = read_roster(EXPORTS / name, **options)
    want = expected_table(name)
    got = roster.table.sort_values("name").reset_index(drop=True)
    want = want.sort_values("name").reset_index(drop=True)
    assert list(got["name"]) == list(want["name"])
    for column in COMPARED:
        assert got[column].to_numpy(dtype=float) == pytest.approx(
            want[column].to_numpy(dtype=float), rel=1e-12
        ), column
    assert list(got["platform"]) == list(want["platform"])
    assert list(got["engagement_derived"]) == list(want["engagement_derived"])
    assert roster.currency == currency
    assert list(roster.excluded["name"]) == left_out
    # What was understood names a header for every field read from one.
    readings = {c.field: c for c in roster.understood.columns}
    for field in ("name", "followers", "cost_per_post"):
        assert readings[field].header is not None and readings[field].first_values


def test_without_the_choice_the_ambiguous_file_asks_and_names_the_column():
    with pytest.raises(RosterError) as caught:
        read_roster(EXPORTS / "ambiguous.csv")
    assert [a.column for a in caught.value.ambiguous] == ["followers"]
    assert "Column 'followers' can be read two ways" in caught.value.summary()
    assert "'230.000' is 230 with a decimal point or 230,000 with a decimal comma" in (
        caught.value.summary()
    )


def test_without_the_mapping_foreign_headers_are_suggested_not_used():
    with pytest.raises(RosterError) as caught:
        read_roster(EXPORTS / "foreign_headers.csv")
    error = caught.value
    assert set(error.unmapped) == {"name", "cost_per_post"}
    assert error.suggestions["name"].header == "Nome"
    assert not error.suggestions["name"].certain
    assert error.suggestions["cost_per_post"].header == "Prezzo"
    assert error.suggestions["followers"].certain
    assert "'Nome' reads like the influencer's handle or name in another language" in str(error)


def test_what_was_understood_is_said():
    roster = read_roster(EXPORTS / "european.csv")
    frame = roster.understood.frame()
    price = frame.set_index("field").loc["cost_per_post"]
    assert price["from column"] == "Price per post"
    assert price["read as"].startswith("decimal comma, '.' between thousands, EUR after")
    assert price["first values"] == "€450.00, €9,800.00, €12,500.00"
    followers = frame.set_index("field").loc["followers"]
    assert followers["first values"] == "230,500, 48,200, 1,250,000"
    hype = read_roster(EXPORTS / "hypeauditor.csv").understood
    derived = [c for c in hype.columns if c.field == "engagement_rate"][0]
    assert derived.how == "derived" and derived.header is None
    assert "average likes per post + average comments per post" in derived.format
    assert any("'AQS' (HypeAuditor's audience quality score" in n for n in hype.notes)
    titled = read_roster(EXPORTS / "titled_shortlist.xlsx")
    assert any("header is on row 3" in n for n in titled.understood.notes)
    assert "a totals row ('Total')" in titled.excluded.loc[0, "reason"]
    assert titled.excluded.loc[0, "source_row"] == 10
    merged = read_roster(EXPORTS / "sheets_merged.xlsx").understood.notes
    assert any("'Creators' was read" in n and "'Read me'" in n for n in merged)
    assert any("spans rows 1-2" in n for n in merged)


def _plan(argv: list[str], capsys) -> dict:
    assert main(argv) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_cli_plans_each_export_to_the_clean_tables_optimum(name, tmp_path, capsys):
    _, cli, currency, _ = CASES[name]
    clean = expected_table(name)
    clean_path = tmp_path / "clean.csv"
    clean[["name", "followers", "engagement_rate", "cost_per_post", "audience_quality"]].to_csv(
        clean_path, index=False
    )
    budget = str(round(clean["cost_per_post"].sum() * 0.6))
    args = ["plan", "--budget", budget, "--format", "json"]
    ours = _plan([*args, "--roster", str(EXPORTS / name), *cli], capsys)
    theirs = _plan([*args, "--roster", str(clean_path)], capsys)
    assert ours["status"] == theirs["status"] == "optimal"
    assert ours["expected_engagement"] == pytest.approx(theirs["expected_engagement"], rel=1e-9)
    assert ours["spend"] == pytest.approx(theirs["spend"])
    assert sorted((a["name"], a["posts"]) for a in ours["allocations"]) == sorted(
        (a["name"], a["posts"]) for a in theirs["allocations"]
    )
    assert ours["currency"] == currency


def test_the_cli_says_what_to_run_again_with(capsys):
    assert main(["plan", "--roster", str(EXPORTS / "foreign_headers.csv"), "--budget", "1"]) == 2
    err = capsys.readouterr().err
    assert "--column name='Nome'" in err and "--column cost_per_post='Prezzo'" in err
    assert main(["plan", "--roster", str(EXPORTS / "ambiguous.csv"), "--budget", "1"]) == 2
    err = capsys.readouterr().err
    assert "For 'followers': run again with --decimal comma or --decimal point" in err
    args = ["plan", "--roster", str(EXPORTS / "european.csv"), "--budget", "5000"]
    assert main([*args, "--currency", "USD"]) == 2
    assert "The prices are in EUR, but the campaign's currency is USD" in capsys.readouterr().err
    assert main([*args, "--explain"]) == 0
    out = capsys.readouterr()
    assert "Currency: EUR (from the prices' symbol or code)" in out.err
    assert "cost_per_post <- 'Price per post': decimal comma" in out.err
    assert "Spend: €" in out.out and "spend (€)" in out.out
    assert main(["plan", "--roster", str(EXPORTS / "hypeauditor.csv"), "--budget", "5000"]) == 0
    out = capsys.readouterr().out
    assert "Engagements marked ~ come from engagement rates derived" in out
    assert "~\n" in out


def test_the_exported_plan_table_shows_the_currency_and_derived_rates():
    from planner import Campaign, make_plan
    from planner.export import DERIVED_HEADING, HEADINGS, plan_table

    european = read_roster(EXPORTS / "european.csv")
    table = plan_table(make_plan(european, Campaign(budget=20_000)), european)
    assert "Price per post (€)" in table.columns and "Spend (€)" in table.columns
    assert DERIVED_HEADING not in table.columns
    assert "Spend ($)" in plan_table(make_plan(european, Campaign(budget=20_000))).columns
    assert HEADINGS["spend"] == "Spend ($)"
    hype = read_roster(EXPORTS / "hypeauditor.csv")
    table = plan_table(make_plan(hype, Campaign(budget=20_000)), hype)
    assert table[DERIVED_HEADING].all() and len(table)
    swiss = read_roster(EXPORTS / "sheets_template.csv")
    table = plan_table(make_plan(swiss, Campaign(budget=20_000)), swiss)
    assert "Spend (CHF)" in table.columns


def test_several_networks_follower_columns_are_asked_about_not_guessed():
    with pytest.raises(RosterError) as caught:
        read_roster(EXPORTS / "per_network.csv")
    error = caught.value
    assert error.unmapped == ("followers",)
    assert "followers" not in error.suggestions  # no pre-filled guess among the three
    said = str(error)
    assert "'Instagram followers', 'TikTok followers' and 'YouTube subscribers'" in said
    assert "--column followers=HEADER" in said
    mapped = read_roster(EXPORTS / "per_network.csv", columns={"followers": "TikTok followers"})
    assert set(mapped.table["platform"]) == {"tiktok"}
    assert any("every influencer is taken to be on TikTok" in n for n in mapped.understood.notes)


def test_one_networks_follower_column_sets_the_platform_and_says_so():
    roster = read_roster(EXPORTS / "upfluence_bom.csv")
    assert set(roster.table["platform"]) == {"instagram"}
    assert any(
        "on Instagram, from the header 'Instagram followers'" in n for n in roster.understood.notes
    )


def test_views_are_shown_not_counted_unless_mapped():
    roster = read_roster(EXPORTS / "youtube_views.csv")
    assert not roster.table["engagement_derived"].any()
    assert list(roster.table["avg_views"]) == [p[3] // 5 for p in PEOPLE_FOLLOWERS]
    readings = {c.field: c for c in roster.understood.columns}
    assert readings["avg_views"].header == "Avg views"
    assert any(
        "'Avg views' (average views) is shown, not counted" in n for n in roster.understood.notes
    )
    # Without an engagement rate, views are not used in its place: asked, not pre-filled.
    table = pd.read_csv(EXPORTS / "youtube_views.csv").drop(columns="Engagement rate")
    with pytest.raises(RosterError) as caught:
        check_roster(table)
    assert set(caught.value.unmapped) == {"engagement_rate", "avg_views"}
    assert "avg_views" not in caught.value.suggestions
    assert "'Avg views' holds views, which are not engagements" in str(caught.value)
    # Mapped by the user, views are counted as engagements, and the reading says so.
    mapped = check_roster(table, columns={"avg_views": "Avg views"})
    assert mapped.table["engagement_derived"].all()
    assert list(mapped.table["engagement_rate"]) == pytest.approx(
        [(p[3] // 5) / p[3] for p in PEOPLE_FOLLOWERS]
    )
    derived = [c for c in mapped.understood.columns if c.field == "engagement_rate"][0]
    assert derived.format == "derived: (average views per post) ÷ followers"


PEOPLE_FOLLOWERS = [
    (None, None, None, n) for n in (230_500, 48_200, 1_250_000, 15_750, 87_300, 412_000)
]
