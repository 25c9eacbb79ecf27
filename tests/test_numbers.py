"""Number formats are read per column from the values, and a column that could be read two
ways is asked about, never guessed (planner/numbers.py)."""

from __future__ import annotations

import pytest

from planner.money import money
from planner.numbers import (
    AmbiguousFormat,
    NumberError,
    detect_format,
    format_number,
    parse_number,
    read_column,
    readings,
    split,
)


@pytest.mark.parametrize(
    ("text", "value", "percent", "currency"),
    [
        ("1.234,56", 1234.56, False, None),
        ("1,234.56", 1234.56, False, None),
        ("1 234,56", 1234.56, False, None),
        ("1\u202f234,56", 1234.56, False, None),
        ("1\u00a0234.56", 1234.56, False, None),
        ("1'234.50", 1234.5, False, None),
        ("450,00 €", 450.0, False, "EUR"),
        ("€450,00", 450.0, False, "EUR"),
        ("$1,200.00", 1200.0, False, "USD"),
        ("USD 1,200.00", 1200.0, False, "USD"),
        ("1.200,00 EUR", 1200.0, False, "EUR"),
        ("CHF 1'200.00", 1200.0, False, "CHF"),
        ("£90", 90.0, False, "GBP"),
        ("6,1 %", 6.1, True, None),
        ("3.26%", 3.26, True, None),
        ("48.2K", 48_200.0, False, None),
        ("1,2 Mio", 1_200_000.0, False, None),
        ("1.5M", 1_500_000.0, False, None),
        ("$75k", 75_000.0, False, "USD"),
        ("-12.5", -12.5, False, None),
        ("0.035", 0.035, False, None),
    ],
)
def test_values_with_one_reading(text, value, percent, currency):
    fmt = detect_format("c", [text])
    number = parse_number(text, fmt)
    assert number.value == pytest.approx(value)
    assert number.percent is percent
    assert number.currency == currency


def test_a_column_of_two_way_values_is_ambiguous_and_named():
    with pytest.raises(AmbiguousFormat) as caught:
        detect_format("Followers", ["1.200", "230.500", "48.000"])
    message = str(caught.value)
    assert "Column 'Followers' can be read two ways" in message
    assert "'1.200' is 1.2 with a decimal point or 1,200 with a decimal comma" in message
    # The user's choice settles it; values that do not fit it are refused, not re-read.
    fmt = detect_format("Followers", ["1.200", "230.500"], decimal="comma")
    assert parse_number("230.500", fmt).value == 230_500
    point = detect_format("Followers", ["1.200"], decimal="point")
    assert parse_number("1.200", point).value == pytest.approx(1.2)
    with pytest.raises(NumberError, match="written with a decimal comma"):
        parse_number("6,1", point)


def test_one_value_decides_the_column():
    fmt = detect_format("Price", ["1.200", "450,50"])
    assert fmt.decimal == "comma"
    assert parse_number("1.200", fmt).value == 1200
    fmt = detect_format("Price", ["1,200", "3.5"])
    assert fmt.decimal == "point"
    assert parse_number("1,200", fmt).value == 1200


def test_a_whole_number_column_is_read_the_only_way_that_gives_whole_numbers():
    fmt = detect_format("Followers", ["230.500", "48.200"], whole=True)
    assert fmt.decimal == "comma" and fmt.deduced
    assert parse_number("230.500", fmt).value == 230_500
    # 5.000 is 5 or 5,000 followers: both whole, so still a question.
    with pytest.raises(AmbiguousFormat):
        detect_format("Followers", ["5.000", "12.000"], whole=True)


def test_prices_have_at_most_two_decimals():
    fmt = detect_format("Price", ["1.200", "9.800"], max_decimals=2)
    assert fmt.decimal == "comma"
    assert parse_number("9.800", fmt).value == 9800


def test_a_tie_between_styles_is_asked_about():
    with pytest.raises(AmbiguousFormat, match=r"decimal point \('3.5'\) and with a decimal comma"):
        detect_format("ER", ["3.5", "6,1"])
    fmt = detect_format("ER", ["3.5", "6,1", "2.5"])
    assert fmt.decimal == "point"
    with pytest.raises(NumberError, match="'6,1' is written with a decimal comma"):
        parse_number("6,1", fmt)


@pytest.mark.parametrize(
    "text", ["lots", "1.2.3,4,5", "12 5", "1,2,3", "$", "%", "12-", "1,,2", "5%$", "12."]
)
def test_not_numbers(text):
    with pytest.raises(NumberError):
        parse_number(text, detect_format("c", [text]))


def test_numbers_typed_as_numbers_are_taken_as_they_are():
    assert parse_number(1200).value == 1200
    assert parse_number(0.035).value == 0.035
    with pytest.raises(NumberError):
        parse_number(float("nan"))
    with pytest.raises(NumberError):
        parse_number(True)


def test_readings_and_split():
    assert readings("1.200") == {"point": 1.2, "comma": 1200.0}
    assert readings("6,1") == {"comma": 6.1}
    parts = split("-€1.234,5 ")
    assert parts.negative and parts.currency == "EUR" and parts.core == "1.234,5"


def test_format_and_money():
    assert format_number(1234.5, decimal="comma", group=".") == "1.234,50"
    assert format_number(-1234.5, group="'", digits=1) == "-1'234.5"
    assert money(1200, cents=True, currency="USD") == "$1,200.00"
    assert money(-5, cents=True, currency="EUR") == "−€5.00"
    assert money(90, cents=True, currency="CHF") == "CHF 90.00"


def test_describe():
    fmt = detect_format("Price", ["450,00 €", "9.800,00 €"])
    assert fmt.describe() == "decimal comma, '.' between thousands, EUR after the number"


def test_a_spreadsheets_typed_numbers_are_not_described_as_whole_numbers():
    # An Excel column of typed rates (0.041) has no decimal mark to read: it is not "whole".
    fmt, values = read_column("ER", [0.041, 0.072, None])
    assert fmt.describe() == "numbers as typed in the spreadsheet"
    assert [v.value if v else None for v in values] == [0.041, 0.072, None]
    mixed, _ = read_column("Reply rate", ["35%", 0.35])
    assert mixed.describe() == "numbers as typed in the spreadsheet, %"
    assert read_column("Followers", ["12500", "48200"])[0].describe() == "whole numbers"


# --- Property: a roster written in any style reads back to its numbers, or asks ------------

import csv  # noqa: E402
import io  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from planner import RosterError, read_roster  # noqa: E402

GROUPS = {"point": [None, ",", " ", "\u202f", "'"], "comma": [None, ".", " ", "\u202f", "'"]}
CURRENCIES = {"$": "USD", "€": "EUR", "£": "GBP", "CHF": "CHF", "EUR": "EUR"}


@st.composite
def styled_rosters(draw):
    count = draw(st.integers(1, 6))
    people = [
        (
            f"user{i}",
            draw(  # round thousands are the ones that can read two ways: 230.000
                st.one_of(
                    st.integers(1_000, 5_000_000), st.integers(1, 999).map(lambda k: k * 1000)
                )
            ),
            draw(st.integers(1, 200)) / 10,  # engagement rate in percent, one decimal
            draw(st.integers(1_000, 5_000_000)),  # price in cents
        )
        for i in range(count)
    ]
    decimal = draw(st.sampled_from(["point", "comma"]))
    style = {
        "decimal": decimal,
        "group": draw(st.sampled_from(GROUPS[decimal])),
        "currency": draw(st.sampled_from([None, *CURRENCIES])),
        "after": draw(st.booleans()),
        "percent": draw(st.booleans()),
        "suffix": draw(st.booleans()),
        "cents": draw(st.booleans()),
        "delimiter": draw(st.sampled_from([",", ";", "\t"])),
    }
    return people, style


def write(people, style) -> bytes:
    decimal, group = style["decimal"], style["group"]
    mark = "." if decimal == "point" else ","
    out = io.StringIO()
    writer = csv.writer(out, delimiter=style["delimiter"], lineterminator="\n")
    writer.writerow(["name", "followers", "engagement rate", "price"])
    for name, followers, rate, cents in people:
        if style["suffix"] and followers % 100 == 0:
            shown = f"{followers / 1000:g}".replace(".", mark) + "K"
        else:
            shown = format_number(followers, decimal=decimal, group=group, digits=0)
        if style["percent"]:
            er = f"{rate:.1f}".replace(".", mark) + ("%" if decimal == "point" else " %")
        else:
            er = f"{rate / 100:.4f}".replace(".", mark)
        digits = 2 if style["cents"] or cents % 100 else 0
        price = format_number(cents / 100, decimal=decimal, group=group, digits=digits)
        symbol = style["currency"]
        if symbol is not None:
            price = f"{price} {symbol}" if style["after"] else f"{symbol}{price}"
        writer.writerow([name, shown, er, price])
    return out.getvalue().encode()


def check(roster, people, style) -> None:
    table = roster.table.set_index("name")
    assert len(table) == len(people)
    for name, followers, rate, cents in people:
        assert table.loc[name, "followers"] == followers
        assert table.loc[name, "engagement_rate"] == pytest.approx(rate / 100, rel=1e-12)
        assert table.loc[name, "cost_per_post"] == pytest.approx(cents / 100, rel=1e-12)
    symbol = style["currency"]
    assert roster.currency == (CURRENCIES[symbol] if symbol else "USD")


@settings(max_examples=150, deadline=None)
@given(styled_rosters())
def test_any_style_reads_back_to_the_same_numbers_or_asks(case):
    people, style = case
    raw = write(people, style)
    try:
        roster = read_roster(raw, filename="r.csv")
    except RosterError as error:
        # Never different numbers: the only way out is a question about the decimal mark,
        # and answering it with the mark the file was written in reads it right.
        assert error.ambiguous, error.summary()
        assert len(error.problems) == len(error.ambiguous), error.summary()
        choice = {a.column: style["decimal"] for a in error.ambiguous}
        roster = read_roster(raw, filename="r.csv", decimal=choice)
    check(roster, people, style)
