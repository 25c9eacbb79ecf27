"""Reading and checking influencer rosters (CSV, Excel or a DataFrame) into one clean table.

Real exports are messy: `12.5K` followers, `3.5%` engagement, `$1,200` prices, headers in any
case. Everything wrong is collected and reported at once, by row and column, with how to fix it.

A file is bounded before it is parsed: its bytes, and for an .xlsx file (a zip) the size of its
directory, of each part and of all parts unzipped, each part's compression ratio and the first
sheet's saved size (`check_upload`, milliseconds). Its rows are then read one at a time and
reading stops at the row cap, whatever the file said about its size.
"""

from __future__ import annotations

import csv
import io
import math
import posixpath
import re
import struct
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree import ElementTree

import pandas as pd

from planner.settings import RateCard, Tiers

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000  # influencer rows below the header row
MAX_COLUMNS = 200

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
    # pandas makes a column of every field of the header row: refuse an absurdly wide one before
    # it is split (a quoted delimiter counts too, which only matters past MAX_COLUMNS).
    width = _first_line(text).count(delimiter) + 1
    if width > MAX_COLUMNS:
        raise _too_wide(width)
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
    if frame.shape[1] > MAX_COLUMNS:  # a header row with a quoted line break
        raise _too_wide(frame.shape[1])
    return frame


def _first_line(text: str) -> str:
    """The first line that is not blank (pandas' header row), without splitting the text."""
    start = 0
    while True:
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        if line.strip() or end < 0:
            return line
        start = end + 1


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


def _excel_value(cell: Any) -> object:
    """A cell as pandas' openpyxl reader gives it: "" when empty, NaN for an error, a whole
    number as int."""
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == "e":
        return math.nan
    if cell.data_type == "n":
        whole = int(value)
        return whole if whole == value else float(value)
    return value


def _sheet_rows(sheet: Any) -> list[list[object]]:
    """The rows of a read-only sheet as pandas' openpyxl reader makes them (trailing empty
    cells and rows dropped, rows padded to one width), read one at a time: a row past
    `MAX_ROWS` below the header, or a cell past `MAX_COLUMNS`, with anything in it stops the
    reading at once."""
    data: list[list[object]] = []
    last = -1
    for number, cells in enumerate(sheet.iter_rows()):
        row = [_excel_value(cell) for cell in cells[:MAX_COLUMNS]]
        if len(cells) > MAX_COLUMNS:
            filled = [i for i in range(MAX_COLUMNS, len(cells)) if _excel_value(cells[i]) != ""]
            if filled:
                raise _too_wide(filled[-1] + 1)
        while row and row[-1] == "":
            row.pop()
        if number > MAX_ROWS:  # row 0 is the header
            if row:
                raise _too_long()
            if number >= EXCEL_MAX_ROWS:
                break
            continue
        if row:
            last = number
        data.append(row)
    data = data[: last + 1]
    width = max((len(row) for row in data), default=0)
    return [row + [""] * (width - len(row)) for row in data]


def _read_xlsx(raw: bytes) -> pd.DataFrame:
    """The first sheet as `pd.read_excel(..., dtype=object, engine="openpyxl")` reads it (the
    first row the header), its rows read one at a time up to the caps."""
    from openpyxl import load_workbook
    from pandas.io.parsers import TextParser

    book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True, keep_links=False)
    try:
        if not book.worksheets:
            raise ValueError("the workbook has no worksheet")
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # as pandas does: the saved size may be wrong
        data = _sheet_rows(sheet)
    finally:
        book.close()
    if not data:
        return pd.DataFrame()
    try:
        return TextParser(data, header=0, dtype=object, skip_blank_lines=False).read()
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


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
                f"The file is {size / 2**20:.1f} MB; rosters are limited to "
                f"{max_bytes / 2**20:.0f} MB and {MAX_ROWS:,} influencers. "
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
