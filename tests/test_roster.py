"""Every roster problem gets a message that names the row and column and says how to fix it."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from planner import (
    RateCard,
    RosterError,
    Tiers,
    check_roster,
    read_roster,
    read_table,
    suggest_columns,
)
from planner.roster import MAX_ROWS

HEADER = "name,followers,engagement_rate,cost_per_post\n"


def problems(text: str, **kwargs) -> list[str]:
    with pytest.raises(RosterError) as caught:
        read_roster(text.encode(), filename="r.csv", **kwargs)
    return [str(p) for p in caught.value.problems]


def test_messy_but_valid_formats():
    text = (
        "Handle,Followers,ER,Price,Platform\n"
        'anna,"12,500",3.5%,"$1,200",IG\n'
        "ben,12.5K,0.035,1200,TikTok\n"
        "cara,1.2M,1.2%,$75k,youtube\n"
    )
    roster = read_roster(text.encode(), filename="r.csv")
    table = roster.table.set_index("name")
    assert table.loc["anna", "followers"] == 12_500
    assert table.loc["ben", "followers"] == 12_500
    assert table.loc["cara", "followers"] == 1_200_000
    assert table.loc["anna", "engagement_rate"] == pytest.approx(0.035)
    assert table.loc["ben", "engagement_rate"] == pytest.approx(0.035)
    assert table.loc["anna", "cost_per_post"] == 1200
    assert table.loc["cara", "cost_per_post"] == 75_000
    assert table.loc["anna", "platform"] == "instagram"
    assert list(table["tier"]) == ["micro", "micro", "macro"]


def test_semicolon_csv_and_excel(tmp_path):
    text = "name;followers;engagement_rate;cost_per_post\nanna;5000;2%;100\n"
    assert len(read_roster(text.encode(), filename="r.csv")) == 1
    path = tmp_path / "r.xlsx"
    pd.DataFrame(
        {"Name": ["anna"], "Followers": [5000], "Engagement Rate": ["2%"], "Cost": [100]}
    ).to_excel(path, index=False)
    assert read_roster(path).table.loc[0, "engagement_rate"] == pytest.approx(0.02)


def test_missing_column_lists_what_to_add():
    found = problems("name,followers,engagement_rate\nanna,5000,2%\n")
    assert any("No column for cost_per_post" in p and "rate card" in p for p in found)


def test_missing_prices_can_be_estimated_and_are_marked():
    text = "name,followers,engagement_rate,platform\nanna,5000,2%,youtube\n"
    with pytest.raises(RosterError) as caught:
        read_roster(text.encode(), filename="r.csv")
    assert caught.value.missing_prices
    roster = read_roster(text.encode(), filename="r.csv", rate_card=RateCard())
    assert roster.prices_estimated
    assert roster.table.loc[0, "price_estimated"]
    assert roster.table.loc[0, "cost_per_post"] == pytest.approx(5000 / 1000 * 20)


def test_text_in_a_number_column():
    found = problems(HEADER + "anna,lots,2%,100\n")
    assert found == [
        "Row 2, column 'followers': 'lots' is not the follower count; write it like "
        "12500, 12,500, 12.500 or 12.5K."
    ]


def test_negative_price():
    found = problems(HEADER + "anna,5000,2%,-100\n")
    assert "Row 2, column 'cost_per_post': The price -100 must be above 0" in found[0]


def test_duplicate_name():
    found = problems(HEADER + "anna,5000,2%,100\n Anna ,6000,2%,100\n")
    assert found == [
        "Row 3, column 'name': 'Anna' is also on row 2 (as 'anna': names are compared "
        "without case or a leading @); names must be unique. Remove or rename one of them."
    ]


def test_rate_above_one_without_percent():
    found = problems(HEADER + "anna,5000,3.5,100\n")
    assert "Row 2, column 'engagement_rate': 3.5 is above 1" in found[0]
    assert "write 3.5%" in found[0]


def test_all_problems_in_one_message():
    with pytest.raises(RosterError) as caught:
        read_roster(
            (HEADER + "anna,x,2%,100\nben,5000,7,100\n,5000,2%,0\n").encode(), filename="r.csv"
        )
    summary = caught.value.summary()
    assert summary.startswith("The roster has 4 problems")
    for where in (
        "Row 2, column 'followers'",
        "Row 3, column 'engagement_rate'",
        "Row 4, column 'name'",
        "Row 4, column 'cost_per_post'",
    ):
        assert where in summary


def test_empty_file():
    assert problems("") == ["The file is empty: it needs a header row and one row per influencer."]
    assert "no influencer rows" in problems(HEADER)[0]


def test_not_a_csv():
    with pytest.raises(RosterError) as caught:
        read_roster(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", filename="photo.csv")
    assert "not a CSV" in str(caught.value)
    with pytest.raises(RosterError) as caught:
        read_roster(b'name,followers\n"anna,5000\n', filename="r.csv")
    assert "is not a well-formed CSV" in str(caught.value) or "missing" in str(caught.value)


def test_byte_and_row_caps():
    with pytest.raises(RosterError) as caught:
        read_roster(io.BytesIO(b"x" * 2000), filename="r.csv", max_bytes=1000)
    assert "limited to" in str(caught.value)
    frame = pd.DataFrame(
        {
            "name": [f"n{i}" for i in range(MAX_ROWS + 1)],
            "followers": 5000,
            "engagement_rate": 0.02,
            "cost_per_post": 10,
        }
    )
    with pytest.raises(RosterError) as caught:
        check_roster(frame)
    assert f"more than {MAX_ROWS:,} rows" in str(caught.value)


def test_below_threshold_rows_are_listed_with_the_reason():
    roster = read_roster((HEADER + "anna,500,2%,10\nben,5000,2%,100\n").encode(), filename="r.csv")
    assert list(roster.table["name"]) == ["ben"]
    assert roster.excluded.loc[0, "name"] == "anna"
    assert "below the micro threshold of 1,000" in roster.excluded.loc[0, "reason"]
    custom = read_roster(
        (HEADER + "anna,500,2%,10\n").encode(),
        filename="r.csv",
        tiers=Tiers(micro_threshold=100, macro_threshold=400),
    )
    assert custom.table.loc[0, "tier"] == "macro"


def test_html_name_is_kept_as_text():
    roster = read_roster(
        (HEADER + "<img src=x onerror=alert(1)>,5000,2%,100\n").encode(), filename="r.csv"
    )
    assert roster.table.loc[0, "name"] == "<img src=x onerror=alert(1)>"


# --- Real exports (issue 16) ----------------------------------------------------------------


def read(text: str, **kwargs):
    return read_roster(text.encode(), filename="r.csv", **kwargs)


def error_of(raw: bytes, filename: str = "r.csv", **kwargs) -> RosterError:
    with pytest.raises(RosterError) as caught:
        read_roster(raw, filename=filename, **kwargs)
    return caught.value


def test_the_issues_european_file_is_read_right():
    """The numbers of the issue: planned 100x off before, without a message."""
    text = (
        "Name;Followers;Engagement rate;Price\n"
        "anna;230.500;6,1 %;450,00 €\n"
        "ben;1.048.200;3,4 %;9.800,00 €\n"
    )
    roster = read(text)
    table = roster.table.set_index("name")
    assert table.loc["anna", "followers"] == 230_500
    assert table.loc["anna", "engagement_rate"] == pytest.approx(0.061)
    assert table.loc["anna", "cost_per_post"] == 450
    assert table.loc["ben", "cost_per_post"] == 9_800
    assert roster.currency == "EUR"


def test_a_value_that_does_not_fit_its_column_is_a_row_error():
    text = HEADER + "anna,5000,3.5%,100\nben,6000,6,1%,100\ncara,7000,2.5%,100\n"
    # (the unquoted 6,1% splits the row: the CSV is refused, not re-read)
    assert "more fields than the header" in problems(text)[0]
    text = "name;followers;engagement_rate;cost_per_post\n"
    text += "anna;5000;3.5%;100\nben;6000;6,1%;100\ncara;7000;2.5%;100\n"
    found = problems(text)
    assert found == [
        "Row 3, column 'engagement_rate': '6,1%' is written with a decimal comma, but this "
        "column uses a decimal point (with ',' between thousands); write the engagement rate "
        "like 3.5%, 3,5 % or 0.035."
    ]


def test_the_users_decimal_choice_is_used_and_checked():
    text = "name;followers;engagement_rate;cost_per_post\nanna;5.000;2%;100\nben;12.000;2%;100\n"
    error = error_of(text.encode())
    assert [a.column for a in error.ambiguous] == ["followers"]
    assert read(text, decimal="comma").table["followers"].tolist() == [5000, 12000]
    assert read(text, decimal={"followers": "point"}).table.empty  # 5 and 12: below 1,000
    assert len(read(text, decimal={"followers": "point"}).excluded) == 2


def test_totals_rows_are_left_out_and_listed():
    text = HEADER + "anna,5000,2%,100\nben,6000,3%,200\nTotal:,11000,,300\n,11000,,300\n"
    roster = read(text)
    assert list(roster.table["name"]) == ["anna", "ben"]
    reasons = list(roster.excluded["reason"])
    assert "a totals row ('Total:'), not an influencer" in reasons[0]
    assert "a summary row (no name; its 'followers' is the sum of the rows above)" in reasons[1]
    assert list(roster.excluded["source_row"]) == [4, 5]
    # A row without a name that is not a sum is still a problem.
    found = problems(HEADER + "anna,5000,2%,100\nben,6000,3%,200\n,9999,2%,250\n")
    assert found == [
        "Row 4, column 'name': The name is empty; give every influencer a name or handle."
    ]


def test_the_header_is_found_below_titles_and_rows_keep_their_lines():
    text = "Campaign shortlist Q3\n\nExported 2026-11-30\n" + HEADER + "anna,lots,2%,100\n"
    assert problems(text) == [
        "Row 5, column 'followers': 'lots' is not the follower count; write it like 12500, "
        "12,500, 12.500 or 12.5K."
    ]
    roster = read(text.replace("lots", "5000"))
    assert roster.table.loc[0, "source_row"] == 5
    assert any("header is on row 4" in note for note in roster.understood.notes)


def test_the_same_person_twice_in_different_capitalisation():
    found = problems(HEADER + "@Anna.Cooks,5000,2%,100\nanna.cooks,6000,2%,100\n")
    assert found == [
        "Row 3, column 'name': 'anna.cooks' is also on row 2 (as '@Anna.Cooks': names are "
        "compared without case or a leading @); names must be unique. Remove or rename one "
        "of them."
    ]


def test_mixed_currencies_are_an_error_naming_the_rows():
    text = HEADER + "anna,5000,2%,€100\nben,6000,2%,$100\ncara,7000,2%,€90\n"
    found = problems(text)
    assert found == [
        "Column 'cost_per_post': The prices are in more than one currency: EUR (rows 2, 4); "
        "USD (row 3). The planner does not convert currencies: give every price in one "
        "currency."
    ]
    header_says = HEADER.replace("cost_per_post", "Price (USD)") + "anna,5000,2%,€100\n"
    assert "the header 'Price (USD)' says USD" in problems(header_says)[0]


def test_the_currency_setting_must_match_the_prices():
    text = HEADER + "anna,5000,2%,€100\n"
    assert read(text).currency == "EUR"
    assert read(text, currency="eur").currency == "EUR"
    assert (
        "The prices are in EUR, but the campaign's currency is USD"
        in problems(text, currency="USD")[0]
    )
    assert read(HEADER + "anna,5000,2%,100\n", currency="GBP").currency == "GBP"
    assert read(HEADER + "anna,5000,2%,100\n").currency == "USD"


def test_engagement_is_derived_from_likes_and_comments_and_marked():
    text = "Username,Total followers,Average likes,Average comments,Price\nanna,10000,300,20,100\n"
    roster = read(text)
    assert roster.table.loc[0, "engagement_rate"] == pytest.approx(0.032)
    assert roster.table.loc[0, "engagement_derived"]
    assert roster.engagement_derived
    # A row's own rate is used where it has one; derived only where it is empty.
    mixed = (
        "name,followers,er,avg likes,avg comments,price\n"
        "a,10000,2%,300,20,100\nb,10000,,300,20,100\n"
    )
    table = read(mixed).table.set_index("name")
    assert table.loc["a", "engagement_rate"] == pytest.approx(0.02)
    assert not table.loc["a", "engagement_derived"]
    assert table.loc["b", "engagement_rate"] == pytest.approx(0.032)
    assert table.loc["b", "engagement_derived"]
    missing = problems("name,followers,avg likes,avg comments,price\na,10000,300,,100\n")
    assert "The average comments per post is empty; it is needed to derive" in missing[0]


def test_a_quality_score_is_not_read_as_a_share_of_real_followers():
    text = "name,followers,er,price,AQS,Quality\nanna,5000,2%,100,78,65\n"
    roster = read(text)
    assert roster.table.loc[0, "audience_quality"] == 1.0
    assert any("'AQS' (HypeAuditor's audience quality score" in n for n in roster.understood.notes)
    assert "audience_quality" not in suggest_columns(["name", "AQS", "Quality"])
    mapped = read(text.replace("78,65", "78%,65"), columns={"audience_quality": "AQS"})
    assert mapped.table.loc[0, "audience_quality"] == pytest.approx(0.78)


def test_a_rate_without_percent_in_a_column_of_percents_is_said_to_be_checked(tmp_path):
    # `0.8` among `3.5%` and `2.1%`: read as a fraction (80%), as a bare rate always is, but it
    # may be 0.8% with its % left out; the reading is said with the row, never silently taken.
    text = (
        "name,followers,er,price,reply rate\n"
        "a,5000,3.5%,100,35%\nb,6000,0.8,100,\nc,7000,2.1%,100,0.5\n"
    )
    roster = read(text)
    assert roster.table.loc[1, "engagement_rate"] == pytest.approx(0.8)
    checks = roster.understood.checks
    assert len(checks) == 2
    assert "'er' writes the engagement rate as percents, but one value has no %" in checks[0]
    assert "row 3 (0.8 as 80%)" in checks[0]
    assert "row 4 (0.5 as 50%)" in checks[1] and "Check: " in roster.understood.text()
    # All fractions, or all percents: nothing to check. A spreadsheet's typed 0.35 is the value
    # its cell holds.
    assert not read(
        text.replace("3.5%", "0.035").replace("2.1%", "0.021").replace("35%", "0.35")
    ).understood.checks
    path = tmp_path / "r.xlsx"
    pd.DataFrame(
        {"Name": ["a", "b"], "Followers": [5000, 6000], "ER": ["2%", 0.03], "Cost": [100, 90]}
    ).to_excel(path, index=False)
    assert not read_roster(path).understood.checks


def test_a_note_below_the_table_is_left_out_and_listed_not_read_as_an_influencer():
    # Agency sheets end with a totals row and a note; the note was an influencer with every
    # field empty, and the file was refused.
    text = (
        "Q3 shortlist\n\nname,followers,er,price\nanna,5000,2%,100\nbob,6000,3%,120\n\n"
        "Total,11000,,220\n\nPrices valid until 31 Dec; contact anna@agency.com\n"
    )
    roster = read(text)
    assert list(roster.table["name"]) == ["anna", "bob"]
    reasons = dict(zip(roster.excluded["source_row"], roster.excluded["reason"], strict=True))
    assert reasons[7] == "a totals row ('Total'), not an influencer"
    assert reasons[9].startswith("a note below the table ('Prices valid until 31 Dec")
    assert any(
        n.startswith("Row 9 left out: a note below the table") for n in roster.understood.notes
    )
    # A name with nothing else right under the influencers (no blank or totals row between) is
    # an influencer with empty fields: a problem, as before.
    found = problems("name,followers,er,price\nanna,5000,2%,100\ncara,,,\n")
    assert any("Row 3" in p and "follower count is empty" in p for p in found)


def test_one_creator_on_two_networks_a_row_each_is_told_how_to_name_them_apart():
    # The planner asks for "one row per network with a platform column"; such a file named the
    # creator twice and was told only to remove or rename one.
    text = (
        "name,platform,followers,er,price\n@anna.bakes,Instagram,54000,4.1%,600\n"
        "@anna.bakes,TikTok,120000,7.2%,900\n@ben,TikTok,8000,6%,100\n@ben,TikTok,8000,6%,100\n"
    )
    found = problems(text)
    assert any("Row 3" in p and "name each row apart ('@anna.bakes (TikTok)')" in p for p in found)
    assert any("Row 5" in p and "Remove or rename one of them." in p for p in found)
    named = text.replace("@anna.bakes,TikTok", "@anna.bakes (TikTok),TikTok")
    assert len(read(named.rsplit("@ben,", 1)[0])) == 3
    networks = problems("name,instagram followers,tiktok followers,er,price\na,1000,2000,2%,10\n")
    assert any("each row named apart" in p for p in networks)


def test_a_foreign_header_of_several_words_is_suggested_by_its_first_word():
    # A German export's `Preis pro Post` reads like a price as `Prezzo` does: suggested for the
    # mapping (never used unasked: the file is still asked about).
    text = "Influencer;Follower;Engagement-Rate;Preis pro Post\nlena;48.250;4,3 %;1.250,00 €\n"
    error = error_of(text.encode())
    assert error.unmapped == ("cost_per_post",)
    guess = error.suggestions["cost_per_post"]
    assert guess.header == "Preis pro Post" and not guess.certain
    assert "in another language" in guess.reason


def test_the_column_mapping():
    text = "Nome,Seguidores,Tasso,Prezzo\nanna,5000,2%,100\n"
    error = error_of(text.encode())
    assert set(error.unmapped) == {"name", "followers", "engagement_rate", "cost_per_post"}
    assert error.suggestions["followers"].header == "Seguidores"
    assert error.headers == ("Nome", "Seguidores", "Tasso", "Prezzo")
    mapping = {
        "name": "Nome",
        "followers": "seguidores",  # case and spaces do not matter
        "engagement_rate": "Tasso",
        "cost_per_post": "Prezzo",
    }
    roster = read(text, columns=mapping)
    assert roster.table.loc[0, "followers"] == 5000
    assert {c.field: c.how for c in roster.understood.columns}["followers"] == "mapped"
    found = problems(text, columns={**mapping, "name": "Nom", "colour": "Nome"})
    assert any("'colour' in the column mapping is not a roster field" in p for p in found)
    assert any("says name is in column 'Nom', but the file has no such column" in p for p in found)
    # Mapped to nothing: a recognised column is not used.
    plain = HEADER.replace("\n", ",niche\n") + "anna,5000,2%,100,food\n"
    assert read(plain, columns={"niche": None}).table.loc[0, "niche"] == ""


def test_two_columns_for_one_field_are_asked_about_except_handle_and_full_name():
    found = problems("name,followers,subscribers,er,price\nanna,5000,6000,2%,100\n")
    assert "'followers' and 'subscribers' all look like the followers column" in found[0]
    roster = read("Full name,Username,followers,er,price\nAnna Rossi,anna,5000,2%,100\n")
    assert roster.table.loc[0, "name"] == "anna"


def test_csv_in_utf16_with_and_without_a_byte_order_mark():
    text = "name\tfollowers\tengagement_rate\tcost_per_post\r\nzoë\t5000\t2%\t100\r\n"
    for raw in (text.encode("utf-16"), text.encode("utf-16-le"), text.encode("utf-16-be")):
        assert read_roster(raw, filename="r.csv").table.loc[0, "name"] == "zoë"
    assert read_roster(("\ufeff" + text).encode(), filename="r.csv").table.loc[0, "name"] == "zoë"


def test_a_formula_without_its_result_is_said_to_be_one(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "followers", "engagement_rate", "cost_per_post"])
    sheet.append(["anna", 5000, 0.02, "=40+60"])
    path = tmp_path / "r.xlsx"
    book.save(path)  # openpyxl saves formulas without results
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert str(caught.value.problems[0]).startswith(
        "Row 2, column 'cost_per_post': The cell holds a formula saved without its result"
    )


def test_a_roster_error_survives_pickling():
    import pickle

    error = error_of(b"Nome,Follower,ER,Prezzo\nanna,5000,2%,100\n")
    again = pickle.loads(pickle.dumps(error))
    assert again.summary() == error.summary()
    assert again.unmapped == error.unmapped and again.suggestions == error.suggestions


def test_the_docs_come_from_the_rules():
    from pathlib import Path

    from planner.roster import fields_markdown

    doc = (Path(__file__).resolve().parent.parent / "docs" / "roster-format.md").read_text()
    assert fields_markdown() in doc, "run: python -m planner.roster > to regenerate the table"


def test_row_numbers_are_the_files_own_past_blank_rows():
    found = problems(HEADER + "anna,5000,2%,100\n\n\nben,lots,2%,100\n")
    assert found[0].startswith("Row 5, column 'followers'")
    import json

    text = HEADER + "anna,5000,2%,100\n\nben,6000,2%,100\n"
    frame = read_table(text.encode(), filename="r.csv")
    assert json.loads(json.dumps(frame.attrs))["line_runs"] == [[0, 2, 1], [1, 4, 1]]


def test_an_ambiguous_follower_column_with_estimated_prices_is_asked_about_not_a_crash():
    frame = pd.DataFrame(
        {
            "name": ["ivy", "dan", "hal"],
            "followers": ["298,539", "567.971", "12"],
            "engagement_rate": ["3.6%", "2%", "1%"],
        },
        dtype=object,
    )
    with pytest.raises(RosterError) as caught:
        check_roster(frame, rate_card=RateCard())
    assert [a.column for a in caught.value.ambiguous] == ["followers"]
