"""Every roster problem gets a message that names the row and column and says how to fix it."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from planner import RateCard, RosterError, Tiers, check_roster, read_roster
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
    assert any(
        "No column for cost_per_post" in p and "rate card" in p for p in found
    )


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
