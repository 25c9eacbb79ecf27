"""Reading and checking influencer rosters (CSV, Excel or a DataFrame) into one clean table.

Real exports are messy: a title and notes above the header, `Total followers` or `Rate per post`
for headers, `230.500` followers and `450,00 €` prices, a `Total` row at the bottom. The file's
header row is found (`read_table`); each column is matched to a field by the rules in `FIELDS`
(one rule per field: its header aliases, how its values are read, their range and the hint
shown when one is wrong; the checks, the messages, the table's columns and the docs all come
from these rules); each number column's format is read from its values (`planner.numbers`),
and a column that could be read two ways is asked about, never guessed. Everything wrong is
collected and reported at once, by row and column, with how to fix it (`RosterError`), and what
was understood is kept with the roster (`Roster.understood`) to be shown back.

A file is bounded before it is parsed: its bytes, and for an .xlsx file (a zip) the size of its
directory, of each part and of all parts unzipped, each part's compression ratio and the first
sheet's saved size (`check_upload`, milliseconds). Its rows are then read one at a time and
reading stops at the row cap, whatever the file said about its size.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import math
import posixpath
import re
import struct
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, Literal
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from planner.money import money
from planner.numbers import (
    CURRENCY_CODES,
    CURRENCY_SYMBOLS,
    Ambiguity,
    AmbiguousFormat,
    Cells,
    ColumnFormat,
    Decimal,
    NumberError,
    _is_none,
    _strings,
    parse_number,
    read_cells,
)
from planner.settings import RateCard, Tiers

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000  # influencer rows below the header row
MAX_COLUMNS = 200
HEADER_SCAN_ROWS = 30  # rows searched for the header (titles, notes and blank rows above it)

# An .xlsx file is a zip of XML parts; a few hundred kilobytes of it can unzip to gigabytes. These
# are checked from the zip's directory before anything is unzipped. A genuine roster of 100,000
# rows and 15 columns saved by openpyxl (pandas' `to_excel`) has one 75 MB sheet part compressed
# 7.8 to 1 (14 to 1 when most columns repeat one value); laid out as Excel saves it (shared
# strings) 52-55 MB at 6.6-12 to 1. A part of one repeated row compresses 240 to 1 and more.
MAX_XLSX_PARTS = 1_000  # a workbook has ~10 parts plus a few per sheet, chart or picture
MAX_XLSX_DIRECTORY = 512 * 1024  # bytes of the zip's directory (~100 bytes a part)
MAX_XLSX_PART = 150_000_000  # bytes of one part, unzipped: twice the genuine 100,000 rows
MAX_XLSX_UNZIPPED = 200_000_000  # bytes of all parts, unzipped
MAX_XLSX_RATIO = 100  # unzipped / zipped for a part over XLSX_RATIO_FLOOR: 7x the genuine
XLSX_RATIO_FLOOR = 1_000_000  # smaller parts (styles, themes) may compress better; they are small
EXCEL_MAX_ROWS = 1_048_576  # rows a sheet can have in Excel: empty rows past it are not read
_XML_SCAN_BYTES = 1 << 20  # unzipped bytes read at most to find a part's first elements
# A message lists this many problems in full and counts the rest.
MAX_LISTED_PROBLEMS = 25

#: How a field's values are read.
Kind = Literal["text", "platform", "count", "fraction", "money", "posts", "spread"]


@dataclass(frozen=True)
class FieldRule:
    """One roster field: everything the checks, the messages, the table and the docs need."""

    name: str  # the column of `Roster.table`
    label: str  # what one value is, in a sentence: "the follower count"
    kind: Kind
    aliases: tuple[str, ...]  # header keys recognised for certain (`header_key`)
    required: bool = False
    example: str = ""  # how to write a value
    doc: str = ""  # what the field means and what is done without it
    guesses: tuple[str, ...] = ()  # header keys suggested for mapping, never applied unasked
    low: float | None = None
    high: float | None = None
    whole: bool = False  # a whole number where written without a K/M suffix

    @property
    def numeric(self) -> bool:
        return self.kind not in ("text", "platform")


_NETWORKS = ("instagram", "ig", "tiktok", "youtube", "yt", "twitter", "x", "facebook", "twitch")


def _per_network(*stems: str) -> tuple[str, ...]:
    """`instagram_followers`, `tiktok_followers`, … for export tools with a column per network."""
    return tuple(f"{network}_{stem}" for stem in stems for network in _NETWORKS)


#: One rule per field, in the order of `Roster.table`'s columns. Header aliases are compared
#: after `header_key` (lower case, anything but letters and digits as "_", a bracketed part
#: such as "(USD)" or "(%)" dropped): `Total followers` is `total_followers`.
FIELDS: tuple[FieldRule, ...] = (
    FieldRule(
        "name",
        "the influencer's handle or name",
        "text",
        (
            "username",
            "handle",
            "user_name",
            "account",
            "instagram_handle",
            *_per_network("username", "handle"),
            "creator",
            "influencer",
            "name",
            "creator_name",
            "influencer_name",
            "full_name",
            "channel_name",
            "user",
        ),
        required=True,
        example="@anna.cooks",
        doc="One row per influencer; compared without case and a leading @ to find doubles. "
        "Where a file has both a handle and a full name, the handle is used.",
        guesses=("nome", "nombre", "nom", "nutzername", "benutzername", "naam", "influenciador"),
    ),
    FieldRule(
        "followers",
        "the follower count",
        "count",
        (
            "followers",
            "follower",
            "follower_count",
            "followers_count",
            "total_followers",
            "num_followers",
            "number_of_followers",
            "audience",
            "audience_size",
            "subscribers",
            "subscriber_count",
            "subscribers_count",
            "total_subscribers",
            "fans",
            *_per_network("followers", "subscribers"),
        ),
        required=True,
        example="12500, 12,500, 12.500 or 12.5K",
        doc="Sets the tier (micro or macro) and turns an engagement rate into engagements.",
        guesses=("seguidores", "abonnes", "abonnenten", "iscritti", "volgers", "seguaci"),
        low=0,
        whole=True,
    ),
    FieldRule(
        "engagement_rate",
        "the engagement rate",
        "fraction",
        (
            "engagement_rate",
            "er",
            "engagement",
            "eng_rate",
            "engagement_pct",
            "engagement_percent",
            "avg_engagement_rate",
            "average_engagement_rate",
            "avg_er",
            "engagement_rate_pct",
            *_per_network("engagement_rate", "er"),
        ),
        required=True,
        example="3.5%, 3,5 % or 0.035",
        doc="Engagements per post divided by followers. Without this column it is derived from "
        "average likes and comments (and shares and saves) per post, and marked as derived.",
        guesses=("tasso_di_engagement", "tasa_de_interaccion", "taux_d_engagement", "interaccion"),
        low=0,
        high=1,
    ),
    FieldRule(
        "cost_per_post",
        "the price of one post",
        "money",
        (
            "cost_per_post",
            "cost",
            "price",
            "price_per_post",
            "rate",
            "rate_per_post",
            "fee",
            "fee_per_post",
            "post_price",
            "post_rate",
            "cost_post",
            "price_usd",
            "cost_usd",
            "estimated_price",
            "estimated_cost",
            "budget_per_post",
        ),
        required=True,
        example="1200, 1,200.00, $1,200 or 1.200,00 €",
        doc="In one currency for the whole file (the currency is read from the prices' symbol "
        "or code, or the header, else USD). Without it, prices can be estimated from a rate "
        "card, marked as estimates.",
        guesses=(
            "prezzo",
            "precio",
            "prix",
            "preis",
            "preco",
            "kosten",
            "tarif",
            "tarifa",
            "costo",
        ),
        low=0,
    ),
    FieldRule(
        "platform",
        "the platform",
        "platform",
        ("platform", "network", "channel", "social_network", "social_media", "site"),
        example="Instagram, IG, TikTok, YouTube",
        doc="Used by the rate card; `other` when missing.",
        guesses=("piattaforma", "plataforma", "plateforme", "plattform", "red_social", "social"),
    ),
    FieldRule(
        "niche",
        "the niche",
        "text",
        ("niche", "category", "categories", "vertical", "topic", "topics", "industry"),
        example="food",
        doc="Shown in the tables; not used by the plan.",
        guesses=("categoria", "categorie", "kategorie", "nicchia", "nicho"),
    ),
    FieldRule(
        "max_posts",
        "the most posts to buy from this influencer",
        "posts",
        ("max_posts", "posts_max", "maximum_posts", "post_limit", "max_post"),
        example="3",
        doc="Overrides the campaign's posts per influencer; empty for the campaign's limit.",
        low=0,
        whole=True,
    ),
    FieldRule(
        "audience_quality",
        "the share of real followers",
        "fraction",
        (
            "audience_quality",
            "real_followers",
            "real_followers_pct",
            "real_followers_percent",
            "real_follower_share",
            "real_audience",
            "followers_credibility",
            "follower_credibility",
            "audience_credibility",
            "authentic_audience",
            "authentic_followers",
        ),
        example="85% or 0.85",
        doc="Scales engagements; 100% when missing. A 1-100 quality score (HypeAuditor's AQS) is "
        "not a share of real followers and is not read as one unless you map it.",
        low=0,
        high=1,
    ),
    FieldRule(
        "reply_rate",
        "the reply rate",
        "fraction",
        ("reply_rate", "response_rate", "acceptance_rate", "reply"),
        example="40% or 0.4",
        doc="The chance the influencer accepts an offer; overrides the risk assumptions.",
        low=0,
        high=1,
    ),
    FieldRule(
        "engagement_spread",
        "the engagement spread",
        "spread",
        ("engagement_spread", "spread", "engagement_cv", "volatility"),
        example="0.5 or 50%",
        doc="How much one post's engagement varies (coefficient of variation, 0 to 10); "
        "overrides the risk assumptions.",
        low=0,
        high=10,
    ),
    FieldRule(
        "avg_likes",
        "the average likes per post",
        "count",
        (
            "avg_likes",
            "average_likes",
            "avg_likes_per_post",
            "average_likes_per_post",
            "likes_per_post",
            "mean_likes",
        ),
        example="1,250",
        doc="With average comments (shares, saves), makes the engagement rate where the file "
        "has none.",
        guesses=("likes", "like", "mi_piace", "me_gusta"),
        low=0,
    ),
    FieldRule(
        "avg_comments",
        "the average comments per post",
        "count",
        (
            "avg_comments",
            "average_comments",
            "avg_comments_per_post",
            "average_comments_per_post",
            "comments_per_post",
            "mean_comments",
        ),
        example="48",
        doc="Part of a derived engagement rate.",
        guesses=("comments", "commenti", "comentarios", "kommentare"),
        low=0,
    ),
    FieldRule(
        "avg_shares",
        "the average shares per post",
        "count",
        ("avg_shares", "average_shares", "shares_per_post"),
        example="12",
        doc="Part of a derived engagement rate where present.",
        guesses=("shares",),
        low=0,
    ),
    FieldRule(
        "avg_saves",
        "the average saves per post",
        "count",
        ("avg_saves", "average_saves", "saves_per_post"),
        example="30",
        doc="Part of a derived engagement rate where present.",
        guesses=("saves",),
        low=0,
    ),
    FieldRule(
        "avg_views",
        "the average views per post",
        "count",
        ("avg_views", "average_views", "avg_views_per_post", "average_video_views"),
        example="25K",
        doc="Shown in the table. Views are not engagements: a views column recognised by its "
        "header is never counted; one you map yourself (`--column avg_views=HEADER`, or the "
        "page's column mapping) is counted as engagements in a derived engagement rate.",
        guesses=("views", "video_views"),
        low=0,
    ),
)
RULES: dict[str, FieldRule] = {rule.name: rule for rule in FIELDS}
REQUIRED_COLUMNS = tuple(rule.name for rule in FIELDS if rule.required)
OPTIONAL_COLUMNS = tuple(rule.name for rule in FIELDS if not rule.required)
# Header aliases, compared after lower-casing and turning anything but letters and digits into "_".
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {rule.name: rule.aliases for rule in FIELDS}
#: The parts of a derived engagement rate.
ENGAGEMENT_PARTS = ("avg_likes", "avg_comments", "avg_shares", "avg_saves")

#: Headers of common exports that look like a field but are not it, and why.
NOT_A_FIELD: dict[str, str] = {
    "aqs": "HypeAuditor's audience quality score (1-100) is a score, not a share of real followers",
    "audience_quality_score": "a quality score (1-100) is not a share of real followers",
    "quality_score": "a quality score is not a share of real followers",
    "quality": "a quality score is not a share of real followers",
    "aq": "a quality score is not a share of real followers",
    "fake_followers": "the share of fake followers is the opposite of the audience quality",
}

#: Words in a name cell that mark a totals or summary row, not an influencer.
TOTAL_WORDS = frozenset(
    {
        "total",
        "totals",
        "grand total",
        "subtotal",
        "sub-total",
        "sum",
        "average",
        "avg",
        "mean",
        "median",
        "overall",
        "summe",
        "gesamt",
        "totale",
        "somma",
        "media",
        "moyenne",
        "suma",
        "promedio",
    }
)

PLATFORM_ALIASES = {
    "ig": "instagram",
    "insta": "instagram",
    "yt": "youtube",
    "twitter": "x",
    "tik tok": "tiktok",
    "tt": "tiktok",
}

#: Columns of `Roster.table`, in order.
TABLE_COLUMNS = (
    "name",
    "tier",
    "platform",
    "niche",
    "followers",
    "engagement_rate",
    "audience_quality",
    "cost_per_post",
    "price_estimated",
    "max_posts",
    "reply_rate",
    "engagement_spread",
    "engagement_derived",
    "avg_views",
    "source_row",
)
_TABLE_TYPES = {
    "name": "string",
    "tier": "string",
    "platform": "string",
    "niche": "string",
    "followers": "int64",
    "engagement_rate": "float64",
    "audience_quality": "float64",
    "cost_per_post": "float64",
    "price_estimated": "bool",
    "max_posts": "Int64",
    "reply_rate": "Float64",
    "engagement_spread": "Float64",
    "engagement_derived": "bool",
    "avg_views": "Float64",
    "source_row": "int64",
}
DEFAULT_CURRENCY = "USD"
# A price is written with at most this many decimals (the minor unit of every currency in
# `planner.numbers.CURRENCY_CODES` is 0 or 2 digits), so in deciding a column's decimal mark
# `$1,200` is not $1.2. Followers and post limits have none (`FieldRule.whole`), so `230.500`
# followers is not 230.5. Where both readings are possible (`5.000` followers, `1.200` average
# likes) the column is asked about. Once a column's mark is known (from its other values or the
# user's answer), a price with more decimals is read as written.
MONEY_DECIMALS = 2

DecimalChoice = Decimal | Mapping[str, Decimal] | None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a roster: where it is and how to fix it."""

    message: str
    row: int | None = None  # the line number a spreadsheet shows
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = ", ".join(where)
        return f"{text[:1].upper()}{text[1:]}: {self.message}" if where else self.message


@dataclass(frozen=True)
class Suggestion:
    """The header that probably holds a field, for a mapping step to pre-fill."""

    field: str
    header: str
    certain: bool  # recognised by an alias (used without asking) or only a guess
    reason: str


@dataclass(frozen=True)
class ColumnReading:
    """How one field was read: from which header, in which format, the first values."""

    field: str
    header: str | None  # None when derived or estimated
    how: Literal["recognised", "mapped", "derived", "estimated", "ambiguous"]
    format: str
    first_values: tuple[str, ...]  # as parsed, written plainly: "230,500", "6.1%", "€450.00"
    raw_values: tuple[str, ...] = ()  # as written in the file


@dataclass(frozen=True)
class Understanding:
    """What was understood of a roster file, to show back before planning."""

    columns: tuple[ColumnReading, ...] = ()
    notes: tuple[str, ...] = ()  # the header row, the sheet, rows left out, columns not used
    currency: str = DEFAULT_CURRENCY
    # "from the prices' symbol or code", "from the header 'Price (EUR)'", "as set", or
    # "the default: the prices carry none"
    currency_source: str = "the default: the prices carry none"
    # What was read one of two ways the file allows, to check before trusting the plan: the
    # page shows these in view, the command line prints them (`_bare_rates`).
    checks: tuple[str, ...] = ()

    def frame(self) -> pd.DataFrame:
        """One row per field: the field, the column it came from, how it was read, the first
        values as parsed and as written."""
        return pd.DataFrame(
            [
                {
                    "field": c.field,
                    "from column": c.header
                    if c.header is not None
                    else ("(derived)" if c.how == "derived" else "(estimated)"),
                    "how": c.how,
                    "read as": c.format,
                    "first values": ", ".join(c.first_values),
                    "as written": ", ".join(c.raw_values),
                }
                for c in self.columns
            ],
            columns=["field", "from column", "how", "read as", "first values", "as written"],
        )

    def currency_line(self) -> str:
        """The currency and where it came from, as the page and `--explain` say it:
        "Currency: EUR (from the prices' symbol or code)"."""
        return f"Currency: {self.currency} ({self.currency_source})"

    def text(self) -> str:
        """The same as lines of text (the command line's `--explain`)."""
        lines = [self.currency_line()]
        for c in self.columns:
            source = f"'{c.header}'" if c.header is not None else f"({c.how})"
            if c.how == "mapped":
                source += " (mapped)"
            values = ", ".join(c.first_values)
            lines.append(f"  {c.field} <- {source}: {c.format}" + (f"; {values}" if values else ""))
        lines += [f"  {note}" for note in self.notes]
        lines += [f"  Check: {check}" for check in self.checks]
        return "\n".join(lines)


class RosterError(ValueError):
    """The roster cannot be used as it is; `problems` lists every reason.

    What a page needs to offer a way out is kept with it: `missing_prices` (prices could be
    estimated from a rate card), `ambiguous` (number columns that need a decimal mark chosen),
    `unmapped` (required fields no column was recognised for), `suggestions` (the best guess
    of a header for every field, to pre-fill a mapping step), `headers` (the file's headers)
    and `understood` (what was read, as far as it went)."""

    def __init__(
        self,
        problems: list[Problem],
        *,
        missing_prices: bool = False,
        ambiguous: tuple[Ambiguity, ...] = (),
        unmapped: tuple[str, ...] = (),
        suggestions: Mapping[str, Suggestion] | None = None,
        headers: tuple[str, ...] = (),
        understood: Understanding | None = None,
    ) -> None:
        self.problems = problems
        # True when the only thing stopping the roster is that it has no prices: the caller can
        # offer to estimate them from a rate card.
        self.missing_prices = missing_prices
        self.ambiguous = ambiguous
        self.unmapped = unmapped
        self.suggestions = dict(suggestions or {})
        self.headers = headers
        self.understood = understood
        super().__init__(self.summary())

    def __reduce__(self) -> tuple[Any, ...]:  # pickled whole (a cache, a reader process)
        return (
            _rebuild_error,
            (
                self.problems,
                self.missing_prices,
                self.ambiguous,
                self.unmapped,
                self.suggestions,
                self.headers,
                self.understood,
            ),
        )

    def summary(self) -> str:
        count = len(self.problems)
        head = "The roster has 1 problem" if count == 1 else f"The roster has {count} problems"
        listed = [f"- {p}" for p in self.problems[:MAX_LISTED_PROBLEMS]]
        if count > MAX_LISTED_PROBLEMS:
            listed.append(f"- … and {count - MAX_LISTED_PROBLEMS} more of the same kinds.")
        return head + ":\n" + "\n".join(listed)


def _rebuild_error(
    problems: list[Problem],
    missing_prices: bool,
    ambiguous: tuple[Ambiguity, ...],
    unmapped: tuple[str, ...],
    suggestions: Mapping[str, Suggestion],
    headers: tuple[str, ...],
    understood: Understanding | None,
) -> RosterError:
    return RosterError(
        problems,
        missing_prices=missing_prices,
        ambiguous=ambiguous,
        unmapped=unmapped,
        suggestions=suggestions,
        headers=headers,
        understood=understood,
    )


def _empty_excluded() -> pd.DataFrame:
    return pd.DataFrame(columns=["name", "followers", "reason", "source_row"])


@dataclass(frozen=True)
class Roster:
    """A checked roster: the influencers the planner may use, and those it left out and why."""

    table: pd.DataFrame
    excluded: pd.DataFrame = field(default_factory=_empty_excluded)
    prices_estimated: bool = False
    tiers: Tiers = field(default_factory=Tiers)
    currency: str = DEFAULT_CURRENCY  # ISO 4217 code of every price
    understood: Understanding = field(default_factory=Understanding)

    def __len__(self) -> int:
        return len(self.table)

    def count(self, tier: str) -> int:
        return int((self.table["tier"] == tier).sum())

    @property
    def engagement_derived(self) -> bool:
        """True when some engagement rates were derived from likes and comments."""
        return "engagement_derived" in self.table and bool(self.table["engagement_derived"].any())


def header_key(header: object) -> str:
    """A header as the aliases are written: `Avg. engagement rate (%)` is
    `avg_engagement_rate`."""
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", str(header)).strip().lower()
    text = text.replace("%", " pct ").replace("#", " number ")
    key = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    for tail in ("_pct", "_number"):
        bare = key.removesuffix(tail)
        if bare != key and bare:
            return bare
    return key


_header_key = header_key  # the name it had

_ALIAS_TO_COLUMN: dict[str, str] = {}
_ALIAS_RANK: dict[str, int] = {}
for _rule in FIELDS:
    for _rank, _alias in enumerate(_rule.aliases):
        _ALIAS_TO_COLUMN.setdefault(_alias, _rule.name)
        _ALIAS_RANK.setdefault(_alias, _rank)
_GUESS_TO_COLUMN = {guess: rule.name for rule in FIELDS for guess in rule.guesses}


_BLANK_TEXTS = frozenset(("", "-", "—", "n/a", "na", "nan", "none"))
_WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())


def _is_blank(value: object) -> bool:
    if value.__class__ is str:
        return value.strip() in _BLANK_TEXTS  # type: ignore[attr-defined]
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, str) and value.strip() in _BLANK_TEXTS


def _blank_mask(values: np.ndarray) -> np.ndarray:
    """`_is_blank` of each cell of a column."""
    out = np.asarray(pd.isna(values), dtype=bool)
    types = np.fromiter(map(type, values), dtype=object, count=len(values))
    text = np.asarray(np.equal(types, str), dtype=bool)
    at = np.flatnonzero(text)
    if len(at):
        # Python's whitespace, as `str.strip()` takes it off, for the whole column at once.
        stripped = _strings(values[at]).str.strip(_WHITESPACE)
        out[at] = stripped.isin(_BLANK_TEXTS).to_numpy(dtype=bool)
    rest = np.flatnonzero(~text & ~out)
    for i in rest[[isinstance(values[i], str) for i in rest]] if len(rest) else ():
        out[i] = _is_blank(values[i])  # a subclass of str
    return out


def _texts(values: np.ndarray, blank: np.ndarray) -> list[str]:
    """`_text` of each cell of a column: its text with its spaces tidied, "" when blank."""
    return ["" if b else " ".join(str(v).split()) for v, b in zip(values, blank, strict=True)]


def _truthy(values: np.ndarray) -> np.ndarray:
    """Where an array of codes or suffixes (None or text) holds one."""
    return np.asarray(np.not_equal(values, None) & np.not_equal(values, ""), dtype=bool)


def _lines_of(index: pd.Index, known: Sequence[int], first_line: int) -> list[int] | None:
    """Each row's line in the file from its label (`check_roster`'s `line_of`), for a whole
    index of whole-number labels at once; None for any other index."""
    if not len(index) or not pd.api.types.is_integer_dtype(index.dtype):
        return None
    if pd.api.types.is_bool_dtype(index.dtype):
        return None
    labels = index.to_numpy(dtype=np.int64)
    lines = first_line + labels
    if len(known):
        inside = (labels >= 0) & (labels < len(known))
        table = np.asarray(known, dtype=np.int64)
        lines = np.where(inside, table[np.clip(labels, 0, len(known) - 1)], lines)
    return [int(line) for line in lines]


def _is_number_like(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return not (isinstance(value, float) and math.isnan(value))
    try:
        parse_number(str(value))
    except NumberError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Reading a file: its rows, and which of them is the header


def _header_score(row: Sequence[object]) -> int:
    """How many cells of a row are headers the rules know (aliases or mapping guesses)."""
    score = 0
    for cell in row:
        if isinstance(cell, str) and cell.strip():
            key = header_key(cell)
            if key in _ALIAS_TO_COLUMN or key in _GUESS_TO_COLUMN or key in NOT_A_FIELD:
                score += 1
    return score


def _filled(row: Sequence[object]) -> list[object]:
    return [
        cell for cell in row if not (cell is None or (isinstance(cell, str) and not cell.strip()))
    ]


def _find_header(rows: Sequence[Sequence[object]]) -> tuple[int, int, bool]:
    """(index of the header row, rows it spans (2 when merged cells split it over two rows),
    recognised): the first row of the first `HEADER_SCAN_ROWS` with two or more headers the
    rules know; else the first row of two or more text cells, none a number, as wide as half
    the widest row; else the first row that is not blank."""
    scan = rows[:HEADER_SCAN_ROWS]
    found = next((i for i, row in enumerate(scan) if _header_score(row) >= 2), None)
    recognised = found is not None
    if found is None:
        widest = max((len(_filled(row)) for row in scan), default=0)
        for i, row in enumerate(scan):
            cells = _filled(row)
            if (
                len(cells) >= 2
                and len(cells) * 2 >= widest
                and not any(_is_number_like(c) for c in cells)
            ):
                found = i
                break
    if found is None:
        found = next((i for i, row in enumerate(scan) if _filled(row)), 0)
        return found, 1, False
    span = 1
    if found + 1 < len(rows):
        below = rows[found + 1]
        cells = _filled(below)
        if cells and not any(_is_number_like(c) for c in cells):
            merged = _merge_header(rows[found], below)
            if _header_score(merged) > _header_score(rows[found]):
                span = 2
    return found, span, recognised


def _merge_header(top: Sequence[object], bottom: Sequence[object]) -> list[object]:
    """A header split over two rows by merged cells: the lower row's cell where it has one,
    else the upper row's (a merged cell's value is in its first row)."""
    width = max(len(top), len(bottom))
    out: list[object] = []
    for i in range(width):
        low = bottom[i] if i < len(bottom) else ""
        high = top[i] if i < len(top) else ""
        out.append(low if _filled([low]) else high)
    return out


def _unique_headers(cells: Sequence[object]) -> list[str]:
    """Header names as pandas makes them: blank ones `Unnamed: i`, repeats `name.1`."""
    out: list[str] = []
    used: set[str] = set()
    for i, cell in enumerate(cells):
        text = "" if cell is None else str(cell).strip()
        if isinstance(cell, float) and math.isnan(cell):
            text = ""
        text = text or f"Unnamed: {i}"
        name, count = text, 0
        while name in used:
            count += 1
            name = f"{text}.{count}"
        used.add(name)
        out.append(name)
    return out


def _frame_of(
    rows: list[list[object]],
    *,
    first_line: int,
    notes: list[str],
    source: str,
    excel: bool = False,
) -> pd.DataFrame:
    """The table below a file's header row, with where each row came from (`frame.attrs`:
    `lines` the spreadsheet line of each row, `notes` what was skipped and why)."""
    if not rows or not any(_filled(row) for row in rows):
        return pd.DataFrame()
    index, span, recognised = _find_header(rows)
    header_rows = rows[index : index + span]
    header = header_rows[0] if span == 1 else _merge_header(*header_rows)
    body = rows[index + span :]
    while body and not _filled(body[-1]):
        body.pop()
    width = max([len(header), *(len(row) for row in body)]) if body else len(header)
    columns = _unique_headers(list(header) + [""] * (width - len(header)))
    start = first_line + index + span
    if excel:
        # As `pd.read_excel(..., dtype=object)` reads it: empty cells and "NA" as NaN, blank
        # rows kept (so each row's line is its position).
        from pandas.io.parsers import TextParser

        table = [list(header) + [""] * (width - len(header))]
        table += [list(row) + [""] * (width - len(row)) for row in body]
        try:
            frame = TextParser(table, header=0, dtype=object, skip_blank_lines=False).read()
        except pd.errors.EmptyDataError:
            return pd.DataFrame()
        lines = [start + i for i in range(len(frame))]
    else:
        lines = []
        data: list[list[object]] = []
        for offset, row in enumerate(body):
            if not _filled(row):
                continue
            lines.append(start + offset)
            data.append(list(row) + [""] * (width - len(row)))
        frame = pd.DataFrame(data, columns=columns, dtype=object)
    header_line = first_line + index
    if index:
        skipped = [first_line + i for i in range(index) if _filled(rows[i])]
        what = f"rows {first_line}-{header_line - 1}" if index > 1 else f"row {first_line}"
        notes.append(
            f"The header is on row {header_line} of {source}; {what} above it "
            + ("(a title, notes or blank rows) were skipped." if skipped else "were blank.")
        )
    if span == 2:
        notes.append(
            f"The header spans rows {header_line}-{header_line + 1} (merged cells); read as one "
            "row, the lower row's name where it has one."
        )
    if not recognised and _header_score(header) == 0:
        notes.append(
            f"No header the planner knows was found in {source}; row {header_line} "
            "was taken as the header."
        )
    # Kept small and JSON-serialisable (Streamlit serialises a shown frame's attrs, and pandas
    # copies them on every operation): runs of [first row, its line, rows].
    frame.attrs["line_runs"] = _runs(lines)
    frame.attrs["notes"] = list(notes)
    frame.attrs["header_line"] = header_line
    frame.attrs["header_width"] = len(header) - next(
        (i for i, cell in enumerate(reversed(header)) if _filled([cell])), len(header)
    )
    return frame


def _runs(lines: Sequence[int]) -> list[list[int]]:
    """Row lines as runs of consecutive lines: [[first row, its line, rows], ...]."""
    runs: list[list[int]] = []
    for row, line in enumerate(lines):
        if runs and runs[-1][1] + runs[-1][2] == line:
            runs[-1][2] += 1
        else:
            runs.append([row, int(line), 1])
    return runs


def _lines(runs: Sequence[Sequence[int]], count: int) -> list[int]:
    """The line of each of the first `count` rows, from `_runs`."""
    out: list[int] = []
    for _, line, rows in runs:
        out.extend(range(line, line + rows))
    return out[:count]


def _decode(raw: bytes) -> tuple[str, str]:
    """The text of a CSV file and its encoding: UTF-8 (with or without a byte-order mark),
    UTF-16 (with a byte-order mark, or without one when every other byte is zero), else
    Windows-1252."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise RosterError(
                [
                    Problem(
                        f"The file says it is UTF-16 text but is not ({exc.reason}): save it "
                        "again as UTF-8 CSV."
                    )
                ]
            ) from exc
    head = raw[:4096]
    if len(head) >= 4 and head.count(0) * 3 >= len(head):
        odd, even = head[1::2].count(0), head[0::2].count(0)
        encoding = "utf-16-le" if odd > even else "utf-16-be"
        if max(odd, even) * 4 >= len(head) // 2 * 3:
            try:
                return raw.decode(encoding), "UTF-16"
            except UnicodeDecodeError:
                pass
    if b"\x00" in head:
        raise RosterError(
            [
                Problem(
                    "This file is not a CSV (it contains binary data). Upload a CSV "
                    "or an .xlsx workbook with one row per influencer."
                )
            ]
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise RosterError(  # pragma: no cover - cp1252 decodes nearly anything
        [Problem("The file's text encoding is not recognised: save it as UTF-8 CSV.")]
    )


_DELIMITERS = (",", ";", "\t", "|")


def _delimiter(text: str) -> str:
    """The delimiter that splits the most of the first lines into the same number (two or more)
    of fields; title and note lines above the header do not count against it."""
    lines = [line for line in text[:50_000].splitlines()[:60] if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        wide = [c for c in counts if c >= 2]
        if not wide:
            continue
        modal = max(set(wide), key=lambda c: (wide.count(c), c))
        score = (wide.count(modal), modal)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_rows(text: str, delimiter: str) -> list[list[object]]:
    """The records of a CSV text, capped: a line of more than 10 times `MAX_COLUMNS` delimiters
    is refused before it is split, a record wider than `MAX_COLUMNS` (trailing empty fields
    aside) when it is, and reading stops `MAX_ROWS` + 1 records below the header rows."""
    limit = HEADER_SCAN_ROWS + MAX_ROWS + 2

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            if line.count(delimiter) > 10 * MAX_COLUMNS:
                raise _too_wide(line.count(delimiter) + 1)
            yield line

    rows: list[list[object]] = []
    reader = csv.reader(lines(), delimiter=delimiter, strict=True, skipinitialspace=True)
    try:
        for record in reader:
            while record and not record[-1].strip():
                record.pop()
            if len(record) > MAX_COLUMNS:
                raise _too_wide(len(record))
            rows.append([cell.strip() for cell in record])
            if len(rows) >= limit:
                break
    except csv.Error as exc:
        raise RosterError(
            [
                Problem(
                    f"This file is not a well-formed CSV (line {reader.line_num}: {exc}). Check "
                    "that every row has the same number of columns and that quotes are closed."
                )
            ]
        ) from exc
    return rows


def _read_csv(raw: bytes) -> pd.DataFrame:
    text, encoding = _decode(raw)
    if not text.strip():
        raise RosterError(
            [Problem("The file is empty: it needs a header row and one row per influencer.")]
        )
    delimiter = _delimiter(text)
    rows = _csv_rows(text, delimiter)
    notes: list[str] = []
    if encoding == "UTF-16":
        notes.append("The file is UTF-16 text.")
    frame = _frame_of(rows, first_line=1, notes=notes, source="the file")
    if frame.shape[1] == 0:
        raise RosterError(
            [Problem("The file is empty: it needs a header row and one row per influencer.")]
        )
    width = frame.attrs["header_width"]
    if frame.shape[1] > width:
        extra = frame.iloc[:, width:].to_numpy(dtype=object)
        for line, values in zip(_lines(frame.attrs["line_runs"], len(frame)), extra, strict=True):
            if _filled(list(values)):
                raise RosterError(
                    [
                        Problem(
                            f"This file is not a well-formed CSV: row {line} has more fields "
                            f"than the header row {frame.attrs['header_line']}. Check that "
                            "every row has the same number of columns, that quotes are closed, "
                            "and that values with the delimiter in them are quoted."
                        )
                    ]
                )
    return frame


_UNCALCULATED = "uncalculated"  # data_type of a formula cell saved without its result


def _excel_value(cell: Any) -> object:
    """A cell as pandas' openpyxl reader gives it: "" when empty, NaN for an error, a whole
    number as int."""
    if isinstance(cell, dict):
        value, data_type = cell["value"], cell["data_type"]
    else:
        value, data_type = cell.value, cell.data_type
    if value is None:
        return ""
    if data_type == "e":
        return math.nan
    if data_type == "n" and isinstance(value, (int, float)):
        whole = int(value)
        return whole if whole == value else float(value)
    return value


def _parser_class() -> Any:
    """openpyxl's sheet parser, marking a formula cell saved without its result (a file
    written by a program that does not calculate): `data_only` gives such a cell as empty."""
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["data_type"] = _UNCALCULATED
            return cell

    return Parser


def _sheet_cells(book: Any, sheet: Any) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """(row number, cells) of a read-only sheet, streamed, as openpyxl's own reader parses
    them; formula cells without a saved result marked."""
    try:
        source = book._archive.open(sheet._worksheet_path)
    except AttributeError:  # pragma: no cover - another openpyxl: its reader, unmarked
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            yield (
                number,
                [
                    {"column": c.column, "value": c.value, "data_type": c.data_type}
                    for c in cells
                    if getattr(c, "column", None) is not None
                ],
            )
        return
    with source:
        parser = _parser_class()(
            source,
            book.shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        yield from parser.parse()


def _sheet_rows(
    book: Any,
    sheet: Any,
    limit: int,
    uncalculated: list[tuple[int, int]] | None = None,
    *,
    peek: bool = False,
) -> list[list[object]]:
    """The rows of a read-only sheet (trailing empty cells and rows dropped), read one at a
    time: a row past `limit` or a cell past `MAX_COLUMNS` with anything in it stops the
    reading at once. Formula cells saved without a result are listed in `uncalculated` as
    (row, column) from 1."""
    data: list[list[object]] = []
    last = -1
    for number, cells in _sheet_cells(book, sheet):
        row: list[object] = []
        for cell in cells:
            column = cell["column"]
            value = _excel_value(cell)
            if column > MAX_COLUMNS:
                if value != "":
                    raise _too_wide(column)
                continue
            if cell["data_type"] == _UNCALCULATED and uncalculated is not None:
                uncalculated.append((number, column))
            row.extend([""] * (column - 1 - len(row)))
            row.append(value)
        while row and row[-1] == "":
            row.pop()
        if number > limit:
            if peek:
                break
            if row:
                raise _too_long()
            if number >= EXCEL_MAX_ROWS:
                break
            continue
        data.extend([] for _ in range(number - 1 - len(data)))
        if row:
            last = number - 1
        data.append(row)
    return data[: last + 1]


def _read_xlsx(raw: bytes) -> pd.DataFrame:
    """The roster sheet of a workbook: the first sheet with a header the planner recognises
    (else the first sheet), its header row found below any title and notes, its rows read one
    at a time up to the caps."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True, keep_links=False)
    try:
        sheets = list(book.worksheets)
        if not sheets:
            raise ValueError("the workbook has no worksheet")
        chosen = None
        for sheet in sheets:
            top = _sheet_rows(book, sheet, HEADER_SCAN_ROWS, peek=True) if len(sheets) > 1 else None
            if top is None or _header_score(top[_find_header(top)[0]] if top else []) >= 2:
                chosen = sheet
                break
        notes: list[str] = []
        if chosen is None:
            chosen = sheets[0]
            notes.append(
                f"No sheet has a header the planner recognises; the first sheet, "
                f"'{chosen.title}', was read."
            )
        elif len(sheets) > 1:
            others = ", ".join(f"'{s.title}'" for s in sheets if s is not chosen)
            first = "the first sheet" if chosen is sheets[0] else "the first sheet with a header"
            notes.append(
                f"The workbook has {len(sheets)} sheets; '{chosen.title}' was read ({first} "
                f"the planner recognises); not read: {others}."
            )
        uncalculated: list[tuple[int, int]] = []
        rows = _sheet_rows(book, chosen, HEADER_SCAN_ROWS + MAX_ROWS + 1, uncalculated)
    finally:
        book.close()
    source = f"sheet '{chosen.title}'"
    frame = _frame_of(rows, first_line=1, notes=notes, source=source, excel=True)
    if len(frame) > MAX_ROWS:
        raise _too_long()
    if uncalculated and len(frame.columns):
        header_line = frame.attrs["header_line"]
        columns = list(frame.columns)
        cells = [
            [line, columns[column - 1]]
            for line, column in uncalculated
            if line > header_line and column <= len(columns)
        ]
        frame.attrs["uncalculated"] = cells
        if cells:
            frame.attrs["notes"].append(
                f"{len(cells)} cell(s) hold a formula saved without its result (the program "
                "that saved the file did not calculate it), so they read as empty; open the "
                "file in Excel or LibreOffice and save it again to keep the results."
            )
    return frame


def _is_xlsx(raw: bytes, filename: str | None) -> bool:
    return raw.startswith(b"PK\x03\x04") or (filename or "").lower().endswith((".xlsx", ".xlsm"))


def limits_sentence() -> str:
    """The file limits, as one sentence for the messages (the dashboard adds the time limit)."""
    return (
        f"A roster file may be up to {MAX_BYTES / 2**20:.0f} MB with up to {MAX_ROWS:,} rows "
        f"below its header row and {MAX_COLUMNS} columns; an .xlsx file may unzip to at most "
        f"{MAX_XLSX_UNZIPPED / 1e6:.0f} MB."
    )


def _limit_error(message: str) -> RosterError:
    return RosterError([Problem(f"{message} {limits_sentence()}")])


def _too_wide(columns: int) -> RosterError:
    return _limit_error(
        f"The file has {columns:,} columns, more than the {MAX_COLUMNS} a roster may have. "
        "Delete the columns you do not need (and any far to the right of your data) and save "
        "it again."
    )


def _too_long(rows: int | None = None) -> RosterError:
    count = "more than " + f"{MAX_ROWS:,}" if rows is None else f"{rows:,}"
    return _limit_error(
        f"The first sheet has {count} rows below its header row; a roster may have at most "
        f"{MAX_ROWS:,}. Split it into smaller rosters; if the rows below your data only look "
        "empty (formatted or cleared cells), delete those rows and save it again."
    )


def _not_a_workbook(exc: BaseException) -> RosterError:
    return RosterError(
        [
            Problem(
                f"This file could not be read as an Excel workbook ({exc}). Save it again "
                "as .xlsx or export it as CSV."
            )
        ]
    )


def check_upload(raw: bytes, filename: str | None = None, *, max_bytes: int = MAX_BYTES) -> None:
    """Raise `RosterError` if the file is over a limit that can be seen without parsing it.

    Its size; for an .xlsx file, from the zip's directory, the number of parts, each part's
    and all parts' unzipped size and each part's compression ratio, then the first sheet's size as
    saved at its start (`<dimension ref="A1:J200001"/>`: rows and columns). Takes milliseconds and
    a few megabytes whatever the file holds, so a caller can refuse a zip bomb before handing the
    file to a parser. `read_table` runs it too."""
    if len(raw) > max_bytes:
        raise _too_big(len(raw), max_bytes)
    if _is_xlsx(raw, filename):
        _check_xlsx(raw)


_EOCD = struct.Struct("<4s4H2LH")  # zip's end of central directory record (zipfile's layout)
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")


def _zip_directory(raw: bytes) -> tuple[int, int] | None:
    """(entries, bytes) of the zip's central directory as its end record declares them, found
    where `zipfile` looks for it (the zip64 record included), or None without an end record.
    `zipfile.ZipFile` reads and parses that many bytes into objects before anything can be
    checked: 20 MB of empty entries take it seconds and hundreds of megabytes."""
    size = _EOCD.size
    if len(raw) < size:
        return None
    if raw[-size : -size + 4] == b"PK\x05\x06" and raw[-2:] == b"\0\0":
        start = len(raw) - size
    else:
        start = raw.rfind(b"PK\x05\x06", max(len(raw) - (1 << 16) - size, 0))
        if start < 0 or len(raw) - start < size:
            return None
    record = _EOCD.unpack_from(raw, start)
    entries, directory = record[4], record[5]
    locator = start - _EOCD64_LOCATOR.size
    if locator >= 0 and raw[locator : locator + 4] == b"PK\x06\x07":
        zip64 = locator - _EOCD64.size
        if zip64 >= 0 and raw[zip64 : zip64 + 4] == b"PK\x06\x06":
            record64 = _EOCD64.unpack_from(raw, zip64)
            entries, directory = record64[7], record64[8]
    return entries, directory


def _part_name(name: str) -> str:
    return repr(name if len(name) <= 60 else name[:57] + "...")


def _check_xlsx(raw: bytes) -> None:
    """The .xlsx checks of `check_upload`."""
    directory = _zip_directory(raw)
    if directory is None:
        raise _not_a_workbook(zipfile.BadZipFile("File is not a zip file"))
    entries, directory_bytes = directory
    if entries > MAX_XLSX_PARTS or directory_bytes > MAX_XLSX_DIRECTORY:
        raise _limit_error(
            f"This .xlsx file is a zip of {entries:,} parts listed in {directory_bytes:,} bytes; "
            f"a workbook has at most {MAX_XLSX_PARTS:,} (in {MAX_XLSX_DIRECTORY // 1024} KB), so "
            "it was not opened. Open it in Excel and save it again as .xlsx, or export the "
            "roster as CSV."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise _not_a_workbook(exc) from exc
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_XLSX_PARTS:
            raise _limit_error(
                f"This .xlsx file is a zip of {len(parts):,} parts; a workbook has at most "
                f"{MAX_XLSX_PARTS:,}, so it was not opened. Open it in Excel and save it again "
                "as .xlsx, or export the roster as CSV."
            )
        total = 0
        for part in parts:
            unzipped, zipped = part.file_size, part.compress_size
            if unzipped > MAX_XLSX_PART:
                raise _limit_error(
                    f"Part {_part_name(part.filename)} of this .xlsx file unzips to "
                    f"{unzipped / 1e6:,.0f} MB; a part may unzip to at most "
                    f"{MAX_XLSX_PART / 1e6:.0f} MB, so it was not opened. Delete what the roster "
                    "does not need (other sheets, pictures, unused rows and columns), or export "
                    "it as CSV."
                )
            if unzipped > XLSX_RATIO_FLOOR and unzipped > MAX_XLSX_RATIO * zipped:
                raise _limit_error(
                    f"Part {_part_name(part.filename)} of this .xlsx file is compressed "
                    f"{unzipped / max(zipped, 1):,.0f} to 1 ({unzipped / 1e6:,.0f} MB from "
                    f"{zipped / 1e6:,.2f} MB); a spreadsheet's parts compress less than "
                    f"{MAX_XLSX_RATIO} to 1, and a file like this can take minutes and gigabytes "
                    "to read, so it was not opened. If it is a roster, open it in Excel and save "
                    "it again, or export it as CSV."
                )
            total += unzipped
        if total > MAX_XLSX_UNZIPPED:
            raise _limit_error(
                f"This .xlsx file unzips to {total / 1e6:,.0f} MB in all; an upload may unzip to "
                f"at most {MAX_XLSX_UNZIPPED / 1e6:.0f} MB, so it was not opened. Delete what "
                "the roster does not need (other sheets, pictures, unused rows and columns), or "
                "export it as CSV."
            )
        size = _first_sheet_size(archive)
    if size is None:
        return  # not saved, or not found: the rows are capped as they are read
    _, _, max_col, max_row = size
    if max_col > MAX_COLUMNS:
        raise _too_wide(max_col)
    if max_row > MAX_ROWS + 1:
        raise _too_long(max_row - 1)


def _xml_starts(archive: zipfile.ZipFile, name: str) -> Iterator[tuple[str, dict[str, str]]]:
    """The start tags (local name, attributes) at the beginning of part `name`, unzipped and
    parsed a chunk at a time: at most `_XML_SCAN_BYTES` are read however long the part is."""
    parser = ElementTree.XMLPullParser(events=("start",))
    chunk = 64 * 1024
    with archive.open(name) as part:
        for _ in range(_XML_SCAN_BYTES // chunk):
            data = part.read(chunk)
            if not data:
                break
            parser.feed(data)
            for _event, element in parser.read_events():
                yield element.tag.rpartition("}")[2], dict(element.attrib)


# The workbook's content types, in the order openpyxl looks for them.
_WORKBOOK_TYPES = (
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
)
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _first_sheet_size(archive: zipfile.ZipFile) -> tuple[int, int, int, int] | None:
    """(min_col, min_row, max_col, max_row) of the sheet openpyxl reads first, as its
    `<dimension>` says, or None where there is none or the sheet cannot be found: the parts are
    found the way openpyxl finds them, reading only their beginnings."""
    try:
        names = set(archive.namelist())
        overrides: list[tuple[str, str]] = []
        defaults: set[str] = set()
        for tag, attrs in _xml_starts(archive, "[Content_Types].xml"):
            if tag == "Override":
                overrides.append((attrs.get("PartName", ""), attrs.get("ContentType", "")))
            elif tag == "Default":
                defaults.add(attrs.get("ContentType", ""))
        workbook = next(
            (part[1:] for kind in _WORKBOOK_TYPES for part, ct in overrides if ct == kind),
            "xl/workbook.xml" if defaults & set(_WORKBOOK_TYPES) else None,
        )
        if workbook is None:
            return None
        folder, base = posixpath.split(workbook)
        rels_path = posixpath.join(folder, "_rels", f"{base}.rels")
        parent = posixpath.split(posixpath.dirname(rels_path))[0]
        rels: dict[str, tuple[str, str]] = {}
        for tag, attrs in _xml_starts(archive, rels_path):
            if tag == "Relationship" and attrs.get("TargetMode") != "External":
                target = attrs.get("Target", "")
                target = (
                    target[1:]
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join(parent, target))
                )
                rels[attrs.get("Id", "")] = (attrs.get("Type", ""), target)
        sheet = None
        for tag, attrs in _xml_starts(archive, workbook):
            if tag != "sheet" or not attrs.get(_REL_ID):
                continue
            kind, target = rels[attrs[_REL_ID]]
            if target in names and "chartsheet" not in kind:
                sheet = target
                break
        if sheet is None:
            return None
        for tag, attrs in _xml_starts(archive, sheet):
            if tag == "dimension":
                return _range_size(attrs.get("ref", ""))
            if tag == "sheetData":
                return None
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - a part that cannot be followed: the reader will say why
        return None
    return None


_CELL_RANGE = re.compile(r"^([A-Z]{1,3})([0-9]{1,10})(?::([A-Z]{1,3})([0-9]{1,10}))?$")


def _range_size(ref: str) -> tuple[int, int, int, int] | None:
    """(min_col, min_row, max_col, max_row) of a range like `A1:J200001` (or `A1`), or None."""
    match = _CELL_RANGE.match(ref.replace("$", "").strip().upper())
    if match is None:
        return None
    first_col, first_row, last_col, last_row = match.groups()

    def column(letters: str) -> int:
        number = 0
        for letter in letters:
            number = number * 26 + ord(letter) - ord("A") + 1
        return number

    last_col, last_row = last_col or first_col, last_row or first_row
    return column(first_col), int(first_row), column(last_col), int(last_row)


def read_table(
    source: bytes | str | Path | BinaryIO,
    *,
    filename: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> pd.DataFrame:
    """The rows of a CSV or .xlsx file below its header row, as written (text; Excel cells keep
    their type), before any check.

    The header row is found below any title, notes or blank rows; in a workbook, on the first
    sheet with a header the planner recognises. `frame.attrs` says where the rows came from
    (`lines`: each row's line in the file; `notes`: what was skipped and why), which
    `check_roster` uses for its messages. The dashboard shows this table for editing.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        filename = filename or path.name
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise RosterError(
                [Problem(f"The roster file {str(path)!r} cannot be opened: {exc.strerror}.")]
            ) from exc
        if size > max_bytes:
            raise _too_big(size, max_bytes)
        raw = path.read_bytes()
    elif isinstance(source, bytes):
        raw = source
    else:
        raw = source.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise _too_big(len(raw), max_bytes)
    return _sniff_table(raw, filename)


def _sniff_table(raw: bytes, filename: str | None) -> pd.DataFrame:
    """Bytes of a CSV or .xlsx file to a DataFrame (`read_table`)."""
    name = (filename or "").lower()
    if _is_xlsx(raw, filename):
        _check_xlsx(raw)
        try:
            return _read_xlsx(raw)
        except (RosterError, MemoryError):
            raise
        except Exception as exc:  # openpyxl raises many types for a broken workbook
            raise _not_a_workbook(exc) from exc
    if name.endswith(".xls"):
        raise RosterError(
            [
                Problem(
                    "Old .xls workbooks are not supported: save the file as .xlsx "
                    "or export it as CSV."
                )
            ]
        )
    return _read_csv(raw)


def read_roster(
    source: bytes | str | Path | BinaryIO,
    *,
    filename: str | None = None,
    tiers: Tiers | None = None,
    rate_card: RateCard | None = None,
    max_bytes: int = MAX_BYTES,
    columns: Mapping[str, str | None] | None = None,
    decimal: DecimalChoice = None,
    currency: str | None = None,
) -> Roster:
    """Read a CSV or .xlsx roster from a path, bytes or a binary file object and check it
    (`check_roster` says what `columns`, `decimal` and `currency` do)."""
    frame = read_table(source, filename=filename, max_bytes=max_bytes)
    return check_roster(
        frame,
        tiers=tiers,
        rate_card=rate_card,
        columns=columns,
        decimal=decimal,
        currency=currency,
    )


def _too_big(size: int, max_bytes: int) -> RosterError:
    return RosterError(
        [
            Problem(
                f"The file is {size / 2**20:.1f} MB; rosters are limited to "
                f"{max_bytes / 2**20:.0f} MB and {MAX_ROWS:,} influencers. "
                "Remove unused columns or split the roster."
            )
        ]
    )


# ---------------------------------------------------------------------------------------------
# Columns: which header holds which field


def suggest_columns(headers: Iterable[object]) -> dict[str, Suggestion]:
    """The best guess of the header holding each field, for a mapping step to pre-fill: a
    header recognised by an alias (`certain`, used without asking), else one that reads like
    the field in another language or is spelled close to an alias (a guess, never used
    unless the user confirms it). Headers known not to be a field (HypeAuditor's `AQS`) are
    never suggested."""
    names = [str(h) for h in headers]
    keys = {name: header_key(name) for name in names}
    out: dict[str, Suggestion] = {}
    taken: set[str] = set()
    for rule in FIELDS:
        ranked = sorted(
            (_ALIAS_RANK[key], name)
            for name, key in keys.items()
            if _ALIAS_TO_COLUMN.get(key) == rule.name
        )
        if ranked:
            name = ranked[0][1]
            out[rule.name] = Suggestion(rule.name, name, True, f"'{name}' is a known header")
            taken.add(name)
    for rule in FIELDS:
        if rule.name in out:
            continue
        free = [n for n in names if n not in taken and keys[n] not in NOT_A_FIELD]
        # The word alone (`Prezzo`) or first (`Preis pro Post`, `Seguidores Instagram`).
        guess = next((n for n in free if keys[n] in rule.guesses), None) or next(
            (n for n in free if keys[n].split("_")[0] in rule.guesses), None
        )
        reason = f"'{guess}' reads like {rule.label} in another language"
        if guess is None:
            close = {keys[n]: n for n in free if keys[n]}
            found = [
                match
                for alias in rule.aliases + rule.guesses
                for match in difflib.get_close_matches(alias, list(close), n=1, cutoff=0.85)
            ]
            if not found:
                continue
            guess = close[found[0]]
            reason = f"'{guess}' is spelled like a header for {rule.label}"
        out[rule.name] = Suggestion(rule.name, guess, False, reason)
        taken.add(guess)
    return out


def _lookup_header(wanted: str, columns: Sequence[object]) -> object | None:
    for column in columns:
        if str(column) == wanted:
            return column
    folded = " ".join(wanted.split()).casefold()
    matches = [c for c in columns if " ".join(str(c).split()).casefold() == folded]
    return matches[0] if len(matches) == 1 else None


def _match_columns(
    columns: Sequence[object],
    explicit: Mapping[str, str | None] | None,
    problems: list[Problem],
    notes: list[str],
    contested: set[str] | None = None,
) -> tuple[dict[str, object], dict[str, Literal["recognised", "mapped"]]]:
    """Each field's column: the user's mapping first, then the headers recognised by an
    alias. Where two headers look like one field, the name takes the handle before a full
    name; any other field is a problem to resolve with a mapping."""
    found: dict[str, object] = {}
    how: dict[str, Literal["recognised", "mapped"]] = {}
    used: set[str] = set()
    unmapped_on_purpose: set[str] = set()
    for wanted, header in (explicit or {}).items():
        if wanted not in RULES:
            problems.append(
                Problem(
                    f"'{wanted}' in the column mapping is not a roster field; the fields "
                    f"are {', '.join(RULES)}."
                )
            )
            continue
        if header is None or str(header).strip() == "":
            unmapped_on_purpose.add(wanted)
            continue
        column = _lookup_header(str(header), columns)
        if column is None:
            problems.append(
                Problem(
                    f"The column mapping says {wanted} is in column '{header}', but the "
                    f"file has no such column. Its columns are: "
                    f"{', '.join(map(str, columns))}."
                )
            )
            continue
        found[wanted] = column
        how[wanted] = "mapped"
        used.add(str(column))
    candidates: dict[str, list[tuple[int, object]]] = {}
    for column in columns:
        if str(column) in used:
            continue
        key = header_key(column)
        field_name = _ALIAS_TO_COLUMN.get(key)
        if field_name is None or field_name in found or field_name in unmapped_on_purpose:
            continue
        candidates.setdefault(field_name, []).append((_ALIAS_RANK[key], column))
    for field_name, options in candidates.items():
        options.sort(key=lambda option: option[0])
        if len(options) > 1 and (field_name != "name" or options[0][0] == options[1][0]):
            if contested is not None:
                contested.add(field_name)
            listed = " and ".join(f"'{column}'" for _, column in options)
            networks = [_network(header_key(column)) for _, column in options]
            if all(networks) and len(set(networks)) > 1:
                named = [f"'{column}'" for _, column in options]
                listed = ", ".join(named[:-1]) + " and " + named[-1]
                problems.append(
                    Problem(
                        f"{listed} are the {field_name} of different networks, and a row "
                        f"plans one: say which column is the {field_name} with the column "
                        f"mapping (on the command line, --column {field_name}=HEADER), or give "
                        "one row per network with a platform column, each row named apart "
                        "('@anna.cooks (TikTok)'): a name is one influencer."
                    )
                )
                continue
            problems.append(
                Problem(
                    f"{listed} all look like the {field_name} column ({RULES[field_name].label}); "
                    f"say which one it is with the column mapping, or rename or remove the "
                    "others.",
                    column=str(options[1][1]),
                )
            )
            continue
        found[field_name] = options[0][1]
        how[field_name] = "recognised"
        used.add(str(options[0][1]))
        for _, other in options[1:]:
            notes.append(f"'{other}' also looks like the {field_name}; '{options[0][1]}' is used.")
    unused = [c for c in columns if str(c) not in used and not str(c).startswith("Unnamed: ")]
    if unused:
        said = []
        for column in unused:
            reason = NOT_A_FIELD.get(header_key(column))
            said.append(f"'{column}'" + (f" ({reason})" if reason else ""))
        notes.append("Columns not used: " + ", ".join(said) + ".")
    return found, how


_NETWORK_PLATFORM = {"ig": "instagram", "yt": "youtube", "twitter": "x"}
_NETWORK_NAMES = {"tiktok": "TikTok", "youtube": "YouTube", "x": "X (Twitter)"}


def _network(key: str) -> str | None:
    """The platform a header key names first (`instagram_followers`: instagram), or None."""
    for network in _NETWORKS:
        if key.startswith(network + "_"):
            return _NETWORK_PLATFORM.get(network, network)
    return None


def _network_of(found: Mapping[str, object], how: Mapping[str, str]) -> tuple[str, str] | None:
    """(platform, header) when the file has no platform column and its follower column is one
    network's (`Instagram followers`, `YouTube subscribers`): every row is on that network.
    A file with several networks' follower columns never gets here unasked: they all look like
    the followers column, and the user says which one is meant (`_match_columns`)."""
    if "platform" in found or "followers" not in found:
        return None
    header = str(found["followers"])
    key = header_key(header)
    network = _network(key)
    if network is None or not (
        how.get("followers") == "mapped" or key in RULES["followers"].aliases
    ):
        return None
    return network, header


def _decimal_for(choice: DecimalChoice, field_name: str, header: object) -> Decimal | None:
    if choice is None or isinstance(choice, str):
        return choice  # type: ignore[return-value]
    for key in (field_name, str(header)):
        if key in choice:
            return choice[key]
    return None


def _header_currency(header: object) -> str | None:
    text = str(header)
    for word in re.findall(r"[A-Za-z]{3}", text):
        if word.upper() in CURRENCY_CODES and word.isupper():
            return word.upper()
    for symbol in sorted(CURRENCY_SYMBOLS, key=len, reverse=True):
        if len(symbol) <= 2 and not symbol.isalpha() and symbol in text:
            return CURRENCY_SYMBOLS[symbol]
    return None


def _rows_list(lines: Sequence[int]) -> str:
    shown = ", ".join(str(line) for line in lines[:8])
    more = f" and {len(lines) - 8} more" if len(lines) > 8 else ""
    return ("row " if len(lines) == 1 else "rows ") + shown + more


# ---------------------------------------------------------------------------------------------
# Values: one parser per kind of field


Parsed = Any  # a Number, a NumberError, or None for a blank cell


def _show(value: object) -> str:
    return repr(value) if isinstance(value, str) else f"{value}"


def _bare_rates(column: _Column, rows: Sequence[int], lines: Sequence[int]) -> str | None:
    """A rate column that writes rates as percents (`3.5%`) with some values without % (`0.8`):
    each is read as a fraction (80%), as a rate without % always is, but it may be a percent
    whose % was left out (0.8%). Said, with the rows, so that it is checked, never silently
    taken one way. A spreadsheet's typed number (a cell holding 0.35) is the value its cell
    holds: not listed."""
    cells = column.parsed
    if column.rule.kind != "fraction" or cells is None or not cells.percent.any():
        return None
    with np.errstate(invalid="ignore"):
        maybe = cells.ok & ~cells.percent & (cells.value > 0) & (cells.value <= 1)
    in_rows = np.zeros(len(maybe), dtype=bool)
    in_rows[np.asarray(rows, dtype=np.int64)] = True
    bare = [
        i for i in np.flatnonzero(maybe & in_rows).tolist() if isinstance(column.values[i], str)
    ]
    if not bare:
        return None
    named = ", ".join(
        f"row {lines[i]} ({str(column.values[i]).strip()} as {cells.value[i] * 100:g}%)"
        for i in bare[:5]
    )
    more = f" and {len(bare) - 5} more" if len(bare) > 5 else ""
    some = "one value has" if len(bare) == 1 else f"{len(bare)} values have"
    return (
        f"'{column.header}' writes {column.rule.label} as percents, but {some} no %, read as "
        f"a fraction: {named}{more}. Where one is a percent, add its % (0.8 is 80%; 0.8% is "
        "0.8 percent)."
    )


def _number_value(
    rule: FieldRule, raw: object, parsed: Parsed, line: int, header: str, problems: list[Problem]
) -> float | None:
    """A field's value from its parsed cell, or None with a problem."""

    def fail(message: str) -> None:
        problems.append(Problem(message, line, header))

    if isinstance(parsed, NumberError):
        text = str(parsed)
        if text.endswith("is not a number"):
            fail(f"{_show(raw)} is not {rule.label}; write it like {rule.example}.")
        else:
            fail(f"{text}; write {rule.label} like {rule.example}.")
        return None
    number = parsed.value
    if rule.kind == "fraction" or rule.kind == "spread":
        if parsed.currency is not None:
            fail(
                f"{_show(raw)} is an amount of money, not {rule.label}; write it like "
                f"{rule.example}."
            )
            return None
        if parsed.percent:
            number /= 100.0
        elif rule.kind == "fraction" and number > 1:
            fail(
                f"{raw} is above 1. If you mean {number:g} percent, write {number:g}% (or "
                f"{number / 100:g} as a fraction)."
            )
            return None
        low, high = rule.low or 0.0, rule.high if rule.high is not None else math.inf
        if not low <= number <= high:
            span = "0% and 100%" if rule.kind == "fraction" else f"{low:g} and {high:g}"
            fail(f"{raw} is outside {span}; {rule.label} must be between {span}.")
            return None
        return number
    if parsed.percent:
        fail(f"{_show(raw)} is a percent, not {rule.label}; write it like {rule.example}.")
        return None
    if rule.kind == "money":
        # A price read in its column's format may have more decimals than cents (a price a
        # tool computed): the plan books it in whole cents (`planner/plan.py`).
        if number <= 0:
            fail(f"The price {raw} must be above 0; enter what one post costs.")
            return None
        return number
    if parsed.currency is not None:
        fail(f"{_show(raw)} is an amount of money, not {rule.label}; write it like {rule.example}.")
        return None
    if number < 0:
        fail(f"{raw} is below 0; {rule.label} cannot be negative.")
        return None
    if rule.whole:
        if parsed.suffix:
            return float(round(number))
        if number != int(number):
            hint = (
                f" If you mean {number:g} thousand, write {number:g}K."
                if rule.name == "followers"
                else ""
            )
            fail(f"{raw} is not a whole number; {rule.label} must be one.{hint}")
            return None
    return number


def _text(value: object) -> str:
    return "" if _is_blank(value) else " ".join(str(value).split())


def _name_key(name: str) -> str:
    """A name as compared for doubles: case and a leading @ ignored."""
    return name.casefold().lstrip("@").strip()


def _show_value(rule: FieldRule, value: object, currency: str) -> str:
    """A parsed value as the understood-columns table shows it: `230,500`, `6.1%`, `€450.00`."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "" if value is None else str(value)
    number = float(value)
    if math.isnan(number):
        return ""
    if rule.kind == "fraction":
        return f"{number * 100:.4g}%"
    if rule.kind == "spread":
        return f"{number:g}"
    if rule.kind == "money":
        return money(number, cents=True, currency=currency)
    return f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"


# ---------------------------------------------------------------------------------------------
# The check


def check_roster(
    frame: pd.DataFrame,
    *,
    tiers: Tiers | None = None,
    rate_card: RateCard | None = None,
    columns: Mapping[str, str | None] | None = None,
    decimal: DecimalChoice = None,
    currency: str | None = None,
) -> Roster:
    """Check a raw roster table and return the clean `Roster`, or raise `RosterError`.

    `columns`: the user's mapping, field -> header (None: the file has no such column), used
    before the recognised headers. `decimal`: "comma" or "point" for every number column, or
    {field or header: "comma" | "point"}, for columns whose values do not show which (else
    they are refused as ambiguous). `currency`: the campaign's currency (ISO code); by default
    the one every price carries, else USD; prices in another currency are refused. With
    `rate_card`, rows without a price (or a roster without a price column) get an estimated
    price, marked in the `price_estimated` column. Where there is no engagement-rate column,
    or a row's is empty, it is derived from average likes and comments (shares, saves) per
    post divided by followers, marked in the `engagement_derived` column.
    """
    tiers = tiers or Tiers()
    problems: list[Problem] = []
    attrs = dict(frame.attrs)
    notes: list[str] = list(attrs.get("notes", []))
    runs = attrs.get("line_runs")
    known = _lines(runs, sum(run[2] for run in runs)) if runs else []
    first_line = int(attrs.get("header_line", 1)) + 1
    uncalculated = {(int(line), str(column)) for line, column in attrs.get("uncalculated", [])}
    frame = frame.copy(deep=False)
    frame.attrs = {}  # pandas deep-copies attrs on every operation below
    frame = frame.dropna(how="all")
    # The cells column by column, as arrays: the checks read whole columns at once (a pandas
    # Series per row costs far more than the checks themselves).
    every = [frame.iloc[:, j].to_numpy(dtype=object) for j in range(frame.shape[1])]
    every_blank = [_blank_mask(cells) for cells in every]
    filled = (
        ~np.logical_and.reduce(every_blank) if every_blank else np.zeros(len(frame), dtype=bool)
    )
    rows_at = np.flatnonzero(filled)
    data = [cells[rows_at] for cells in every]
    data_blank = [blank[rows_at] for blank in every_blank]
    index = frame.index[rows_at]
    count = len(rows_at)
    if count > MAX_ROWS:
        raise RosterError(
            [Problem(f"The roster has more than {MAX_ROWS:,} rows; split it into smaller rosters.")]
        )
    headers = tuple(str(c) for c in frame.columns)
    if frame.shape[1] == 0 or not count:
        raise RosterError(
            [
                Problem(
                    "The roster has no influencer rows: it needs a header row and "
                    f"one row per influencer with the columns {', '.join(REQUIRED_COLUMNS)}."
                )
            ]
        )

    def line_of(position: int) -> int:
        label = index[position]
        if isinstance(label, (int,)) and not isinstance(label, bool):
            if 0 <= label < len(known):
                return known[label]
            return first_line + int(label)
        return first_line + position

    lines = _lines_of(index, known, first_line) or [line_of(i) for i in range(count)]
    contested: set[str] = set()
    found, how = _match_columns(list(frame.columns), columns, problems, notes, contested)
    position = {column: i for i, column in enumerate(frame.columns)}
    parts = [p for p in ENGAGEMENT_PARTS if p in found]
    # Views are not engagements: a views column recognised by its header is shown, never
    # counted; one the user maps (the views field) is counted in a derived engagement rate.
    if how.get("avg_views") == "mapped":
        parts.append("avg_views")
    elif "avg_views" in found:
        notes.append(
            f"'{found['avg_views']}' (average views) is shown, not counted as engagements; to "
            "count views as engagements, map that column as the views field (avg_views)."
        )
    derive = bool({"avg_likes", "avg_comments", "avg_views"} & set(parts))
    platform_from_header = _network_of(found, how)
    if platform_from_header is not None:
        network, header = platform_from_header
        notes.append(
            "No platform column: every influencer is taken to be on "
            f"{_NETWORK_NAMES.get(network, network.capitalize())}, "
            f"from the header '{header}'."
        )
    missing: list[str] = []
    suggestions = suggest_columns(frame.columns)
    for rule in FIELDS:
        if not rule.required or rule.name in found:
            continue
        if rule.name == "engagement_rate" and derive:
            continue
        if rule.name == "cost_per_post" and rate_card is not None:
            continue
        missing.append(rule.name)
        if rule.name in contested:  # several columns look like it: said above, not guessed
            suggestions.pop(rule.name, None)
            continue
        guess = suggestions.get(rule.name)
        maybe = f" {guess.reason}: map it if it is." if guess is not None else ""
        extra = {
            "engagement_rate": " (or columns of average likes and comments per post, to "
            "derive it from)"
            + (
                f"; '{found['avg_views']}' holds views, which are not engagements: map it as "
                "the views field (avg_views) to count views as engagements"
                if "avg_views" in found
                else ""
            ),
            "cost_per_post": "; or estimate prices from the rate card",
        }.get(rule.name, "")
        problems.append(
            Problem(
                f"No column for {rule.name} ({rule.label}, e.g. {rule.example}){extra}.{maybe} "
                f"Columns found: {', '.join(headers)}. Add the column, or say which column it "
                "is with the column mapping."
            )
        )
    if missing or problems:
        unmapped = tuple(missing)
        if "engagement_rate" in missing and "avg_views" in found and how["avg_views"] != "mapped":
            # Offered to map, not pre-filled: counting views as engagements is the user's call.
            unmapped += ("avg_views",)
            suggestions = {k: v for k, v in suggestions.items() if k != "avg_views"}
        raise RosterError(
            problems,
            missing_prices=missing == ["cost_per_post"] and len(problems) == 1,
            unmapped=unmapped,
            suggestions=suggestions,
            headers=headers,
            understood=Understanding(notes=tuple(notes)),
        )

    def column_values(field_name: str) -> np.ndarray:
        return data[position[found[field_name]]]

    def column_blank(field_name: str) -> np.ndarray:
        return data_blank[position[found[field_name]]]

    texts = {
        rule.name: _texts(column_values(rule.name), column_blank(rule.name))
        for rule in FIELDS
        if rule.name in found and not rule.numeric
    }
    # Totals and summary rows: named `Total`, `Sum`, `Average`, …
    names = texts["name"]
    left_out: list[tuple[int, str, str]] = []  # (position, name, reason)
    for i, text in enumerate(names):
        if text and text.casefold().rstrip(":").strip() in TOTAL_WORDS:
            left_out.append((i, text, f"a totals row ('{text}'), not an influencer"))
    skip = {i for i, _, _ in left_out}
    keep = [i for i in range(count) if i not in skip] if skip else list(range(count))

    # Each number column's format, from its values (totals rows aside).
    formats: dict[str, ColumnFormat] = {}
    ambiguities: list[Ambiguity] = []
    parsed: dict[str, Cells] = {}
    for rule in FIELDS:
        if rule.name not in found or not rule.numeric:
            continue
        header = found[rule.name]
        values = column_values(rule.name).copy()
        values[column_blank(rule.name)] = None
        checked = values.copy()
        checked[list(skip)] = None
        try:
            formats[rule.name], cells = read_cells(
                str(header),
                checked,
                decimal=_decimal_for(decimal, rule.name, header),
                whole=rule.whole,
                max_decimals=MONEY_DECIMALS if rule.kind == "money" else None,
            )
        except AmbiguousFormat as error:
            ambiguities.append(error.ambiguity)
            problems.append(Problem(error.ambiguity.message()))
            continue
        if skip:  # totals rows: read in the column's format, for the list of rows left out
            for i in skip:
                if values[i] is not None:
                    try:
                        cells.put(i, parse_number(values[i], formats[rule.name]))
                    except NumberError as failed:
                        cells.put(i, failed)
        parsed[rule.name] = cells

    # A blank name below the last influencer, with sums or averages of the rows above.
    named = [i for i in keep if names[i]]
    last_named = named[-1] if named else -1
    for i in keep:
        if i <= last_named or names[i]:
            continue
        reason = _summary_reason(i, named, parsed, found)
        if reason is not None:
            left_out.append((i, "", reason))
            skip.add(i)
    # A note below the table ("Prices valid until 31 Dec"): a name cell and nothing else, after
    # the table has ended (a blank row or a totals row above it) and below every number.
    filled = np.zeros(count, dtype=bool)
    for field_name in found:
        if field_name != "name":
            filled |= ~np.asarray(column_blank(field_name), dtype=bool)
    with_numbers = np.flatnonzero(filled)
    last_numbers = int(with_numbers[-1]) if len(with_numbers) else -1
    ended = False
    for i in range(last_numbers + 1, count):
        ended = ended or (i > 0 and (i - 1 in skip or lines[i] > lines[i - 1] + 1))
        if ended and i not in skip and names[i] and not filled[i]:
            shown = names[i] if len(names[i]) <= 60 else names[i][:59] + "…"
            left_out.append((i, names[i], f"a note below the table ('{shown}'), not an influencer"))
            skip.add(i)
    keep = [i for i in keep if i not in skip]
    kept = np.asarray(keep, dtype=np.int64)

    # The currency: the one every price carries (and the price header names), else USD.
    codes: dict[str, list[int]] = {}
    header_code = None
    if "cost_per_post" in found:
        header_code = _header_currency(found["cost_per_post"])
        prices = parsed.get("cost_per_post")
        if prices is not None:
            marked = kept[prices.ok[kept] & _truthy(prices.currency[kept])]
            for i in marked.tolist():
                codes.setdefault(prices.currency[i], []).append(lines[i])
    seen_codes = set(codes) | ({header_code} if header_code else set())
    if len(seen_codes) > 1:
        listed = "; ".join(f"{code} ({_rows_list(rows)})" for code, rows in codes.items())
        where = (
            f" and the header '{found['cost_per_post']}' says {header_code}" if header_code else ""
        )
        problems.append(
            Problem(
                f"The prices are in more than one currency: {listed}{where}. The planner does "
                "not convert currencies: give every price in one currency.",
                column=str(found["cost_per_post"]),
            )
        )
    detected = next(iter(seen_codes)) if len(seen_codes) == 1 else None
    if currency is not None:
        currency = currency.strip().upper()
        if currency not in CURRENCY_CODES:
            problems.append(
                Problem(
                    f"'{currency}' is not a currency code the planner knows; use one of "
                    f"{', '.join(sorted(CURRENCY_CODES))}."
                )
            )
        elif detected is not None and detected != currency:
            problems.append(
                Problem(
                    f"The prices are in {detected}, but the campaign's currency is {currency}. "
                    "The planner does not convert currencies: set the currency to "
                    f"{detected}, or give the prices in {currency}.",
                    column=str(found["cost_per_post"]),
                )
            )
        used_currency, currency_source = currency, "as set"
    elif detected is not None:
        used_currency = detected
        currency_source = (
            f"from the header '{found['cost_per_post']}'"
            if header_code and not codes
            else "from the prices' symbol or code"
        )
    else:
        used_currency, currency_source = DEFAULT_CURRENCY, "the default: the prices carry none"

    read_columns: dict[str, _Column] = {}
    for rule in FIELDS:
        if rule.name not in found:
            continue
        read_columns[rule.name] = _Column(
            rule,
            str(found[rule.name]),
            column_values(rule.name),
            texts.get(rule.name),
            parsed.get(rule.name),
        )
    checks = [
        said
        for column in read_columns.values()
        if (said := _bare_rates(column, keep, lines)) is not None
    ]
    default_platform = platform_from_header[0] if platform_from_header else "other"
    # Most rows need no message: their values are read for whole columns at once
    # (`_fast_rows`); the rest, one at a time by the rules (`_check_row`).
    columns_out, fast = _fast_rows(
        kept, lines, read_columns, found, parts, rate_card, uncalculated, default_platform
    )
    by_row: list[tuple[int, Problem]] = []  # (position, problem): in row order at the end
    passed = fast.copy()
    for k in np.flatnonzero(~fast).tolist():
        i = keep[k]
        found_problems: list[Problem] = []
        row = _check_row(
            i,
            lines[i],
            found,
            read_columns,
            parts,
            found_problems,
            rate_card,
            uncalculated,
            default_platform,
        )
        by_row += [(k, problem) for problem in found_problems]
        if row is not None:
            passed[k] = True
            for name, column in columns_out.items():
                column[k] = row[name]
    # Names must be unique (compared without case or a leading @): every later row of a name
    # is a problem naming the first.
    name_column = columns_out["name"]
    at = np.flatnonzero(passed)
    keys = pd.Series([_name_key(str(name)) for name in name_column[at]], dtype=object)
    twice = keys.duplicated(keep="first").to_numpy(dtype=bool)
    if twice.any():
        first_of = dict(zip(keys[~twice].tolist(), at[~twice].tolist(), strict=True))
        for k in at[twice].tolist():
            first = first_of[_name_key(str(name_column[k]))]
            name, first_name = name_column[k], name_column[first]
            same = (
                f" (as '{first_name}': names are compared without case or a leading @)"
                if first_name != name
                else ""
            )
            # One person on two networks, a row each: each row is planned as an influencer.
            platforms = columns_out["platform"][k], columns_out["platform"][first]
            from planner.export import platform_name  # (export reads rosters: imported here)

            fix = (
                "If these are one creator's accounts on two networks, name each row apart "
                f"('{name} ({platform_name(platforms[0])})'); else remove one of them."
                if platforms[0] != platforms[1]
                else "Remove or rename one of them."
            )
            by_row.append(
                (
                    k,
                    Problem(
                        f"'{name}' is also on row {lines[keep[first]]}{same}; names must be "
                        f"unique. {fix}",
                        lines[keep[k]],
                        str(found["name"]),
                    ),
                )
            )
            passed[k] = False
    by_row.sort(key=lambda item: item[0])  # stable: a row's own problems keep their order
    problems += [problem for _, problem in by_row]
    table = pd.DataFrame({name: column[passed] for name, column in columns_out.items()})
    passing = np.flatnonzero(passed)
    first_rows = table.head(3).to_dict("records")
    derived_rows = table[table["engagement_derived"].astype(bool)].head(3).to_dict("records")
    raw_rows = [tuple(cells[keep[k]] for cells in data) for k in passing[:3].tolist()]

    understood = _understanding(
        found,
        how,
        formats,
        ambiguities,
        first_rows,
        derived_rows,
        raw_rows,
        position,
        parts,
        rate_card,
        used_currency,
        currency_source,
        notes,
        left_out,
        lines,
    )
    understood = replace(understood, checks=tuple(checks))
    if problems:
        raise RosterError(
            problems,
            ambiguous=tuple(ambiguities),
            suggestions=suggestions,
            headers=headers,
            understood=understood,
        )

    table = table.reset_index(drop=True)
    # `Tiers.tier_of` for the whole column at once.
    followers = table["followers"].to_numpy(dtype=float)
    tier = pd.Series(
        np.where(
            followers >= tiers.macro_threshold,
            "macro",
            np.where(followers >= tiers.micro_threshold, "micro", None),
        ),
        index=table.index,
        dtype=object,
    )
    excluded_mask = tier.isna()
    below = table.loc[excluded_mask, ["name", "followers", "source_row"]].copy()
    below.insert(
        2,
        "reason",
        [
            f"{int(f):,} followers is below the micro threshold of {tiers.micro_threshold:,}"
            for f in below["followers"]
        ],
    )
    summaries = pd.DataFrame(
        [
            {
                "name": name,
                "followers": _first_number(parsed.get("followers"), i),
                "reason": reason,
                "source_row": lines[i],
            }
            for i, name, reason in left_out
        ],
        columns=["name", "followers", "reason", "source_row"],
    )
    parts_out = [p for p in (below, summaries) if len(p)]
    excluded = (
        pd.concat(parts_out, ignore_index=True).sort_values("source_row", kind="stable")
        if parts_out
        else _empty_excluded()
    )
    table = table.loc[~excluded_mask].copy()
    table["tier"] = tier[~excluded_mask].astype(str)
    table = table.reset_index(drop=True).astype(_TABLE_TYPES)
    return Roster(
        table=table,
        excluded=excluded.reset_index(drop=True),
        prices_estimated=bool(table["price_estimated"].any()),
        tiers=tiers,
        currency=used_currency,
        understood=understood,
    )


def _first_number(cells: Cells | None, i: int) -> float:
    if cells is None or not cells.ok[i]:
        return math.nan
    return float(cells.value[i])


def _summary_reason(
    i: int, named: list[int], parsed: Mapping[str, Cells], found: Mapping[str, object]
) -> str | None:
    """Why a row without a name is a summary of the rows above it (its followers or prices
    are their sum or average), or None."""
    above_at = np.asarray([j for j in named if j < i], dtype=np.int64)
    for field_name in ("followers", "cost_per_post", "avg_likes", "avg_comments"):
        cells = parsed.get(field_name)
        if cells is None or not cells.ok[i]:
            continue
        value = float(cells.value[i])
        above = cells.value[above_at[cells.ok[above_at]]].tolist()
        if len(above) < 2:
            continue
        total = sum(above)
        for what, target in (("sum", total), ("average", total / len(above))):
            if target and abs(value - target) <= 0.005 * abs(target):
                return (
                    f"a summary row (no name; its '{found[field_name]}' is the {what} of the "
                    "rows above), not an influencer"
                )
    return None


@dataclass(frozen=True)
class _Column:
    """One found field's column, read ahead of the rows."""

    rule: FieldRule
    header: str
    values: np.ndarray  # as written, one per row
    texts: list[str] | None  # text fields: the value with its spaces tidied
    parsed: Cells | None  # number fields: each value read (None: an ambiguous column)


def _check_row(
    i: int,
    line: int,
    found: Mapping[str, object],
    columns: Mapping[str, _Column],
    parts: Sequence[str],
    problems: list[Problem],
    rate_card: RateCard | None,
    uncalculated: set[tuple[int, str]],
    platform: str = "other",
) -> dict[str, object] | None:
    """One row's values by the rules, or None when it has problems (added to `problems`);
    `platform`: the platform of a roster without a platform column."""
    start = len(problems)
    values: dict[str, float | str] = {}

    def blank(field_name: str) -> bool:
        return _is_blank(columns[field_name].values[i])

    def empty(field_name: str, message: str) -> None:
        header = str(found.get(field_name, field_name))
        if (line, header) in uncalculated:
            message = (
                "The cell holds a formula saved without its result (the program that saved "
                "the file did not calculate it); open the file in Excel or LibreOffice and save "
                "it again, or type the value."
            )
        problems.append(Problem(message, line, header))

    for name, column in columns.items():
        rule = column.rule
        header = column.header
        if column.texts is not None:
            text = column.texts[i]
            if rule.kind == "platform":
                text = text.lower()
                text = PLATFORM_ALIASES.get(text, text) or "other"
            elif name == "name":
                if not text:
                    empty(name, "The name is empty; give every influencer a name or handle.")
                elif len(text) > 200:
                    problems.append(
                        Problem("The name is longer than 200 characters; shorten it.", line, header)
                    )
            values[name] = text
            continue
        if column.parsed is None:  # an ambiguous column: reported once for the column
            continue
        cell = column.parsed[i]
        if cell is None:
            if rule.required and not (
                (name == "engagement_rate" and parts) or (name == "cost_per_post" and rate_card)
            ):
                if name == "cost_per_post":
                    empty(
                        name,
                        "The price is empty; enter the price of one post, or estimate "
                        "missing prices from the rate card.",
                    )
                else:
                    empty(
                        name,
                        f"{rule.label.capitalize()} is empty; fill it in (e.g. {rule.example}).",
                    )
            elif uncalculated and (line, header) in uncalculated:
                empty(name, "")
            continue
        number = _number_value(rule, column.values[i], cell, line, header, problems)
        if number is not None:
            values[name] = number

    derived = False
    followers = values.get("followers")
    if (
        "engagement_rate" not in values
        and _parsed(columns, "engagement_rate")
        or ("engagement_rate" not in found and parts)
    ):
        if parts and (
            "engagement_rate" not in found or _cell(columns, "engagement_rate", i) is None
        ):
            missing = [p for p in parts if p not in values]
            for p in missing:
                if blank(p):
                    empty(
                        p,
                        f"{RULES[p].label.capitalize()} is empty; it is needed to derive the "
                        "engagement rate (there is none on this row).",
                    )
            if not missing and isinstance(followers, float):
                if followers <= 0:
                    problems.append(
                        Problem(
                            "The follower count is 0, so no engagement rate can be derived; "
                            "give the engagement rate.",
                            line,
                            str(found["followers"]),
                        )
                    )
                else:
                    rate = sum(float(values[p]) for p in parts) / followers
                    if rate > 1:
                        problems.append(
                            Problem(
                                f"The engagement rate derived from "
                                f"{' + '.join(RULES[p].label.removeprefix('the ') for p in parts)}"
                                f" ÷ followers is {rate:.0%}, above 100%: check the follower "
                                "count and the averages.",
                                line,
                                str(found["followers"]),
                            )
                        )
                    else:
                        values["engagement_rate"] = rate
                        derived = True

    price = values.get("cost_per_post")
    estimated = False
    if (
        price is None
        and rate_card is not None
        and ("cost_per_post" not in found or _cell(columns, "cost_per_post", i) is None)
    ):
        if isinstance(followers, float):
            price = rate_card.price_for(str(values.get("platform", platform)), followers)
            estimated = True
            if price <= 0:
                problems.append(
                    Problem(
                        "The estimated price is 0 because the account has no "
                        "followers; enter a price.",
                        line,
                        str(found.get("cost_per_post", "cost_per_post")),
                    )
                )

    if len(problems) > start:
        return None
    posts = values.get("max_posts")
    return {
        "name": values["name"],
        "tier": None,
        "platform": values.get("platform", platform),
        "niche": values.get("niche", ""),
        "followers": followers,
        "engagement_rate": values.get("engagement_rate"),
        "audience_quality": values.get("audience_quality", 1.0),
        "cost_per_post": price,
        "price_estimated": estimated,
        "max_posts": None if posts is None else int(posts),  # type: ignore[call-overload]
        "reply_rate": values.get("reply_rate"),
        "engagement_spread": values.get("engagement_spread"),
        "engagement_derived": derived,
        "avg_views": values.get("avg_views"),
        "source_row": line,
    }


def _rule_values(rule: FieldRule, cells: Cells, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`_number_value` of the cells at `at`, for a whole column: the values, and where a value
    passes the rule (elsewhere `_number_value` would say what is wrong)."""
    value = cells.value[at]
    percent = cells.percent[at]
    money_in = ~_is_none(cells.currency[at])
    suffixed = _truthy(cells.suffix[at])
    good = cells.ok[at].copy()
    with np.errstate(invalid="ignore"):
        if rule.kind in ("fraction", "spread"):
            good &= ~money_in
            number = np.where(percent, value / 100.0, value)
            if rule.kind == "fraction":
                good &= percent | ~(value > 1)
            low = rule.low or 0.0
            high = rule.high if rule.high is not None else math.inf
            good &= (low <= number) & (number <= high)
            return number, good
        good &= ~percent
        if rule.kind == "money":
            return value, good & (value > 0)
        good &= ~money_in & ~(value < 0)
        if rule.whole:
            value = np.where(suffixed, np.round(value), value)
            good &= suffixed | (value == np.floor(value))
    return value, good


def _fast_rows(
    kept: np.ndarray,
    lines: Sequence[int],
    columns: Mapping[str, _Column],
    found: Mapping[str, object],
    parts: Sequence[str],
    rate_card: RateCard | None,
    uncalculated: set[tuple[int, str]],
    platform: str,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The table's columns for the rows at `kept` (one entry per row) and where a row needs no
    message: every value read and within its rule, nothing to derive or estimate. Those rows'
    entries are filled here, for whole columns at once, with what `_check_row` would give
    them; the other rows' are left for `_check_row`."""
    n = len(kept)
    out = {name: np.full(n, None, dtype=object) for name in TABLE_COLUMNS}
    fast = np.ones(n, dtype=bool)
    if ("engagement_rate" not in found and parts) or (
        rate_card is not None and "cost_per_post" not in found
    ):
        fast[:] = False  # every row derives its rate or estimates its price
    if uncalculated:
        marked = {line for line, _ in uncalculated}
        fast &= np.fromiter((lines[i] not in marked for i in kept), dtype=bool, count=n)
    numbers: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    words: dict[str, list[str]] = {}
    for name, column in columns.items():
        rule = column.rule
        if column.texts is not None:
            text = [column.texts[i] for i in kept.tolist()]
            if rule.kind == "platform":
                text = [PLATFORM_ALIASES.get(t.lower(), t.lower()) or "other" for t in text]
            elif name == "name":
                fast &= np.fromiter((0 < len(t) <= 200 for t in text), dtype=bool, count=n)
            words[name] = text
            continue
        if column.parsed is None:  # an ambiguous column: a problem already
            fast[:] = False
            continue
        blank = column.parsed.blank[kept]
        number, good = _rule_values(rule, column.parsed, kept)
        fast &= good | (blank & (not rule.required))
        numbers[name] = (number, ~blank)
    at = np.flatnonzero(fast)
    if not len(at):
        return out, fast

    def put(name: str, values: np.ndarray) -> None:
        out[name][at] = values[at]

    def number_or(name: str, default: object) -> np.ndarray:
        column = np.full(n, default, dtype=object)
        if name in numbers:
            value, present = numbers[name]
            column[present] = value[present]
        return column

    put("name", np.asarray(words["name"], dtype=object))
    put("platform", np.asarray(words.get("platform", [platform] * n), dtype=object))
    put("niche", np.asarray(words.get("niche", [""] * n), dtype=object))
    for name in ("followers", "engagement_rate", "cost_per_post"):
        put(name, number_or(name, None))
    put("audience_quality", number_or("audience_quality", 1.0))
    put("price_estimated", np.full(n, False, dtype=object))
    posts = number_or("max_posts", None)
    posts[at] = [None if p is None else int(p) for p in posts[at]]
    put("max_posts", posts)
    for name in ("reply_rate", "engagement_spread", "avg_views"):
        put(name, number_or(name, None))
    put("engagement_derived", np.full(n, False, dtype=object))
    put("source_row", np.asarray([lines[i] for i in kept.tolist()], dtype=object))
    return out, fast


def _parsed(columns: Mapping[str, _Column], name: str) -> bool:
    return name in columns and columns[name].parsed is not None


def _cell(columns: Mapping[str, _Column], name: str, i: int) -> Parsed:
    column = columns.get(name)
    return None if column is None or column.parsed is None else column.parsed[i]


def _understanding(
    found: Mapping[str, object],
    how: Mapping[str, Literal["recognised", "mapped"]],
    formats: Mapping[str, ColumnFormat],
    ambiguities: Sequence[Ambiguity],
    rows: Sequence[Mapping[str, object]],
    derived_rows: Sequence[Mapping[str, object]],
    raw_rows: Sequence[tuple[object, ...]],
    position: Mapping[object, int],
    parts: Sequence[str],
    rate_card: RateCard | None,
    currency: str,
    currency_source: str,
    notes: list[str],
    left_out: Sequence[tuple[int, str, str]],
    lines: Sequence[int],
) -> Understanding:
    shown = 3
    by_header = {a.column: a for a in ambiguities}
    readings: list[ColumnReading] = []
    for rule in FIELDS:
        name = rule.name
        if name in found:
            header = found[name]
            ambiguity = by_header.get(str(header))
            raws = tuple(
                str(r[position[header]])
                for r in raw_rows[:shown]
                if not _is_blank(r[position[header]])
            )
            if ambiguity is not None:
                readings.append(
                    ColumnReading(
                        name,
                        str(header),
                        "ambiguous",
                        "ambiguous: decimal comma or decimal point?",
                        (),
                        ambiguity.examples,
                    )
                )
                continue
            fmt = formats.get(name)
            described = fmt.describe() if fmt is not None else "text"
            if name == "cost_per_post":
                described += f"; currency {currency}"
            firsts = tuple(
                _show_value(rule, row.get(name), currency)
                for row in rows[:shown]
                if not (name == "engagement_rate" and row.get("engagement_derived"))
                and not (name == "cost_per_post" and row.get("price_estimated"))
            )
            readings.append(ColumnReading(name, str(header), how[name], described, firsts, raws))
            if name == "engagement_rate" and parts and derived_rows:
                readings.append(_derived_reading(derived_rows, parts, shown))
        elif name == "engagement_rate" and parts:
            readings.append(_derived_reading(derived_rows, parts, shown))
        elif name == "cost_per_post" and rate_card is not None:
            readings.append(
                ColumnReading(
                    name,
                    None,
                    "estimated",
                    "estimated from the rate card (price per 1,000 followers by platform)",
                    tuple(
                        money(float(r["cost_per_post"]), cents=True, currency=currency)
                        for r in rows[:shown]
                        if r["cost_per_post"] is not None  # none without a follower count
                    ),  # type: ignore[arg-type]
                )
            )
    out_notes = list(notes)
    for i, _name, reason in left_out:
        out_notes.append(f"Row {lines[i]} left out: {reason}.")
    return Understanding(tuple(readings), tuple(out_notes), currency, currency_source)


def _derived_reading(
    rows: Sequence[Mapping[str, object]], parts: Sequence[str], shown: int
) -> ColumnReading:
    formula = " + ".join(RULES[p].label.removeprefix("the ") for p in parts)
    return ColumnReading(
        "engagement_rate",
        None,
        "derived",
        f"derived: ({formula}) ÷ followers",
        tuple(
            f"{float(r['engagement_rate']) * 100:.4g}%"  # type: ignore[arg-type]
            for r in rows
            if r["engagement_derived"]
        )[:shown],
    )


def fields_markdown() -> str:
    """The roster format as a Markdown table, from the rules (docs/roster-format.md)."""
    lines = [
        "| field | required | recognised headers (any case, punctuation ignored) | written "
        "like | meaning |",
        "|---|---|---|---|---|",
    ]
    for rule in FIELDS:
        aliases = [a for a in rule.aliases if not any(a.startswith(n + "_") for n in _NETWORKS)]
        stems = sorted({a.split("_", 1)[1] for a in rule.aliases if a not in aliases})
        networks = (
            " and per network (" + ", ".join(f"`instagram_{stem}`" for stem in stems) + ", …)"
            if stems
            else ""
        )
        lines.append(
            f"| `{rule.name}` | {'yes' if rule.required else 'no'} | "
            + ", ".join(f"`{a}`" for a in aliases)
            + networks
            + f" | {rule.example} | {rule.doc} |"
        )
    return "\n".join(lines) + "\n"
