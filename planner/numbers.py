"""Numbers as people write them in exports: per column, the format is decided from the values.

`1.234,56 €`, `$1,234.56`, `1 234,56`, `1'234.50`, `48.2K`, `1,2 Mio`, `6,1 %`: a column's
decimal mark is read from the values that can only be read one way (`6,1`, `1.234,56`,
`0.035`, `1.250.000`). A column whose every value could be read either way (`1.200` is 1.2 or
1,200) is not guessed: `detect_format` raises `AmbiguousFormat`, and the caller asks which one
was meant (`decimal="comma"` or `"point"`). A value that does not fit its column's format is
refused by `parse_number` (`NumberError`, with the reason), never read another way.

Pure standard library. `babel` parses numbers for one locale at a time, which is the opposite
problem: here the locale is unknown and has to be read from the column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

Decimal = Literal["point", "comma"]
DECIMALS: tuple[Decimal, ...] = ("point", "comma")
MARK: dict[Decimal, str] = {"point": ".", "comma": ","}
OTHER: dict[Decimal, Decimal] = {"point": "comma", "comma": "point"}

# Characters that only ever group thousands: space, no-break space, narrow no-break space,
# thin space, apostrophe (Swiss) and its typographic forms.
SPACE_GROUPS = " \u00a0\u202f\u2009"
QUOTE_GROUPS = "'\u2019\u02bc"

#: Currency symbols, longest first where one is the start of another, to ISO 4217 codes. `$`
#: alone is read as US dollars and `¥` as yen; the code is shown back with every price.
CURRENCY_SYMBOLS: dict[str, str] = {
    "US$": "USD",
    "CA$": "CAD",
    "AU$": "AUD",
    "NZ$": "NZD",
    "HK$": "HKD",
    "S$": "SGD",
    "C$": "CAD",
    "A$": "AUD",
    "R$": "BRL",
    "CN¥": "CNY",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "₺": "TRY",
    "₽": "RUB",
    "zł": "PLN",
    "Kč": "CZK",
    "Fr.": "CHF",
    "kr": "SEK",  # also DKK/NOK: a file with `kr` prices should say which with the currency
}
CURRENCY_CODES = frozenset(
    "USD EUR GBP CHF JPY CNY CAD AUD NZD HKD SGD INR BRL MXN SEK NOK DKK PLN CZK HUF RON TRY "
    "ZAR AED SAR KRW RUB ILS THB IDR MYR PHP VND ARS CLP COP PEN".split()
)
#: How currencies are written back: the symbol where it is unambiguous, else the code.

#: Multiplier suffixes: `48.2K`, `1.2M`, `3B`, `1,2 Mio`, `2 Mrd.`, `5 Tsd.`, `1.5bn`.
SUFFIXES: dict[str, float] = {
    "k": 1e3,
    "tsd": 1e3,
    "tsd.": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "mio": 1e6,
    "mio.": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "mrd": 1e9,
    "mrd.": 1e9,
}

_CODES = "|".join(sorted(CURRENCY_CODES))
_SYMBOLS = "|".join(re.escape(s) for s in sorted(CURRENCY_SYMBOLS, key=len, reverse=True))
_CURRENCY_START = re.compile(rf"^(?:(?i:{_CODES})(?![a-z])|{_SYMBOLS})")
_CURRENCY_END = re.compile(rf"(?:(?<![a-z])(?i:{_CODES})|{_SYMBOLS})$")
_SUFFIX_END = re.compile(
    r"(?<=[\d\s\u00a0\u202f])("
    + "|".join(re.escape(s) for s in sorted(SUFFIXES, key=len, reverse=True))
    + r")$",
    re.IGNORECASE,
)
_CORE = re.compile(r"^[0-9.,'\u2019\u02bc \u00a0\u202f\u2009]+$")
_BLANKS = " \t\u00a0\u202f\u2009"


class NumberError(ValueError):
    """A value that is not a number in its column's format; `str()` says why."""


@dataclass(frozen=True)
class Parts:
    """A written number taken apart: sign, digits with their separators, and what surrounds
    them."""

    negative: bool
    core: str  # digits and separators only
    percent: bool
    currency: str | None  # ISO code
    suffix: str  # lower-case multiplier suffix, "" for none


def split(text: str) -> Parts:
    """Take a written number apart, or raise `NumberError` if it is not one."""
    rest = text.strip(_BLANKS)
    negative = False
    currency: str | None = None

    def take_sign(value: str) -> str:
        nonlocal negative
        if value[:1] in ("-", "\u2212", "+"):
            negative = value[0] != "+"
            return value[1:].strip(_BLANKS)
        return value

    rest = take_sign(rest)
    match = _CURRENCY_START.match(rest)
    if match:
        currency = _code(match.group(0))
        rest = take_sign(rest[match.end() :].strip(_BLANKS))
    percent = False
    suffix = ""
    for _ in range(3):  # `%`, a currency and a suffix at the end, in any order
        if rest.endswith("%") and not percent:
            percent = True
            rest = rest[:-1].rstrip(_BLANKS)
            continue
        match = _CURRENCY_END.search(rest)
        if match and currency is None and match.start() > 0:
            currency = _code(match.group(0))
            rest = rest[: match.start()].rstrip(_BLANKS)
            continue
        match = _SUFFIX_END.search(rest)
        if match and not suffix:
            suffix = match.group(1).lower()
            rest = rest[: match.start()].rstrip(_BLANKS)
            continue
        break
    if not rest or not _CORE.match(rest) or not any(c.isdigit() for c in rest):
        raise NumberError(f"{text.strip()!r} is not a number")
    if percent and (currency is not None or suffix):
        raise NumberError(f"{text.strip()!r} mixes a percent with a currency or a multiplier")
    return Parts(negative, rest, percent, currency, suffix)


def _code(found: str) -> str:
    upper = found.upper()
    return upper if upper in CURRENCY_CODES else CURRENCY_SYMBOLS[found]


def _grouped(integer: str, group: str) -> str | None:
    """The digits of an integer part written with thousands separators, or None if the
    grouping is wrong (groups of three after the first, one kind of separator)."""
    kinds = {c for c in integer if not c.isdigit()}
    if not kinds:
        return integer
    if len(kinds) > 1:
        return None
    (separator,) = kinds
    if separator != group and separator not in SPACE_GROUPS and separator not in QUOTE_GROUPS:
        return None
    groups = integer.split(separator)
    first, rest = groups[0], groups[1:]
    if not 1 <= len(first) <= 3 or not first.isdigit() or first == "0":
        return None
    if any(len(g) != 3 or not g.isdigit() for g in rest):
        return None
    return "".join(groups)


def read_core(core: str, decimal: Decimal) -> float | None:
    """The value of digits and separators read with `decimal` as the decimal mark, or None if
    they cannot be read that way."""
    mark = MARK[decimal]
    group = MARK[OTHER[decimal]]
    if core.count(mark) > 1:
        return None
    integer, _, fraction = core.partition(mark)
    if fraction and not fraction.isdigit():
        return None
    if mark in core and not fraction:
        return None  # `12.` or `12,`
    if integer:
        digits = _grouped(integer, group)
        if digits is None:
            return None
    elif not fraction:
        return None
    else:
        digits = "0"
    return float(f"{digits}.{fraction or '0'}")


def readings(text: str) -> dict[Decimal, float]:
    """Every way `text` can be read: {decimal mark: value}; empty if it is not a number."""
    parts = split(text)
    out: dict[Decimal, float] = {}
    for decimal in DECIMALS:
        value = read_core(parts.core, decimal)
        if value is not None:
            out[decimal] = _finish(value, parts)
    return out


def _finish(value: float, parts: Parts) -> float:
    value *= SUFFIXES.get(parts.suffix, 1.0)
    return -value if parts.negative else value


@dataclass(frozen=True)
class Ambiguity:
    """A column whose values can each be read with a decimal point or a decimal comma."""

    column: str
    examples: tuple[str, ...]  # values that read two ways
    readings: tuple[tuple[str, float, float], ...]  # (value, as point, as comma)
    conflict: bool = False  # values of both styles in equal numbers, not only two-way ones

    def message(self) -> str:
        if self.conflict:
            point, comma = self.examples[:2]
            return (
                f"Column '{self.column}' mixes numbers written with a decimal point ({point!r}) "
                f"and with a decimal comma ({comma!r}) in equal numbers. Choose which one the "
                "column uses (decimal comma or decimal point); values written the other way "
                "are then listed as errors."
            )
        shown = "; ".join(
            f"{value!r} is {_plain(point)} with a decimal point or {_plain(comma)} with a "
            "decimal comma"
            for value, point, comma in self.readings[:2]
        )
        return (
            f"Column '{self.column}' can be read two ways: {shown}. Nothing in the column "
            "shows which, so choose whether it uses a decimal comma or a decimal point."
        )


class AmbiguousFormat(ValueError):
    def __init__(self, ambiguity: Ambiguity) -> None:
        self.ambiguity = ambiguity
        super().__init__(ambiguity.message())


def _plain(value: float) -> str:
    return f"{value:,.6f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class ColumnFormat:
    """How one column writes its numbers."""

    decimal: Decimal | None  # None: no value has a decimal mark, so it does not matter
    chosen: bool = False  # the decimal mark was chosen by the user, not read from the values
    groups: tuple[str, ...] = ()  # thousands separators seen
    currencies: tuple[str, ...] = ()  # ISO codes seen
    currency_after: bool | None = None  # symbol or code after the number (`450 €`)
    percent: bool = False
    suffixes: bool = False
    deduced: bool = False  # decided because only one reading gives whole numbers

    def describe(self) -> str:
        """`decimal comma, '.' between thousands, € after the number, %`."""
        bits: list[str] = []
        if self.decimal is None:
            bits.append("whole numbers" if not self.percent else "plain numbers")
        else:
            how = "your choice" if self.chosen else None
            if self.deduced:
                how = "the only reading that fits the column"
            bits.append(f"decimal {self.decimal}" + (f" ({how})" if how else ""))
        names = {" ": "space", "\u00a0": "space", "\u202f": "narrow space", "\u2009": "space"}
        for group in self.groups:
            bits.append(f"{names.get(group, repr(group))} between thousands")
        if self.currencies:
            where = "after" if self.currency_after else "before"
            bits.append(f"{', '.join(self.currencies)} {where} the number")
        if self.percent:
            bits.append("%")
        if self.suffixes:
            bits.append("K/M suffixes")
        return ", ".join(bits)


@dataclass
class _Tally:
    point: list[str] = field(default_factory=list)  # values only a decimal point reads
    comma: list[str] = field(default_factory=list)
    both: list[tuple[str, float, float]] = field(default_factory=list)
    chars: set[str] = field(default_factory=set)  # separators seen
    currencies: list[str] = field(default_factory=list)
    after: list[bool] = field(default_factory=list)
    percent: bool = False
    suffixes: bool = False
    deduced: bool = False


def _whole(value: float, parts: Parts) -> bool:
    return bool(parts.suffix) or value == int(value)


@dataclass(frozen=True)
class _Analysis:
    """A written number taken apart, with its core read both ways (None: cannot be)."""

    parts: Parts
    point: float | None
    comma: float | None
    after: bool  # its currency is written after it


_SIMPLE = re.compile(r"^[0-9]+$")


def _analyse(text: str) -> _Analysis:
    stripped = text.strip(_BLANKS)
    if _SIMPLE.match(stripped):  # most cells: digits only
        value = float(stripped)
        return _Analysis(Parts(False, stripped, False, None, ""), value, value, False)
    parts = split(text)
    after = parts.currency is not None and not _CURRENCY_START.match(stripped.lstrip("-+\u2212"))
    return _Analysis(parts, read_core(parts.core, "point"), read_core(parts.core, "comma"), after)


def _tally(
    tally: _Tally,
    text: str,
    analysis: _Analysis,
    whole: bool,
    max_decimals: int | None,
) -> None:
    parts = analysis.parts
    if parts.core.isdigit() and not (parts.percent or parts.currency or parts.suffix):
        return  # digits only: one reading, which says nothing about the format
    tally.percent |= parts.percent
    tally.suffixes |= bool(parts.suffix)
    if parts.currency is not None:
        tally.currencies.append(parts.currency)
        tally.after.append(analysis.after)
    if not parts.core.isdigit():
        tally.chars.update(c for c in parts.core if not c.isdigit())
    ways: dict[Decimal, float] = {}
    for decimal, raw in (("point", analysis.point), ("comma", analysis.comma)):
        if raw is None:
            continue
        value = _finish(raw, parts)
        if whole and not _whole(value, parts):
            continue
        if max_decimals is not None and not parts.suffix:
            if _decimals(parts.core, decimal) > max_decimals:  # type: ignore[arg-type]
                continue
        ways[decimal] = value  # type: ignore[index]
    found = (analysis.point is not None) + (analysis.comma is not None)
    if found == 2 and len(ways) < 2:
        tally.deduced = True
    if len(ways) == 2 and ways["point"] != ways["comma"]:
        tally.both.append((text.strip(), ways["point"], ways["comma"]))
    elif len(ways) == 1:
        (only,) = ways
        getattr(tally, only).append(text)


def _decide(column: str, tally: _Tally, decimal: Decimal | None) -> ColumnFormat:
    if decimal is not None:
        chosen: Decimal | None = decimal
    elif len(tally.point) > len(tally.comma):
        chosen = "point"
    elif len(tally.comma) > len(tally.point):
        chosen = "comma"
    elif tally.point:  # as many of each
        examples = (tally.point[0], tally.comma[0])
        raise AmbiguousFormat(Ambiguity(column, examples, (), conflict=True))
    elif tally.both:
        raise AmbiguousFormat(
            Ambiguity(column, tuple(v for v, _, _ in tally.both[:3]), tuple(tally.both[:3]))
        )
    else:
        chosen = None
    groups = {c for c in tally.chars if c in SPACE_GROUPS or c in QUOTE_GROUPS}
    if chosen is not None and MARK[OTHER[chosen]] in tally.chars:
        groups.add(MARK[OTHER[chosen]])
    return ColumnFormat(
        decimal=chosen,
        chosen=decimal is not None,
        groups=tuple(sorted(groups)),
        currencies=tuple(dict.fromkeys(tally.currencies)),
        currency_after=(sum(tally.after) * 2 > len(tally.after)) if tally.after else None,
        percent=tally.percent,
        suffixes=tally.suffixes,
        deduced=tally.deduced and decimal is None and chosen is not None,
    )


def detect_format(
    column: str,
    values: Iterable[object],
    *,
    decimal: Decimal | None = None,
    whole: bool = False,
    max_decimals: int | None = None,
) -> ColumnFormat:
    """The format of a column from its values (numbers already typed as numbers say nothing).

    `decimal`: the user's choice, which overrides what the values say. `whole`: the column
    holds whole numbers (follower counts, post limits) without a multiplier suffix, so a
    reading that gives a fraction (`230.500` as 230.5 followers) is not a reading;
    `max_decimals`: likewise a reading with more decimals (prices have at most 2, so `1.200`
    is not 1.2 of a currency).
    Raises `AmbiguousFormat` when the values do not decide the decimal mark."""
    return read_column(column, values, decimal=decimal, whole=whole, max_decimals=max_decimals)[0]


def read_column(
    column: str,
    values: Iterable[object],
    *,
    decimal: Decimal | None = None,
    whole: bool = False,
    max_decimals: int | None = None,
) -> tuple[ColumnFormat, list[Number | NumberError | None]]:
    """`detect_format` and every value read in the format found (`parse_number`), in one
    pass: a Number, the NumberError saying why a value does not fit, or None for None."""
    tally = _Tally()
    seen: dict[str, _Analysis | NumberError] = {}
    items: list[object] = list(values)
    for value in items:
        if not isinstance(value, str) or value in seen:
            continue
        try:
            analysis: _Analysis | NumberError = _analyse(value)
        except NumberError as error:
            analysis = error
        seen[value] = analysis
    for value in items:
        if isinstance(value, str):
            analysis = seen[value]
            if not isinstance(analysis, NumberError):
                _tally(tally, value, analysis, whole, max_decimals)
    fmt = _decide(column, tally, decimal)
    out: list[Number | NumberError | None] = []
    read: dict[str, Number | NumberError] = {}
    for value in items:
        if value is None:
            out.append(None)
        elif isinstance(value, str):
            if value not in read:
                known = seen[value]
                read[value] = (
                    known
                    if isinstance(known, NumberError)
                    else _in_format(value, known, fmt.decimal)
                )
            out.append(read[value])
        else:
            try:
                out.append(parse_number(value, fmt))
            except NumberError as error:
                out.append(error)
    return fmt, out


def _in_format(text: str, analysis: _Analysis, decimal: Decimal | None) -> Number | NumberError:
    """A value in its column's decimal mark, or the error saying why it does not fit."""
    parts = analysis.parts
    shown = text.strip()
    if decimal is None:
        values = {v for v in (analysis.point, analysis.comma) if v is not None}
        if len(values) != 1:
            if not values:
                return NumberError(f"{shown!r} is not a number")
            return NumberError(f"{shown!r} could be read with a decimal point or a decimal comma")
        number = values.pop()
        decimals = 0
    else:
        read = analysis.point if decimal == "point" else analysis.comma
        if read is None:
            other = analysis.comma if decimal == "point" else analysis.point
            if other is not None:
                return NumberError(
                    f"{shown!r} is written with a decimal {OTHER[decimal]}, but this column "
                    f"uses a decimal {decimal} (with '{MARK[OTHER[decimal]]}' between thousands)"
                )
            return NumberError(f"{shown!r} is not a number")
        number = read
        decimals = _decimals(parts.core, decimal)
    number = _finish(number, parts)
    if not math.isfinite(number):
        return NumberError(f"{shown!r} is not a number")
    return Number(number, parts.percent, parts.currency, parts.suffix, decimals)


def _decimals(core: str, decimal: Decimal) -> int:
    """Digits after the decimal mark when `core` is read with `decimal`."""
    mark = MARK[decimal]
    return len(core.partition(mark)[2]) if mark in core else 0


@dataclass(frozen=True)
class Number:
    """A value read in its column's format."""

    value: float
    percent: bool = False
    currency: str | None = None
    suffix: str = ""
    decimals: int = 0  # digits written after the decimal mark


def parse_number(value: object, fmt: ColumnFormat | None = None) -> Number:
    """`value` read in the column's format, or `NumberError` saying why it does not fit.

    Numbers typed as numbers (an Excel cell) are taken as they are."""
    if isinstance(value, bool):
        raise NumberError(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        number = float(value)
        if not math.isfinite(number):
            raise NumberError(f"{value!r} is not a number")
        return Number(number)
    text = str(value)
    result = _in_format(text, _analyse(text), fmt.decimal if fmt is not None else None)
    if isinstance(result, NumberError):
        raise result
    return result


def format_number(
    value: float,
    *,
    decimal: Decimal = "point",
    group: str | None = None,
    digits: int = 2,
) -> str:
    """`value` written with `digits` decimals in a style (the inverse of `parse_number`, for
    tests and examples): `format_number(1234.5, decimal="comma", group=".")` is `1.234,50`."""
    text = f"{abs(value):,.{digits}f}"
    integer, _, fraction = text.partition(".")
    integer = integer.replace(",", group or "")
    out = integer + (MARK[decimal] + fraction if fraction else "")
    return "-" + out if value < 0 else out


def first_of(values: Sequence[object], count: int) -> list[object]:
    """The first `count` values that are not blank."""
    out: list[object] = []
    for value in values:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, float) and math.isnan(value):
            continue
        out.append(value)
        if len(out) == count:
            break
    return out
