"""Uploads are bounded before they are parsed, and parsed in a child process with a time and
memory limit: a spreadsheet bomb is refused in milliseconds without growing the server."""

from __future__ import annotations

import io
import multiprocessing
import os
import sys
import time
import types
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import dashboard.upload as upload_module
import planner.roster as roster_module
from dashboard.upload import limits_text, read_upload
from planner import RosterError, read_roster, read_table
from planner.roster import MAX_COLUMNS, MAX_ROWS, check_upload

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
WORKBOOK = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Roster" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.openxmlformats'
    '.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="sharedStrings.xml" Type="http://schemas.openxmlformats'
    '.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'
)
SHEET_START = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
INLINE_ROW = "<row>" + '<c t="inlineStr"><is><t>influencer_name</t></is></c>' * 10 + "</row>"


def workbook(sheet_rows, *, dimension=None, shared_strings=None, sheet_end="") -> bytes:
    """An .xlsx written part by part: `sheet_rows` an iterable of XML chunks for <sheetData>,
    `shared_strings` one for <sst> (both streamed into the zip, never whole in memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/sharedStrings.xml", "w") as part:
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for chunk in shared_strings or ():
                part.write(chunk.encode())
            part.write(b"</sst>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(SHEET_START.encode())
            if dimension is not None:
                part.write(f'<dimension ref="{dimension}"/>'.encode())
            part.write(b"<sheetData>")
            for chunk in sheet_rows:
                part.write(chunk.encode())
            part.write(f"</sheetData>{sheet_end}</worksheet>".encode())
    return buffer.getvalue()


def repeated(text: str, times: int, per_chunk: int = 1_000):
    for done in range(0, times, per_chunk):
        yield text * min(per_chunk, times - done)


def rss() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def refused(raw: bytes, filename: str = "roster.xlsx", **kwargs) -> tuple[str, float, int]:
    """read_upload's refusal: (message, seconds, bytes the calling process's RSS grew by)."""
    before = rss()
    start = time.perf_counter()
    with pytest.raises(RosterError) as caught:
        read_upload(raw, filename, **kwargs)
    return str(caught.value), time.perf_counter() - start, rss() - before


def genuine(rows: int) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Followers", "Engagement Rate", "Price", "Platform", "Notes"])
    for i in range(rows):
        sheet.append(
            [f"creator_{i}", 5_000 + i, f"{1 + i % 7}.5%", 100.5 + i, "IG", None if i % 3 else "x"]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """One sheet, 200,001 rows of repeated inline strings, deflated: about 0.5 MB."""
    return workbook(repeated(INLINE_ROW, 200_001), dimension="A1:J200001")


@pytest.fixture(scope="module", autouse=True)
def warm_forkserver():
    """The forkserver as the app has it by the time of an upload: started (the first child
    starts it, ~0.5 s), with the planner loaded (`CurveJobs` preloads it)."""
    multiprocessing.get_context("forkserver").set_forkserver_preload(["planner.risk"])
    read_upload(b"name,followers,engagement_rate,cost_per_post\nanna,5000,2%,100\n", "w.csv")


def test_the_bomb_is_refused_in_milliseconds_without_memory(bomb):
    assert len(bomb) < 1_000_000
    message, seconds, grown = refused(bomb)
    assert "compressed" in message and "to 1" in message and "CSV" in message
    assert limits_text() in message  # 20 MB, 100,000 rows, 200 columns, 60 seconds
    assert seconds < 2
    assert grown < 50 * 2**20


@pytest.mark.parametrize("dimension", [None, "A1:B2"])
def test_a_bomb_without_or_with_a_lying_dimension_is_refused(dimension):
    raw = workbook(repeated(INLINE_ROW, 200_001), dimension=dimension)
    message, seconds, grown = refused(raw)
    assert "compressed" in message
    assert seconds < 2
    assert grown < 50 * 2**20


def test_a_shared_strings_bomb_is_refused():
    raw = workbook(
        ['<row r="1"><c r="A1" t="s"><v>0</v></c></row>'],
        dimension="A1",
        shared_strings=repeated("<si><t>influencer_name</t></si>", 2_000_000),
    )
    message, seconds, grown = refused(raw)
    assert "'xl/sharedStrings.xml'" in message and "compressed" in message
    assert seconds < 2
    assert grown < 50 * 2**20


def numbered_rows(count: int):
    """Rows of one number each, with their references: a part that compresses like a real
    sheet (under 20 to 1) and parses fast."""
    for start in range(1, count + 1, 5_000):
        yield "".join(
            f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'
            for r in range(start, min(start + 5_000, count + 1))
        )


@pytest.fixture(scope="module")
def too_long() -> bytes:
    # The header row and 100,001 below it, under a lying dimension.
    raw = workbook(numbered_rows(MAX_ROWS + 2), dimension="A1:A2")
    part = zipfile.ZipFile(io.BytesIO(raw)).getinfo("xl/worksheets/sheet1.xml")
    assert part.file_size < 20 * part.compress_size  # passes the ratio check
    return raw


def test_too_many_rows_declared_is_refused_before_parsing():
    raw = workbook(numbered_rows(20), dimension=f"A1:A{MAX_ROWS + 2}")
    message, seconds, grown = refused(raw)
    assert f"{MAX_ROWS + 1:,} rows below its header row" in message
    assert f"at most {MAX_ROWS:,}" in message and "Split it" in message
    assert seconds < 0.5


def test_too_many_rows_misdeclared_stop_at_the_cap(too_long):
    message, seconds, grown = refused(too_long)
    assert f"more than {MAX_ROWS:,} rows below its header row" in message
    assert limits_text() in message  # from the child, the time limit added
    assert grown < 50 * 2**20
    assert seconds < 10


@pytest.mark.parametrize("dimension", [None, "A1:B2"])
def test_rows_are_capped_as_they_are_read(monkeypatch, dimension):
    monkeypatch.setattr(roster_module, "MAX_ROWS", 50)  # in this process: read_table, not a child
    raw = workbook(numbered_rows(52), dimension=dimension)
    with pytest.raises(RosterError, match="more than 50 rows below its header row"):
        read_table(raw, filename="r.xlsx")
    at_the_cap = workbook(numbered_rows(51), dimension=dimension)
    assert len(read_table(at_the_cap, filename="r.xlsx")) == 50
    # Empty rows past the cap are dropped, as empty rows at the end always were.
    trailing = [*numbered_rows(51), '<row r="60"/><row r="900"><c r="A900" s="1"/></row>']
    assert len(read_table(workbook(trailing, dimension=dimension), filename="r.xlsx")) == 50


def test_too_many_columns():
    raw = workbook(['<row r="1"><c r="A1"><v>1</v></c></row>'], dimension="A1:HZ1")
    message, seconds, _ = refused(raw)
    assert f"The file has 234 columns, more than the {MAX_COLUMNS}" in message
    assert seconds < 0.5
    # Undeclared: stops at the first row with a value past the limit.
    wide = workbook(['<row r="1"><c r="A1"><v>1</v></c><c r="HZ1"><v>2</v></c></row>'])
    with pytest.raises(RosterError, match=f"has 234 columns, more than the {MAX_COLUMNS} a"):
        read_table(wide, filename="r.xlsx")
    # Empty cells far to the right (formatting) are dropped as before.
    styled = workbook(['<row r="1"><c r="A1"><v>1</v></c><c r="HZ1" s="1"/></row>'])
    assert read_table(styled, filename="r.xlsx").shape == (0, 1)


def test_a_wide_csv_is_refused():
    header = ",".join(f"c{i}" for i in range(MAX_COLUMNS + 1))
    message, _, _ = refused(f"{header}\n{header}\n".encode(), "r.csv")
    assert f"The file has {MAX_COLUMNS + 1} columns" in message
    narrow = ",".join(f"c{i}" for i in range(MAX_COLUMNS))
    assert read_table(f"{narrow}\n{narrow}\n".encode(), filename="r.csv").shape == (1, 200)


def test_a_zip_of_many_parts_is_refused_from_its_directory():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(roster_module.MAX_XLSX_PARTS + 1):
            archive.writestr(f"p{i}", b"")
    message, seconds, _ = refused(buffer.getvalue())
    assert "is a zip of 1,001 parts" in message
    assert seconds < 0.5


def test_the_zip_directory_is_found_where_zipfile_finds_it():
    def both(raw: bytes):
        record = zipfile._EndRecData(io.BytesIO(raw))  # what ZipFile reads
        return roster_module._zip_directory(raw), record and (record[4], record[5])

    for comment in (b"", b"a comment", b"PK\x05\x06 in a comment" * 10):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.comment = comment
            for i in range(3):
                archive.writestr(f"part{i}.xml", b"x" * 100)
        ours, zipfile_s = both(buffer.getvalue())
        assert ours == zipfile_s
    raw = genuine(5)
    assert both(raw)[0][0] == len(zipfile.ZipFile(io.BytesIO(raw)).infolist())
    assert both(b"not a zip at all, just text") == (None, None)


def test_unzipped_size_limits(monkeypatch):
    raw = genuine(2_000)
    check_upload(raw, "r.xlsx")
    sheet = zipfile.ZipFile(io.BytesIO(raw)).getinfo("xl/worksheets/sheet1.xml").file_size
    monkeypatch.setattr(roster_module, "MAX_XLSX_PART", sheet - 1)
    with pytest.raises(RosterError, match="'xl/worksheets/sheet1.xml' of this .xlsx file unzips"):
        check_upload(raw, "r.xlsx")
    monkeypatch.setattr(roster_module, "MAX_XLSX_PART", sheet)
    monkeypatch.setattr(roster_module, "MAX_XLSX_UNZIPPED", sheet)
    with pytest.raises(RosterError, match="unzips to .* MB in all"):
        check_upload(raw, "r.xlsx")


def test_a_normal_workbook_reads_exactly_as_before():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Followers", "ER", "Price", "Name", None, "Joined", "Active", "Note"])
    sheet.append(["anna", 12500, "3.5%", 1200.0, "dup", None, pd.Timestamp("2024-01-02"), True])
    sheet.append([])
    sheet.append(["ben", "12.5K", 0.035, "$1,200", None, None, None, False, "n/a"])
    sheet.append(["cara", 1.5, None, 7, "x", "y", None, None, "NA"])
    sheet["C5"] = "=1/0"
    sheet["K7"] = "far"
    buffer = io.BytesIO()
    book.save(buffer)
    raw = buffer.getvalue()
    expected = pd.read_excel(io.BytesIO(raw), dtype=object, engine="openpyxl")
    pd.testing.assert_frame_equal(read_table(raw, filename="r.xlsx"), expected)
    pd.testing.assert_frame_equal(read_upload(raw, "r.xlsx"), expected)
    raw = genuine(300)
    expected = pd.read_excel(io.BytesIO(raw), dtype=object, engine="openpyxl")
    assert expected.shape == (300, 6)
    pd.testing.assert_frame_equal(read_upload(raw, "r.xlsx"), expected)
    roster = read_roster(raw, filename="r.xlsx")
    assert roster.table.loc[0, "engagement_rate"] == pytest.approx(0.015)


def test_a_csv_reads_as_before_and_roster_problems_come_back():
    text = b"name,followers,engagement_rate,cost_per_post\nanna,5000,2%,100\nben,x,2%,100\n"
    pd.testing.assert_frame_equal(read_upload(text, "r.csv"), read_table(text, filename="r.csv"))
    with pytest.raises(RosterError, match="not a CSV"):
        read_upload(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv")
    with pytest.raises(RosterError, match="limited to") as caught:
        read_upload(b"x" * (roster_module.MAX_BYTES + 1), "r.csv")
    assert caught.value.problems[0].message.startswith("The file is 20.0 MB")


def test_a_reader_over_its_time_is_killed_and_reported():
    message, seconds, _ = refused(genuine(2_000), timeout=0.01)
    assert "took longer than 0.01 seconds, so it was stopped" in message
    assert "CSV" in message and "within 0.01 seconds" in message
    assert seconds < 2


def test_a_reader_over_its_memory_is_reported_as_too_large():
    message, _, _ = refused(genuine(2_000), memory=2 * 2**20)
    assert "too large to read" in message and "2 MB of memory" in message
    assert limits_text(60) in message


def _die(connection, *args) -> None:  # a child that ends without an answer
    os._exit(3)


def test_a_reader_that_dies_is_reported(monkeypatch):
    monkeypatch.setattr(upload_module, "_child", _die)
    message, seconds, _ = refused(genuine(5))
    assert "could not be read (the reader stopped unexpectedly, exit code 3)" in message
    assert seconds < 2


def test_a_reader_started_while_another_session_runs_the_page_reads_the_file(monkeypatch):
    """Streamlit puts each run's page module in `sys.modules["__main__"]` (a file, no spec), for
    every session in one process. A child started then runs that file as "__mp_main__" on
    start: the page's guard keeps it from drawing (before: the child ran the page, failed on the
    missing session state and died with exit code 1, so an upload made while another session's
    page ran said "the reader stopped unexpectedly")."""
    page = types.ModuleType("__main__")
    page.__file__ = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
    monkeypatch.setitem(sys.modules, "__main__", page)
    table = read_upload(genuine(3), "roster.xlsx")
    assert list(table["Name"]) == ["creator_0", "creator_1", "creator_2"]
