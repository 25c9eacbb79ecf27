"""Number formats are read per column from the values, and a column that could be read two
ways is asked about, never guessed (planner/numbers.py)."""

from __future__ import annotations

import pytest

from planner.numbers import (
    AmbiguousFormat,
    NumberError,
    detect_format,
    format_number,
    money,
    parse_number,
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
    assert money(1200, "USD") == "$1,200.00"
    assert money(-5, "EUR") == "-€5.00"
    assert money(90, "CHF") == "CHF 90.00"


def test_describe():
    fmt = detect_format("Price", ["450,00 €", "9.800,00 €"])
    assert fmt.describe() == "decimal comma, '.' between thousands, EUR after the number"
