"""Write the export corpus: rosters shaped the way influencer tools and spreadsheets export
them, each with its expected clean table (`<file>.expected.csv`, the true values the file was
written from). Run `python tests/data/exports/make_exports.py` to write them again; the files
are committed, so the tests never depend on this script's output being fresh.

The same six influencers (and a few more) appear in every shape below, so a mistake in one
reader shows as a different number from the one written.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent
EXPECTED_COLUMNS = [
    "name",
    "followers",
    "engagement_rate",
    "cost_per_post",
    "platform",
    "audience_quality",
    "engagement_derived",
]

# name, handle, platform, followers, engagement rate, price, real-follower share, likes, comments
PEOPLE = [
    ("Anna Rossi", "anna.cooks", "instagram", 230_500, 0.061, 450.0, 0.78, 13_420, 640),
    ("Ben Okafor", "ben_lifts", "instagram", 48_200, 0.034, 9_800.0, 0.815, 1_561, 78),
    ("Cara Lind", "cara.travels", "youtube", 1_250_000, 0.022, 12_500.0, 0.69, 26_900, 600),
    ("Dario Neri", "dario", "tiktok", 15_750, 0.048, 320.5, 0.9, 720, 36),
    ("Eva Marsh", "eva.makes", "instagram", 87_300, 0.029, 1_150.0, 0.84, 2_410, 122),
    ("Femi Ade", "femi.runs", "tiktok", 412_000, 0.041, 3_900.0, 0.73, 16_180, 712),
]


def expected(name: str, rows: list[dict[str, object]]) -> None:
    with open(HERE / f"{name}.expected.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=EXPECTED_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, _default(c)) for c in EXPECTED_COLUMNS})


def _default(column: str) -> object:
    return {"platform": "other", "audience_quality": 1.0, "engagement_derived": False}.get(
        column, ""
    )


def clean(
    name_of: int = 1,
    *,
    platform: bool = False,
    quality: bool = False,
    derived: bool = False,
    people: list[tuple] | None = None,
) -> list[dict[str, object]]:
    rows = []
    for person in people or PEOPLE:
        full, handle, plat, followers, er, price, real, likes, comments = person
        rows.append(
            {
                "name": (full, handle, "@" + handle)[name_of],
                "followers": followers,
                "engagement_rate": (likes + comments) / followers if derived else er,
                "cost_per_post": price,
                "platform": plat if platform else "other",
                "audience_quality": real if quality else 1.0,
                "engagement_derived": derived,
            }
        )
    return rows


def write_text(name: str, text: str, encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(text.encode(encoding))


def european() -> None:
    """Semicolons, decimal commas, dots between thousands, euro sign after the number."""
    lines = ["Name;Followers;Engagement rate;Price per post;Platform"]
    for _, handle, plat, followers, er, price, *_ in PEOPLE:
        lines.append(
            f"{handle};{_eu(followers, 0)};{_eu(er * 100, 1)} %;{_eu(price, 2)} €;{plat.title()}"
        )
    write_text("european.csv", "\n".join(lines) + "\n")
    expected("european.csv", clean(platform=True))


def _eu(value: float, digits: int) -> str:
    text = f"{value:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def hypeauditor() -> None:
    """No engagement rate: average likes and comments; AQS is a score, not a share."""
    lines = [
        "Username,Full name,Total followers,Average likes,Average comments,AQS,Country,"
        "Category,Price (USD)"
    ]
    for full, handle, _, followers, _, price, _, likes, comments in PEOPLE:
        lines.append(
            f'{handle},{full},"{followers:,}",{likes},{comments},{71 + len(handle)},Italy,'
            f"Food,{price:g}"
        )
    write_text("hypeauditor.csv", "\n".join(lines) + "\n")
    expected("hypeauditor.csv", clean(derived=True))


def modash() -> None:
    """K and M suffixes, percent signs, dollar prices, followers credibility."""
    lines = ["Username,Followers,Engagement rate,Rate per post,Followers credibility"]
    suffix = {230_500: "230.5K", 48_200: "48.2K", 1_250_000: "1.25M", 15_750: "15.75K"}
    for _, handle, _, followers, er, price, real, *_ in PEOPLE:
        shown = suffix.get(followers, f"{followers / 1000:g}K")
        lines.append(
            f'@{handle},{shown},{er * 100:g}%,"${price:,.2f}",{real * 100:g}%'
            if price != int(price)
            else f'@{handle},{shown},{er * 100:g}%,"${price:,.0f}",{real * 100:g}%'
        )
    write_text("modash.csv", "\n".join(lines) + "\n")
    expected("modash.csv", clean(2, quality=True))


def upfluence_bom() -> None:
    """UTF-8 with a byte-order mark; a column per network (Instagram's only, so every row is
    on Instagram); a full name and a username."""
    lines = [
        "Name,Instagram username,Instagram followers,Instagram engagement rate,Price per post,Email"
    ]
    for full, handle, _, followers, er, price, *_ in PEOPLE:
        lines.append(f"{full},{handle},{followers},{er:.4f},{price:.2f},{handle}@mail.test")
    write_text("upfluence_bom.csv", "\n".join(lines) + "\n", "utf-8-sig")
    expected("upfluence_bom.csv", [row | {"platform": "instagram"} for row in clean()])


def per_network() -> None:
    """One person, several networks side by side: Instagram, TikTok and YouTube followers. Not
    guessed: read with the Instagram column mapped as the followers (every row on Instagram)."""
    lines = [
        "Username,Instagram followers,TikTok followers,YouTube subscribers,Engagement rate,"
        "Price per post"
    ]
    for _, handle, _, followers, er, price, *_ in PEOPLE:
        lines.append(
            f"{handle},{followers},{followers // 3},{followers // 10},{er * 100:.1f}%,{price:.2f}"
        )
    write_text("per_network.csv", "\n".join(lines) + "\n")
    expected("per_network.csv", [row | {"platform": "instagram"} for row in clean()])


def youtube_views() -> None:
    """A video platform's export: subscribers and average views beside the engagement rate.
    The views are shown, never counted as engagements unless mapped."""
    lines = ["Channel name,Subscribers,Avg views,Engagement rate,Price (USD)"]
    for _, handle, _, followers, er, price, *_ in PEOPLE:
        lines.append(f"{handle},{followers},{followers // 5},{er:.3f},{price:.2f}")
    write_text("youtube_views.csv", "\n".join(lines) + "\n")
    expected("youtube_views.csv", clean())


def heepsy() -> None:
    """Heepsy/Influencity-style: `Engagement`, averages, real followers %, estimated price."""
    lines = [
        "Username,Followers,Engagement,Avg. likes,Avg. comments,Real followers %,Category,"
        "Country,Estimated price"
    ]
    for _, handle, _, followers, er, price, real, likes, comments in PEOPLE:
        lines.append(
            f"{handle},{followers},{er * 100:.1f}%,{likes},{comments},{real * 100:g}%,Food,"
            f"Spain,USD {price:.2f}"
        )
    write_text("heepsy.csv", "\n".join(lines) + "\n")
    expected("heepsy.csv", clean(quality=True))


def sheets_template() -> None:
    """A Google Sheets template: a title, a note and a blank row above the header; Swiss
    apostrophes between thousands; francs before the number; a full name and a handle."""
    lines = [
        "Influencer tracker - summer launch,,,,,",
        '"Fill one row per creator, rates in CHF",,,,,',
        ",,,,,",
        "Influencer Name,Handle,Platform,Followers count,Avg. engagement rate,Fee",
    ]
    for full, handle, plat, followers, er, price, *_ in PEOPLE:
        apostrophe = f"{followers:,}".replace(",", "'")
        fee = f"{price:,.2f}".replace(",", "'")
        lines.append(f"{full},@{handle},{plat},{apostrophe},{er * 100:.1f}%,CHF {fee}")
    write_text("sheets_template.csv", "\n".join(lines) + "\n")
    expected("sheets_template.csv", clean(2, platform=True))


def foreign_headers() -> None:
    """Italian headers: `Nome` and `Prezzo` are not recognised, so they are mapped."""
    lines = ["Nome,Follower,ER,Prezzo"]
    for _, handle, _, followers, er, price, *_ in PEOPLE:
        lines.append(f"{handle},{followers},{er * 100:.1f}%,{price:.2f}")
    write_text("foreign_headers.csv", "\n".join(lines) + "\n")
    expected("foreign_headers.csv", clean())


def utf16() -> None:
    """Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated, pounds."""
    lines = ["Creator\tSubscribers\tEngagement rate\tFee"]
    for _, handle, _, followers, er, price, *_ in PEOPLE:
        lines.append(f"{handle}\t{followers}\t{er:.3f}\t£{price:,.2f}")
    write_text("utf16.txt", "\r\n".join(lines) + "\r\n", "utf-16")
    expected("utf16.txt", clean())


def ambiguous() -> None:
    """Every follower count written like 5.000: 5 or 5,000? Asked, then read as chosen."""
    people = [
        (f, h, p, round(n, -3), er, price, q, li, c)
        for f, h, p, n, er, price, q, li, c in PEOPLE
        if n < 1_000_000
    ]
    lines = ["name;followers;engagement_rate;cost_per_post"]
    for _, handle, _, followers, er, price, *_ in people:
        lines.append(f"{handle};{_eu(followers, 0)};{er:.3f};{price:.2f}")
    write_text("ambiguous.csv", "\n".join(lines) + "\n")
    expected("ambiguous.csv", clean(people=people))


def spaces() -> None:
    """French style: narrow no-break spaces between thousands, `6,1 %`, euros after."""
    lines = ["Creator;Followers;Engagement rate;Price"]
    for _, handle, _, followers, er, price, *_ in PEOPLE:
        number = f"{followers:,}".replace(",", "\u202f")
        amount = _eu(price, 2).replace(".", "\u202f")
        lines.append(f"{handle};{number};{_eu(er * 100, 1)}\u00a0%;{amount}\u00a0€")
    write_text("spaces.csv", "\n".join(lines) + "\n")
    expected("spaces.csv", clean())


def summary_rows() -> None:
    """An `Average` row and a row of sums without a name below the influencers."""
    lines = ["name,followers,engagement_rate,cost_per_post"]
    for _, handle, _, followers, er, price, *_ in PEOPLE:
        lines.append(f'{handle},{followers},{er:.3f},"{price:,.2f}"')
    total = sum(p[3] for p in PEOPLE)
    spend = sum(p[5] for p in PEOPLE)
    lines.append(f'Average,{total // len(PEOPLE)},0.039,"{spend / len(PEOPLE):,.2f}"')
    lines.append(f',{total},,"{spend:,.2f}"')
    write_text("summary_rows.csv", "\n".join(lines) + "\n")
    expected("summary_rows.csv", clean())


def _save(book: openpyxl.Workbook, name: str, cached: dict[str, object] | None = None) -> None:
    """Save a workbook; `cached`: cell -> the result a spreadsheet app saves with a formula
    (openpyxl writes formulas without their results)."""
    buffer = io.BytesIO()
    book.save(buffer)
    raw = buffer.getvalue()
    if cached:
        source = zipfile.ZipFile(io.BytesIO(raw))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename.startswith("xl/worksheets/sheet"):
                    text = data.decode()
                    for cell, value in cached.items():
                        text, count = re.subn(
                            rf'(<c r="{cell}"[^>]*>)<f>([^<]*)</f><v\s*/?>(</v>)?',
                            rf"\1<f>\2</f><v>{value}</v>",
                            text,
                        )
                        assert count == 1, cell
                    data = text.encode()
                target.writestr(item, data)
        raw = out.getvalue()
    (HERE / name).write_bytes(raw)


def titled_xlsx() -> None:
    """A title merged across the top, a blank row, the header on row 3, typed numbers (the
    rate as a percent-formatted fraction), a `Total` row of formulas at the bottom."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Shortlist"
    sheet["A1"] = "Campaign shortlist Q3"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells("A1:E1")
    sheet.append([])
    sheet.append(["Influencer", "Platform", "Followers", "ER", "Fee (EUR)"])
    for _, handle, plat, followers, er, price, *_ in PEOPLE:
        sheet.append([handle, plat, followers, er, price])
        sheet.cell(sheet.max_row, 4).number_format = "0.0%"
    last = sheet.max_row
    sheet.append(["Total", None, f"=SUM(C4:C{last})", None, f"=SUM(E4:E{last})"])
    total = sheet.max_row
    _save(
        book,
        "titled_shortlist.xlsx",
        {f"C{total}": sum(p[3] for p in PEOPLE), f"E{total}": sum(p[5] for p in PEOPLE)},
    )
    expected("titled_shortlist.xlsx", clean(platform=True))


def formulas_xlsx() -> None:
    """Prices and rates as formulas, saved with their results as a spreadsheet app does."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Roster"
    sheet.append(["Handle", "Followers", "Engagements per post", "Engagement rate", "Price"])
    cached: dict[str, object] = {}
    for row, (_, handle, _, followers, er, price, *_) in enumerate(PEOPLE, start=2):
        engagements = round(er * followers)
        sheet.append([handle, followers, engagements, f"=C{row}/B{row}", f"=ROUND({price}*1,2)"])
        cached[f"D{row}"] = repr(engagements / followers)
        cached[f"E{row}"] = repr(price)
    _save(book, "formulas.xlsx", cached)
    people = [
        (f, h, p, n, round(er * n) / n, price, q, li, c)
        for f, h, p, n, er, price, q, li, c in PEOPLE
    ]
    expected("formulas.xlsx", clean(people=people))


def sheets_merged_xlsx() -> None:
    """Two sheets: a read-me first, then the roster under a header split over two rows by
    merged cells (`Creator` over rows 1-2, `Audience` over two columns)."""
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Read me"
    notes["A1"] = "Shortlist for the spring campaign."
    notes["A2"] = "Prices agreed by email; see the Creators sheet."
    sheet = book.create_sheet("Creators")
    sheet["A1"], sheet["B1"], sheet["D1"] = "Creator", "Audience", "Price per post"
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:C1")
    sheet.merge_cells("D1:D2")
    sheet["B2"], sheet["C2"] = "Followers", "Engagement rate"
    for _, handle, _, followers, er, price, *_ in PEOPLE:
        sheet.append([handle, followers, f"{er * 100:.1f}%", f"${price:,.2f}"])
    _save(book, "sheets_merged.xlsx")
    expected("sheets_merged.xlsx", clean())


def main() -> None:
    for make in (
        european,
        hypeauditor,
        modash,
        upfluence_bom,
        per_network,
        youtube_views,
        heepsy,
        sheets_template,
        foreign_headers,
        utf16,
        ambiguous,
        spaces,
        summary_rows,
        titled_xlsx,
        formulas_xlsx,
        sheets_merged_xlsx,
    ):
        make()


if __name__ == "__main__":
    main()
