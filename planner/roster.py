"""Reading and checking influencer rosters (CSV, Excel or a DataFrame) into one clean table.

Real exports are messy: `12.5K` followers, `3.5%` engagement, `$1,200` prices, headers in any
case. Everything wrong is collected and reported at once, by row and column, with how to fix it.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from planner.settings import RateCard, Tiers

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
# A message lists this many problems in full and counts the rest.
MAX_LISTED_PROBLEMS = 25

REQUIRED_COLUMNS = ("name", "followers", "engagement_rate", "cost_per_post")
OPTIONAL_COLUMNS = (
    "platform",
    "niche",
    "max_posts",
    "audience_quality",
    "reply_rate",
    "engagement_spread",
)

# Header aliases, compared after lower-casing and turning anything but letters and digits into "_".
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "handle",
        "influencer",
        "username",
        "user",
        "account",
        "creator",
        "creator_name",
        "influencer_name",
        "instagram_handle",
    ),
    "followers": (
        "followers",
        "follower_count",
        "followers_count",
        "num_followers",
        "audience",
        "audience_size",
        "subscribers",
        "fans",
        "follower",
    ),
    "engagement_rate": (
        "engagement_rate",
        "er",
        "engagement",
        "eng_rate",
        "engagement_pct",
        "avg_engagement_rate",
        "average_engagement_rate",
        "engagement_rate_pct",
    ),
    "cost_per_post": (
        "cost_per_post",
        "cost",
        "price",
        "price_per_post",
        "rate",
        "fee",
        "post_price",
        "cost_post",
        "price_usd",
        "cost_usd",
    ),
    "platform": ("platform", "network", "channel", "social_network", "site"),
    "niche": ("niche", "category", "vertical", "topic"),
    "max_posts": ("max_posts", "posts_max", "maximum_posts", "post_limit", "max_post"),
    "audience_quality": (
        "audience_quality",
        "quality",
        "aq",
        "real_followers",
        "real_follower_share",
        "authentic_audience",
    ),
    "reply_rate": ("reply_rate", "response_rate", "acceptance_rate", "reply"),
    "engagement_spread": ("engagement_spread", "spread", "engagement_cv", "volatility"),
}

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
    "source_row",
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a roster: where it is and how to fix it."""

    message: str
    row: int | None = None  # the line number a spreadsheet shows (header = 1)
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where).capitalize()}: {self.message}" if where else self.message


class RosterError(ValueError):
    """The roster cannot be used as it is; `problems` lists every reason."""

    def __init__(self, problems: list[Problem], *, missing_prices: bool = False) -> None:
        self.problems = problems
        # True when the only thing stopping the roster is that it has no prices: the caller can
        # offer to estimate them from a rate card.
        self.missing_prices = missing_prices
        super().__init__(self.summary())

    def summary(self) -> str:
        count = len(self.problems)
        head = "The roster has 1 problem" if count == 1 else f"The roster has {count} problems"
        listed = [f"- {p}" for p in self.problems[:MAX_LISTED_PROBLEMS]]
        if count > MAX_LISTED_PROBLEMS:
            listed.append(f"- … and {count - MAX_LISTED_PROBLEMS} more of the same kinds.")
        return head + ":\n" + "\n".join(listed)


@dataclass(frozen=True)
class Roster:
    """A checked roster: the influencers the planner may use, and those it left out and why."""

    table: pd.DataFrame
    excluded: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["name", "followers", "reason", "source_row"])
    )
    prices_estimated: bool = False
    tiers: Tiers = field(default_factory=Tiers)

    def __len__(self) -> int:
        return len(self.table)

    def count(self, tier: str) -> int:
        return int((self.table["tier"] == tier).sum())


def _header_key(header: object) -> str:
    text = re.sub(r"\(.*?\)", "", str(header)).strip().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


_ALIAS_TO_COLUMN = {
    alias: column for column, aliases in COLUMN_ALIASES.items() for alias in aliases
}

_NUMBER = re.compile(r"^([+-]?\d+(?:\.\d+)?|[+-]?\.\d+)([kmb]?)$")
_MULTIPLIER = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9}
_CURRENCY = re.compile(r"^(usd|eur|gbp|us\$|[$€£¥])|(usd|eur|gbp|[$€£¥])$")


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, str) and value.strip() in ("", "-", "—", "n/a", "na", "nan", "none")


def _parse_amount(value: object) -> tuple[float, bool]:
    """A number from `12,500`, `12.5K`, `1.2M`, `$1,200`, `3.5%`; returns (value, had_percent)."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        if not math.isfinite(float(value)):
            raise ValueError
        return float(value), False
    text = str(value).strip().lower().replace("\u00a0", "").replace(" ", "")
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    text = _CURRENCY.sub("", text).replace(",", "").replace("_", "")
    match = _NUMBER.match(text)
    if not match:
        raise ValueError
    number = float(match.group(1)) * _MULTIPLIER[match.group(2)]
    if not math.isfinite(number):
        raise ValueError
    return number, percent


def _sniff_table(raw: bytes, filename: str | None) -> pd.DataFrame:
    """Bytes of a CSV or .xlsx file to a DataFrame of strings (Excel cells keep their type)."""
    name = (filename or "").lower()
    if raw.startswith(b"PK\x03\x04") or name.endswith((".xlsx", ".xlsm")):
        try:
            return pd.read_excel(io.BytesIO(raw), dtype=object, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many types for a broken workbook
            raise RosterError(
                [
                    Problem(
                        f"This file could not be read as an Excel workbook ({exc}). Save it again "
                        "as .xlsx or export it as CSV."
                    )
                ]
            ) from exc
    if name.endswith(".xls"):
        raise RosterError(
            [
                Problem(
                    "Old .xls workbooks are not supported: save the file as .xlsx "
                    "or export it as CSV."
                )
            ]
        )
    if b"\x00" in raw[:4096]:
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
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise RosterError(
            [Problem("The file's text encoding is not recognised: save it as UTF-8 CSV.")]
        )
    if not text.strip():
        raise RosterError(
            [Problem("The file is empty: it needs a header row and one row per influencer.")]
        )
    sample = text[:20_000]
    try:
        dialect = csv.Sniffer().sniff(sample.splitlines()[0], delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            on_bad_lines="error",
            nrows=MAX_ROWS + 1,
        )
    except (pd.errors.ParserError, csv.Error) as exc:
        raise RosterError(
            [
                Problem(
                    f"This file is not a well-formed CSV ({str(exc).strip()}). Check "
                    "that every row has the same number of columns and that quotes "
                    "are closed."
                )
            ]
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise RosterError(
            [Problem("The file is empty: it needs a header row and one row per influencer.")]
        ) from exc
    return frame


def read_table(
    source: bytes | str | Path | BinaryIO,
    *,
    filename: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> pd.DataFrame:
    """The rows of a CSV or .xlsx file exactly as written (text), before any check.

    The dashboard shows this table for editing; `check_roster` turns it into a `Roster`.
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


def read_roster(
    source: bytes | str | Path | BinaryIO,
    *,
    filename: str | None = None,
    tiers: Tiers | None = None,
    rate_card: RateCard | None = None,
    max_bytes: int = MAX_BYTES,
) -> Roster:
    """Read a CSV or .xlsx roster from a path, bytes or a binary file object and check it."""
    frame = read_table(source, filename=filename, max_bytes=max_bytes)
    return check_roster(frame, tiers=tiers, rate_card=rate_card)


def _too_big(size: int, max_bytes: int) -> RosterError:
    return RosterError(
        [
            Problem(
                f"The file is {size / 1e6:.1f} MB; rosters are limited to "
                f"{max_bytes / 1e6:.0f} MB and {MAX_ROWS:,} influencers. "
                "Remove unused columns or split the roster."
            )
        ]
    )


def _match_columns(frame: pd.DataFrame, problems: list[Problem]) -> dict[str, object]:
    """Map each known column to the header that holds it."""
    found: dict[str, object] = {}
    for header in frame.columns:
        column = _ALIAS_TO_COLUMN.get(_header_key(header))
        if column is None:
            continue
        if column in found:
            problems.append(
                Problem(
                    f"Both '{found[column]}' and '{header}' look like the {column} column; rename "
                    "or remove one of them.",
                    column=str(header),
                )
            )
            continue
        found[column] = header
    return found


def check_roster(
    frame: pd.DataFrame,
    *,
    tiers: Tiers | None = None,
    rate_card: RateCard | None = None,
) -> Roster:
    """Check a raw roster table and return the clean `Roster`, or raise `RosterError`.

    With `rate_card`, rows without a price (or a roster without a price column) get an estimated
    price, marked in the `price_estimated` column.
    """
    tiers = tiers or Tiers()
    problems: list[Problem] = []
    frame = frame.dropna(how="all")
    # Rows as plain tuples: a pandas Series per row costs far more than the checks themselves.
    records = list(frame.itertuples(index=False, name=None))
    filled = [not all(_is_blank(v) for v in record) for record in records]
    frame = frame.loc[filled] if len(frame) else frame
    records = [record for record, keep in zip(records, filled, strict=True) if keep]
    if len(frame) > MAX_ROWS:
        raise RosterError(
            [Problem(f"The roster has more than {MAX_ROWS:,} rows; split it into smaller rosters.")]
        )
    if frame.shape[1] == 0 or len(frame) == 0:
        raise RosterError(
            [
                Problem(
                    "The roster has no influencer rows: it needs a header row and "
                    f"one row per influencer with the columns {', '.join(REQUIRED_COLUMNS)}."
                )
            ]
        )
    found = _match_columns(frame, problems)
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    missing_prices = "cost_per_post" in missing and rate_card is None
    for column in missing:
        if column == "cost_per_post" and rate_card is not None:
            continue
        hint = {
            "name": "the influencer's handle or name (header 'name' or 'handle')",
            "followers": "the follower count (header 'followers')",
            "engagement_rate": "engagements per post divided by followers, e.g. 3.5% (header "
            "'engagement_rate' or 'er')",
            "cost_per_post": "the price of one post (header 'cost_per_post', 'cost' or 'price'); "
            "or estimate prices from the rate card",
        }[column]
        problems.append(
            Problem(
                f"The required column '{column}' is missing: add a column with "
                f"{hint}. Columns found: {', '.join(map(str, frame.columns))}."
            )
        )
    if missing and not (missing == ["cost_per_post"] and rate_card is not None):
        raise RosterError(problems, missing_prices=missing_prices and missing == ["cost_per_post"])

    rows = []
    seen: dict[str, int] = {}
    columns = list(frame.columns)
    for position, record in enumerate(records):
        line = position + 2  # spreadsheet line: the header is line 1
        raw = dict(zip(columns, record, strict=True))
        row = _check_row(raw, found, line, problems, rate_card)
        if row is None:
            continue
        key = row["name"].casefold()
        if key in seen:
            problems.append(
                Problem(
                    f"'{row['name']}' is also on row {seen[key]}; names must be "
                    "unique. Remove or rename one of them.",
                    line,
                    "name",
                )
            )
            continue
        seen[key] = line
        rows.append(row)

    if problems:
        raise RosterError(problems)

    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    tier = table["followers"].map(tiers.tier_of)
    excluded_mask = tier.isna()
    excluded = table.loc[excluded_mask, ["name", "followers", "source_row"]].copy()
    excluded.insert(
        2,
        "reason",
        [
            f"{int(f):,} followers is below the micro threshold of {tiers.micro_threshold:,}"
            for f in excluded["followers"]
        ],
    )
    table = table.loc[~excluded_mask].copy()
    table["tier"] = tier[~excluded_mask].astype(str)
    table = table.reset_index(drop=True)
    table = table.astype(
        {
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
            "source_row": "int64",
        }
    )
    return Roster(
        table=table,
        excluded=excluded.reset_index(drop=True),
        prices_estimated=bool(table["price_estimated"].any()),
        tiers=tiers,
    )


def _fraction(
    value: object, line: int, column: str, what: str, problems: list[Problem]
) -> float | None:
    try:
        number, percent = _parse_amount(value)
    except ValueError:
        problems.append(
            Problem(
                f"{str(value)!r} is not a number; write {what} as a percent like "
                "3.5% or a fraction like 0.035.",
                line,
                column,
            )
        )
        return None
    if percent:
        number /= 100.0
    elif number > 1:
        problems.append(
            Problem(
                f"{value} is above 1. If you mean {number:g} percent, write "
                f"{number:g}% (or {number / 100:g} as a fraction).",
                line,
                column,
            )
        )
        return None
    if not 0 <= number <= 1:
        problems.append(
            Problem(
                f"{value} is outside 0%–100%; {what} must be between 0% and 100%.", line, column
            )
        )
        return None
    return number


def _check_row(
    raw: Mapping[object, object],
    found: dict[str, object],
    line: int,
    problems: list[Problem],
    rate_card: RateCard | None,
) -> dict[str, object] | None:
    def cell(column: str) -> object:
        return raw[found[column]] if column in found else None

    start = len(problems)
    name_value = cell("name")
    name = "" if _is_blank(name_value) else " ".join(str(name_value).split())
    if not name:
        problems.append(
            Problem("The name is empty; give every influencer a name or handle.", line, "name")
        )
    elif len(name) > 200:
        problems.append(
            Problem("The name is longer than 200 characters; shorten it.", line, "name")
        )

    followers: float | None = None
    value = cell("followers")
    if _is_blank(value):
        problems.append(
            Problem(
                "The follower count is empty; fill it in (e.g. 12,500 or 12.5K).", line, "followers"
            )
        )
    else:
        try:
            number, percent = _parse_amount(value)
            if percent or number < 0:
                raise ValueError
            followers = float(round(number))
        except ValueError:
            problems.append(
                Problem(
                    f"{str(value)!r} is not a follower count; write a whole number "
                    "such as 12500, 12,500 or 12.5K.",
                    line,
                    "followers",
                )
            )

    engagement = None
    value = cell("engagement_rate")
    if _is_blank(value):
        problems.append(
            Problem(
                "The engagement rate is empty; fill it in (e.g. 3.5%).", line, "engagement_rate"
            )
        )
    else:
        engagement = _fraction(value, line, "engagement_rate", "the engagement rate", problems)

    platform_value = cell("platform")
    platform = "" if _is_blank(platform_value) else " ".join(str(platform_value).split()).lower()
    platform = PLATFORM_ALIASES.get(platform, platform) or "other"

    price: float | None = None
    estimated = False
    value = cell("cost_per_post")
    if _is_blank(value):
        if rate_card is not None and followers is not None:
            price = rate_card.price_for(platform, followers)
            estimated = True
            if price <= 0:
                problems.append(
                    Problem(
                        "The estimated price is 0 because the account has no "
                        "followers; enter a price.",
                        line,
                        "cost_per_post",
                    )
                )
        elif rate_card is None:
            problems.append(
                Problem(
                    "The price is empty; enter the price of one post, or estimate "
                    "missing prices from the rate card.",
                    line,
                    "cost_per_post",
                )
            )
    else:
        try:
            number, percent = _parse_amount(value)
            if percent:
                raise ValueError
            if number <= 0:
                problems.append(
                    Problem(
                        f"The price {value} must be above 0; enter what one post costs.",
                        line,
                        "cost_per_post",
                    )
                )
            else:
                price = number
        except ValueError:
            problems.append(
                Problem(
                    f"{str(value)!r} is not a price; write an amount such as 1200, "
                    "1,200 or $1,200.",
                    line,
                    "cost_per_post",
                )
            )

    max_posts = None
    value = cell("max_posts")
    if not _is_blank(value):
        try:
            number, percent = _parse_amount(value)
            if percent or number < 0 or number != int(number):
                raise ValueError
            max_posts = int(number)
        except ValueError:
            problems.append(
                Problem(
                    f"{str(value)!r} is not a post limit; write a whole number, 0 "
                    "or more, or leave it empty for the campaign's limit.",
                    line,
                    "max_posts",
                )
            )

    quality = 1.0
    value = cell("audience_quality")
    if not _is_blank(value):
        checked = _fraction(value, line, "audience_quality", "the audience quality", problems)
        quality = 1.0 if checked is None else checked

    reply = None
    value = cell("reply_rate")
    if not _is_blank(value):
        reply = _fraction(value, line, "reply_rate", "the reply rate", problems)

    spread = None
    value = cell("engagement_spread")
    if not _is_blank(value):
        try:
            number, percent = _parse_amount(value)
            spread = number / 100 if percent else number
            if not 0 <= spread <= 10:
                raise ValueError
        except ValueError:
            spread = None
            problems.append(
                Problem(
                    f"{str(value)!r} is not a spread; write how much one post's engagement "
                    "varies as a fraction of its expectation, like 0.5 or 50% (0 to 10).",
                    line,
                    "engagement_spread",
                )
            )

    if len(problems) > start:
        return None
    niche_value = cell("niche")
    return {
        "name": name,
        "tier": None,
        "platform": platform,
        "niche": "" if _is_blank(niche_value) else " ".join(str(niche_value).split()),
        "followers": followers,
        "engagement_rate": engagement,
        "audience_quality": quality,
        "cost_per_post": price,
        "price_estimated": estimated,
        "max_posts": max_posts,
        "reply_rate": reply,
        "engagement_spread": spread,
        "source_row": line,
    }
