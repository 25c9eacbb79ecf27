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
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd

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
    typed: bool = False  # some values are numbers typed in a spreadsheet (an Excel cell)

    def describe(self) -> str:
        """`decimal comma, '.' between thousands, € after the number, %`."""
        bits: list[str] = []
        if self.decimal is None:
            # A spreadsheet's typed number (0.041) has no decimal mark to read, and need not
            # be whole.
            if self.typed:
                bits.append("numbers as typed in the spreadsheet")
            else:
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
    fmt, cells = read_cells(column, values, decimal=decimal, whole=whole, max_decimals=max_decimals)
    return fmt, cells.tolist()


@dataclass(frozen=True)
class Cells:
    """A column's values read in its format, as arrays (one entry per value): what `Number`
    holds, the `NumberError` of a value that does not fit, and where the value was None.
    `cells[i]` is the value's `Number`, `NumberError` or None."""

    value: np.ndarray  # float64; nan where blank or an error
    percent: np.ndarray  # bool
    currency: np.ndarray  # object: an ISO code or None
    suffix: np.ndarray  # object: "" or the multiplier suffix
    decimals: np.ndarray  # int64
    error: np.ndarray  # object: the NumberError, or None
    blank: np.ndarray  # bool: the value was None

    def __len__(self) -> int:
        return len(self.value)

    def __getitem__(self, i: int) -> Number | NumberError | None:
        if self.blank[i]:
            return None
        if self.error[i] is not None:
            return self.error[i]  # type: ignore[no-any-return]
        return Number(
            float(self.value[i]),
            bool(self.percent[i]),
            self.currency[i],
            self.suffix[i],
            int(self.decimals[i]),
        )

    def put(self, i: int, cell: Number | NumberError | None) -> None:
        """Set the value at `i` (a value read apart from the column, e.g. a totals row's)."""
        self.blank[i] = cell is None
        self.error[i] = cell if isinstance(cell, NumberError) else None
        if isinstance(cell, Number):
            self.value[i], self.percent[i], self.currency[i] = (
                cell.value,
                cell.percent,
                cell.currency,
            )
            self.suffix[i], self.decimals[i] = cell.suffix, cell.decimals
        else:
            self.value[i], self.percent[i], self.currency[i] = np.nan, False, None
            self.suffix[i], self.decimals[i] = "", 0

    def tolist(self) -> list[Number | NumberError | None]:
        return [self[i] for i in range(len(self))]

    @property
    def ok(self) -> np.ndarray:
        """Where a value was read (not blank, not an error)."""
        return ~self.blank & _is_none(self.error)


def _is_none(values: np.ndarray) -> np.ndarray:
    """Where an object array holds None."""
    return np.asarray(np.equal(values, None), dtype=bool)


# The shapes most cells have, read for a whole column at once (`_fast_analyses`): digits with
# `.` and `,`, and a `$`/`€`/`£` before or a `%`/`$`/`€`/`£` after. Any other value is taken
# apart one at a time by `_analyse`, which reads these the same way.
# (Written with the blank characters themselves: Arrow's regular expressions have no `\u`.)
_FAST_BLANKS = "[" + _BLANKS + "]*"
_FAST_SHAPE = f"(?:[$€£][0-9][0-9.,]{{0,19}}|[0-9][0-9.,]{{0,19}}(?:{_FAST_BLANKS}[%€$£])?)"
_FAST_ENDS = f"^[$€£]|{_FAST_BLANKS}[%€$£]$"
_FAST_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP"}
_POINT_CORE = r"(?:[0-9]+|(?:[1-9][0-9]{0,2}|0[0-9]{1,2})(?:,[0-9]{3})+)(?:\.[0-9]+)?"
_COMMA_CORE = r"(?:[0-9]+|(?:[1-9][0-9]{0,2}|0[0-9]{1,2})(?:\.[0-9]{3})+)(?:,[0-9]+)?"


@dataclass
class _Analyses:
    """`_Analysis` of each distinct text of a column, as arrays."""

    core: np.ndarray  # object
    negative: np.ndarray  # bool
    percent: np.ndarray  # bool
    currency: np.ndarray  # object
    suffix: np.ndarray  # object
    after: np.ndarray  # bool
    point: np.ndarray  # float64 (nan: cannot be read with a decimal point)
    point_ok: np.ndarray  # bool
    comma: np.ndarray
    comma_ok: np.ndarray
    error: np.ndarray  # object: the NumberError of a text that is not a number
    digits_only: np.ndarray  # bool: the core is digits only (`str.isdigit`)
    separators: np.ndarray  # object: the core's characters that are not digits
    decimals: dict[Decimal, np.ndarray]  # `_decimals` of the core with each decimal mark

    @property
    def scale(self) -> np.ndarray:
        """What `_finish` multiplies a reading by: the suffix's multiplier and the sign."""
        multiplier = np.ones(len(self.suffix))
        for i in np.flatnonzero(self.suffixed):
            multiplier[i] = SUFFIXES.get(self.suffix[i], 1.0)
        return np.where(self.negative, -multiplier, multiplier)

    @property
    def suffixed(self) -> np.ndarray:
        return np.asarray(np.not_equal(self.suffix, ""), dtype=bool)


def _strings(texts: np.ndarray) -> pd.Series:
    # pandas' string dtype (Arrow's kernels where pyarrow is installed) reads a column at once;
    # text Arrow cannot hold (a lone surrogate) is read by Python's own string methods.
    try:
        return pd.Series(texts, dtype="str")
    except (UnicodeError, ValueError, TypeError):
        return pd.Series(texts, dtype=object)


def _analyses(texts: np.ndarray) -> _Analyses:
    """`_analyse` of every text (distinct texts), the common shapes read a column at once."""
    n = len(texts)
    out = _Analyses(
        core=np.empty(n, dtype=object),
        negative=np.zeros(n, dtype=bool),
        percent=np.zeros(n, dtype=bool),
        currency=np.full(n, None, dtype=object),
        suffix=np.full(n, "", dtype=object),
        after=np.zeros(n, dtype=bool),
        point=np.full(n, np.nan),
        point_ok=np.zeros(n, dtype=bool),
        comma=np.full(n, np.nan),
        comma_ok=np.zeros(n, dtype=bool),
        error=np.full(n, None, dtype=object),
        digits_only=np.zeros(n, dtype=bool),
        separators=np.full(n, "", dtype=object),
        decimals={d: np.zeros(n, dtype=np.int64) for d in DECIMALS},
    )
    if n == 0:
        return out
    series = _strings(texts)
    stripped = series.str.strip(_BLANKS)
    fast = stripped.str.fullmatch(_FAST_SHAPE).fillna(False).to_numpy(dtype=bool)
    if fast.any():
        shown = stripped[fast]
        first = shown.str.slice(0, 1)
        last = shown.str.slice(-1)
        before = first.isin(list(_FAST_SYMBOLS)).to_numpy(dtype=bool)
        end = last.isin(["%", *_FAST_SYMBOLS]).to_numpy(dtype=bool)
        core = shown.str.replace(_FAST_ENDS, "", regex=True)
        symbol = np.where(before, first.to_numpy(dtype=object), last.to_numpy(dtype=object))
        percent = end & (last.to_numpy(dtype=object) == "%")
        has_currency = before | (end & ~percent)
        index = np.flatnonzero(fast)
        out.core[index] = core.to_numpy(dtype=object)
        out.percent[index] = percent
        out.currency[index] = np.where(has_currency, [_FAST_SYMBOLS.get(c) for c in symbol], None)
        out.after[index] = has_currency & ~before
        out.digits_only[index] = core.str.fullmatch("[0-9]+").fillna(False).to_numpy(dtype=bool)
        out.separators[index] = core.str.replace("[0-9]", "", regex=True).to_numpy(dtype=object)
        length = core.str.len().to_numpy(dtype=np.int64)
        for mark_of, counts in out.decimals.items():
            at = core.str.find(MARK[mark_of]).to_numpy(dtype=np.int64)
            counts[index] = np.where(at >= 0, length - at - 1, 0)
        for ok, values, pattern, group in (
            (out.point_ok, out.point, _POINT_CORE, ","),
            (out.comma_ok, out.comma, _COMMA_CORE, "."),
        ):
            readable = core.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
            ok[index] = readable
            digits = core[readable].str.replace(group, "", regex=False)
            if group == ".":
                digits = digits.str.replace(",", ".", regex=False)
            values[index[readable]] = digits.astype("float64").to_numpy(dtype=float)
    for i in np.flatnonzero(~fast):
        try:
            analysis = _analyse(texts[i])
        except NumberError as error:
            out.error[i] = error
            continue
        parts = analysis.parts
        out.core[i] = parts.core
        out.negative[i] = parts.negative
        out.percent[i] = parts.percent
        out.currency[i] = parts.currency
        out.suffix[i] = parts.suffix
        out.after[i] = analysis.after
        out.digits_only[i] = parts.core.isdigit()
        out.separators[i] = "".join(c for c in parts.core if not c.isdigit())
        for mark_of, counts in out.decimals.items():
            counts[i] = _decimals(parts.core, mark_of)
        if analysis.point is not None:
            out.point_ok[i], out.point[i] = True, analysis.point
        if analysis.comma is not None:
            out.comma_ok[i], out.comma[i] = True, analysis.comma
    return out


def read_cells(
    column: str,
    values: Iterable[object],
    *,
    decimal: Decimal | None = None,
    whole: bool = False,
    max_decimals: int | None = None,
) -> tuple[ColumnFormat, Cells]:
    """`read_column` with the values read as arrays (`Cells`): the whole column is read at
    once, each distinct text once."""
    listed = list(values)
    n = len(listed)
    items = np.empty(n, dtype=object)
    items[:] = listed
    kinds = _is_text(items)
    text_at = np.flatnonzero(kinds)
    codes, texts = pd.factorize(items[text_at]) if len(text_at) else (np.zeros(0, int), [])
    texts = np.asarray(texts, dtype=object)
    found = _analyses(texts)
    fmt = _decide(
        column, _tally_all(items, text_at, codes, texts, found, whole, max_decimals), decimal
    )

    # Each distinct text in the column's format (`_in_format`).
    chosen = fmt.decimal
    scale = found.scale
    if chosen is None:
        two = found.point_ok & found.comma_ok & (found.point != found.comma)
        number = np.where(found.point_ok, found.point, found.comma)
        readable = (found.point_ok | found.comma_ok) & ~two
        decimals = np.zeros(len(texts), dtype=np.int64)
    else:
        ok, raw = (
            (found.point_ok, found.point) if chosen == "point" else (found.comma_ok, found.comma)
        )
        other_ok = found.comma_ok if chosen == "point" else found.point_ok
        two = np.zeros(len(texts), dtype=bool)
        number, readable = raw, ok
        decimals = found.decimals[chosen]
    with np.errstate(invalid="ignore", over="ignore"):
        number = number * scale
    finite = np.isfinite(number)
    errors = found.error.copy()
    for i in np.flatnonzero((~readable | ~finite) & _is_none(found.error)):
        shown = texts[i].strip()
        if chosen is None and two[i]:
            message = f"{shown!r} could be read with a decimal point or a decimal comma"
        elif chosen is not None and not readable[i] and other_ok[i]:
            message = (
                f"{shown!r} is written with a decimal {OTHER[chosen]}, but this column "
                f"uses a decimal {chosen} (with '{MARK[OTHER[chosen]]}' between thousands)"
            )
        else:
            message = f"{shown!r} is not a number"
        errors[i] = NumberError(message)

    value = np.full(n, np.nan)
    percent = np.zeros(n, dtype=bool)
    currency = np.full(n, None, dtype=object)
    suffix = np.full(n, "", dtype=object)
    digits = np.zeros(n, dtype=np.int64)
    error = np.full(n, None, dtype=object)
    good = _is_none(errors)
    value[text_at] = np.where(good[codes], number[codes], np.nan)
    percent[text_at] = found.percent[codes]
    currency[text_at] = found.currency[codes]
    suffix[text_at] = found.suffix[codes]
    digits[text_at] = decimals[codes]
    error[text_at] = errors[codes]
    blank = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(~kinds):  # None, or a typed number (an Excel cell)
        item = items[i]
        if item is None:
            blank[i] = True
            continue
        if not fmt.typed:
            fmt = replace(fmt, typed=True)
        try:
            read = parse_number(item, fmt)
        except NumberError as failed:
            error[i] = failed
            continue
        value[i], percent[i], currency[i] = read.value, read.percent, read.currency
        suffix[i], digits[i] = read.suffix, read.decimals
    return fmt, Cells(value, percent, currency, suffix, digits, error, blank)


def _is_text(items: np.ndarray) -> np.ndarray:
    """Where an object array holds text (`isinstance(value, str)`)."""
    types = np.fromiter(map(type, items), dtype=object, count=len(items))
    out = np.asarray(np.equal(types, str), dtype=bool)
    for kind in set(types[~out].tolist()):
        if issubclass(kind, str):  # a subclass of str (numpy's str_)
            out |= np.asarray(np.equal(types, kind), dtype=bool)
    return out


def _tally_all(
    items: np.ndarray,
    text_at: np.ndarray,
    codes: np.ndarray,
    texts: np.ndarray,
    found: _Analyses,
    whole: bool,
    max_decimals: int | None,
) -> _Tally:
    """`_tally` of every text value of a column, in order: what each distinct text says
    about the format, counted as often as it is written."""
    tally = _Tally()
    if not len(texts):
        return tally
    valid = _is_none(found.error)
    core_digits = found.digits_only
    has_currency = ~_is_none(found.currency)
    has_suffix = found.suffixed
    says = valid & ~(core_digits & ~(found.percent | has_currency | has_suffix))
    scale = found.scale
    ways = {}
    for decimal, ok, raw in (
        ("point", found.point_ok, found.point),
        ("comma", found.comma_ok, found.comma),
    ):
        with np.errstate(invalid="ignore", over="ignore"):
            value = raw * scale
        keep = ok.copy()
        if whole:
            with np.errstate(invalid="ignore"):
                keep &= has_suffix | (value == np.floor(value))
        if max_decimals is not None:
            keep &= has_suffix | (found.decimals[decimal] <= max_decimals)  # type: ignore[index]
        ways[decimal] = (keep, value)
    (point_keep, point_value), (comma_keep, comma_value) = ways["point"], ways["comma"]
    both = point_keep & comma_keep & (point_value != comma_value)
    only_point = point_keep & ~comma_keep
    only_comma = comma_keep & ~point_keep
    deduced = found.point_ok & found.comma_ok & ~(point_keep & comma_keep)

    present = np.zeros(len(texts), dtype=bool)
    present[codes] = True
    used = says & present
    tally.percent = bool((found.percent & used).any())
    tally.suffixes = bool((has_suffix & used).any())
    tally.deduced = bool((deduced & used).any())
    for separators in set(found.separators[used & ~core_digits].tolist()):
        tally.chars.update(separators)
    said = says[codes]
    order = text_at  # each text value's position in the column
    with_currency = said & has_currency[codes]
    tally.currencies = found.currency[codes[with_currency]].tolist()
    tally.after = found.after[codes[with_currency]].tolist()
    originals = items[order]
    tally.point = originals[said & only_point[codes]].tolist()
    tally.comma = originals[said & only_comma[codes]].tolist()
    twice = np.flatnonzero(said & both[codes])[:3]
    tally.both = [
        (str(originals[k]).strip(), float(point_value[codes[k]]), float(comma_value[codes[k]]))
        for k in twice
    ]
    return tally


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
