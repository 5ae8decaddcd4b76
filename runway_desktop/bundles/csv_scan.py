"""Streaming CSV inspection for preflight: one pass over the bytes, hashing as it parses.

Run in a thread: everything here reads the disk. Memory stays bounded whatever the file size —
the bytes go through 1 MiB reads, the csv module parses line by line, and only counters, the
header and a few preview rows are kept.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

READ_SIZE = 1024 * 1024
SNIFF_BYTES = 64 * 1024
SNIFF_LINES = 20
PREVIEW_ROWS = 5
# Preview cells are for a table in the UI; a 100 KB cell would only get in the way.
PREVIEW_CELL_CHARS = 500
DELIMITER_CANDIDATES = ",\t;|"

ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "cp1252": "Windows-1252"}
DELIMITER_LABELS = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}

# Normalised (lower case, letters and digits only) fragments of student-ID column names seen in
# vendor files: StudentID, Local ID, FAST ID, StudentIdentifier, CB_ID, SECONDARY_ID, …
_STUDENT_ID_HINTS = (
    "studentid",
    "studentidentifier",
    "studentnumber",
    "studentno",
    "stateid",
    "localid",
    "fastid",
    "secondaryid",
    "sisid",
    "cbid",
    "lasid",
    "sasid",
    "ssid",
    "pupilid",
)
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


class WrongEncodingError(Exception):
    """The bytes are not valid in the encoding tried; the caller retries with another."""


@dataclass
class CsvScan:
    """What one streaming pass found."""

    md5: str = ""
    bytes_read: int = 0
    # Records the csv module produced, blank lines included (the header is record 1).
    records: int = 0
    header: tuple[str, ...] | None = None
    row_count: int = 0
    preview: list[tuple[str, ...]] = field(default_factory=list)
    empty_rows: int = 0
    mismatched_rows: int = 0
    first_mismatched_row: int | None = None
    # "row N: …" when the csv module gave up (e.g. an unclosed quote swallowed the rest).
    parse_error: str | None = None


class _HashingReader(io.RawIOBase):
    """Raw reader that feeds every byte it hands out to an MD5 (so hashing needs no extra pass)."""

    def __init__(self, raw: io.BufferedReader | io.FileIO) -> None:
        super().__init__()
        self._raw = raw
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        count = self._raw.readinto(view)
        if count:
            self.md5.update(view[:count])
            self.bytes_read += count
        return count or 0

    def drain(self) -> None:
        """Hash whatever the parser did not read (it stops early on a fatal parse error)."""
        while chunk := self._raw.read(READ_SIZE):
            self.md5.update(chunk)
            self.bytes_read += len(chunk)


def initial_encoding(head: bytes) -> str:
    return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"


def guess_delimiter(head: bytes, encoding: str) -> str:
    """Sniff the delimiter from the start of the file; falls back to the most columns."""
    text = head.decode(encoding, errors="replace")
    lines = text.splitlines(keepends=True)
    # Drop a last line cut off by the sample's end, unless it is the only one.
    if len(lines) > 1 and not lines[-1].endswith(("\n", "\r")):
        lines = lines[:-1]
    sample = "".join(lines[:SNIFF_LINES])
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITER_CANDIDATES).delimiter
    except csv.Error:
        sniffed = None
    if sniffed is not None and _header_width(sample, sniffed) > 1:
        return sniffed
    # max() keeps the first of equal candidates, so a tie goes to the comma.
    return max(DELIMITER_CANDIDATES, key=lambda d: _header_width(sample, d))


def _header_width(sample: str, delimiter: str) -> int:
    try:
        # newline="" splits at \r, \n and \r\n alike and leaves them for the csv module.
        for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
            if row:
                return len(row)
    except csv.Error:
        pass
    return 0


def scan_csv(path: Path, encoding: str, delimiter: str) -> CsvScan:
    """Parse the whole file once, hashing the bytes; raises WrongEncodingError or OSError."""
    # cp1252 leaves five byte values undefined; replace them rather than fail, since this pass
    # only counts rows and shows a preview.
    errors = "replace" if encoding == "cp1252" else "strict"
    scan = CsvScan()
    with open(path, "rb", buffering=0) as raw:
        hashing = _HashingReader(raw)
        buffered = io.BufferedReader(hashing, buffer_size=READ_SIZE)
        # newline="" hands the csv module raw line endings, so quoted newlines stay in fields.
        text = io.TextIOWrapper(buffered, encoding=encoding, errors=errors, newline="")
        reader = csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True)
        try:
            _consume_rows(reader, scan)
        except UnicodeDecodeError as exc:
            raise WrongEncodingError(str(exc)) from exc
        except csv.Error as exc:
            scan.parse_error = _parse_error_text(exc, scan)
        hashing.drain()
        scan.md5 = hashing.md5.hexdigest()
        scan.bytes_read = hashing.bytes_read
        text.detach()
    return scan


def _consume_rows(reader: Iterator[list[str]], scan: CsvScan) -> None:
    for row in reader:
        scan.records += 1
        if scan.header is None:
            if row:
                scan.header = tuple(row)
            continue
        if not row or not any(cell.strip() for cell in row):
            # [] is a blank line; ",,," rows are what spreadsheets leave after the data.
            if row:
                scan.empty_rows += 1
            continue
        scan.row_count += 1
        if len(row) != len(scan.header):
            scan.mismatched_rows += 1
            if scan.first_mismatched_row is None:
                scan.first_mismatched_row = scan.records
        if len(scan.preview) < PREVIEW_ROWS:
            scan.preview.append(tuple(cell[:PREVIEW_CELL_CHARS] for cell in row))


def _parse_error_text(exc: csv.Error, scan: CsvScan) -> str:
    row = scan.records + 1  # the record after the last good one; the header is row 1
    if "field larger than field limit" in str(exc):
        return (
            f'Around row {row}, a quote mark (") is never closed, so the rest of the file '
            "reads as one giant cell. Open the file in Excel, check that row, and save it "
            "again as CSV."
        )
    return f"Around row {row}, the file could not be read as CSV ({exc})."


def has_student_id_column(header: tuple[str, ...]) -> bool:
    for name in header:
        normalised = _NOT_ALNUM.sub("", name.lower())
        if normalised == "id" or any(hint in normalised for hint in _STUDENT_ID_HINTS):
            return True
    return False
