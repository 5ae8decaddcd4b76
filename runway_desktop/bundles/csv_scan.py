"""Streaming CSV inspection for preflight: one pass over the bytes, hashing as it parses.

Runs in a worker process (``preflight_file``): everything here reads the disk and most of it is
CPU work. Memory stays bounded whatever the file size — the bytes go through 256 KiB reads, the
csv module parses line by line, and only counters, the header and a few preview rows are kept.
Between reads the scan reports its progress and stops if its caller gave up.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from runway_desktop.base.workers import IN_PROCESS, JobControl
from runway_desktop.bundles.csv_blocks import BlockCounter

READ_SIZE = 256 * 1024
# A chunk the block counter refuses is offered again in pieces of about this size (_Scanner).
SLOW_PIECE = 16 * 1024
# After this many refusals in a row the counter rests for a while (doubling up to the most).
MISSES_BEFORE_REST = 4
MAX_REST = 32 * READ_SIZE
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
    # Rows with more cells than the header has names. (Shorter rows are not counted: exporters
    # often leave out trailing empty cells, and the bundles' reader fills them in as empty.)
    overlong_rows: int = 0
    first_overlong_row: int | None = None
    # "row N: …" when the csv module gave up (e.g. an unclosed quote swallowed the rest).
    parse_error: str | None = None
    # False when the scan stopped at its ``head_bytes`` (at a record's end): the counts are
    # of the file's start only, and ``md5`` is "".
    whole_file: bool = True


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


def scan_csv(
    path: Path,
    encoding: str,
    delimiter: str,
    job: JobControl = IN_PROCESS,
    *,
    digest: bool = True,
    head_bytes: int | None = None,
) -> CsvScan:
    """Parse the whole file once, hashing the bytes; raises WrongEncodingError or OSError, and
    JobCancelled when ``job`` is cancelled (checked after every read).

    ``digest=False`` leaves ``md5`` "" (an upload that hashes what it sends needs no second
    MD5). ``head_bytes``: stop at the first record's end past that many bytes, for a quick
    look at the file's start (``whole_file`` then says whether the end was reached anyway).
    """
    scan = CsvScan()
    with open(path, "rb", buffering=0) as raw:
        scanner = _Scanner(raw, encoding, delimiter, scan, job, digest=digest, head=head_bytes)
        try:
            scanner.run()
        except UnicodeDecodeError as exc:
            raise WrongEncodingError(str(exc)) from exc
        except csv.Error as exc:
            scan.parse_error = _parse_error_text(exc, scan)
        if scan.whole_file:
            scanner.drain()
        scan.md5 = scanner.md5.hexdigest() if scanner.md5 is not None and scan.whole_file else ""
        scan.bytes_read = scanner.bytes_read
    return scan


class _Lines:
    """The csv reader's input: the lines of the chunks the slow path decodes.

    Split exactly as a ``TextIOWrapper(newline="")`` would (at ``\n``, ``\r\n`` and a lone
    ``\r``), so the csv module sees the same lines as when it read the file directly. When the
    reader needs a line past the loaded chunk (a quoted field spanning chunks), the next chunk
    is decoded and loaded here, whatever it holds.
    """

    def __init__(self, refill: Callable[[], str | None]) -> None:
        self._refill = refill
        self._lines: list[str] = []
        self._next = 0

    @property
    def exhausted(self) -> bool:
        return self._next >= len(self._lines)

    def load(self, text: str) -> None:
        self._lines = io.StringIO(text, newline="").readlines()
        self._next = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        while self._next >= len(self._lines):
            text = self._refill()
            if text is None:
                raise StopIteration
            self.load(text)
        line = self._lines[self._next]
        self._next += 1
        return line


class _Scanner:
    """One pass over the bytes in line-aligned chunks.

    Every chunk is hashed and checked for the encoding. Once the header and preview are known,
    a chunk goes to :class:`~runway_desktop.bundles.csv_blocks.BlockCounter` first, which
    counts plain rows with C-level bytes operations (see there, with the figures). A chunk it
    cannot count is cut (at line ends) into pieces of ``SLOW_PIECE`` bytes, each offered to
    the counter in turn: only the pieces it refuses go through the csv module, row by row, so
    one odd row costs the csv module a few KiB, not the whole chunk. After
    ``MISSES_BEFORE_REST`` refusals in a row (a file of multi-line cells, say) the counter
    rests for one chunk's bytes, then two, … up to ``MAX_REST``: trying costs little then.
    """

    def __init__(
        self,
        raw: io.FileIO,
        encoding: str,
        delimiter: str,
        scan: CsvScan,
        job: JobControl,
        *,
        digest: bool = True,
        head: int | None = None,
    ) -> None:
        self._raw = raw
        self._delimiter = delimiter
        self._job = job
        self._total = os.fstat(raw.fileno()).st_size
        self._head = head
        self.scan = scan
        self.md5 = hashlib.md5(usedforsecurity=False) if digest else None
        self.bytes_read = 0
        # cp1252 leaves five byte values undefined; replace them rather than fail, since this
        # pass only counts rows and shows a preview.
        self._strict = encoding != "cp1252"
        self._decoder = codecs.getincrementaldecoder(encoding)(
            "strict" if self._strict else "replace"
        )
        self._tail = b""  # read, but past the last line end
        self._pieces: list[bytes] = []  # a refused chunk's pieces still to read, last first
        self._misses = 0  # the counter's refusals in a row
        self._rest = READ_SIZE  # how many bytes it rests after the next run of misses
        self._resting = 0  # bytes left to the csv module before the counter tries again
        self._eof = False
        self._lines = _Lines(self._next_text)
        fast = len(delimiter.encode("latin-1", "replace")) == 1 and delimiter not in '"\r\n'
        self._delim = delimiter.encode("latin-1") if fast else b""
        self._counter: BlockCounter | None = None

    # --- reading -------------------------------------------------------------------------

    def _read(self, size: int) -> bytes:
        self._job.raise_if_cancelled()
        block = self._raw.read(size)
        if block:
            if self.md5 is not None:
                self.md5.update(block)
            self.bytes_read += len(block)
            self._job.progress(self.bytes_read, self._total)
        return block or b""

    def _next_chunk(self, size: int) -> bytes | None:
        """The next run of whole lines (ends at a line end), or the rest of the file at EOF."""
        if self._pieces:  # a refused chunk's pieces come before what follows it
            return self._pieces.pop()
        pending: list[bytes | memoryview] = [self._tail] if self._tail else []
        while True:
            if self._eof:
                chunk = b"".join(pending)
                self._tail = b""
                return chunk or None
            block = self._read(size)
            if not block:
                self._eof = True
                continue
            cut = block.rfind(b"\n") + 1
            if not cut:
                # No \n in the block: a lone \r ends a line too, unless it is the block's
                # last byte (a \n may follow). Otherwise the line goes on: read more.
                cut = block.rfind(b"\r", 0, len(block) - 1) + 1
                if not cut:
                    pending.append(block)
                    continue
            self._tail = block[cut:]
            if not pending:
                return block if cut == len(block) else block[:cut]
            # One copy of the block's bytes, not two (join takes the view as it is).
            pending.append(memoryview(block)[:cut])
            return b"".join(pending)

    def _decode(self, chunk: bytes) -> str:
        final = self._eof and not self._tail and not self._pieces
        return self._decoder.decode(chunk, final=final)

    def _next_text(self) -> str | None:
        chunk = self._next_chunk(READ_SIZE)
        return None if chunk is None else self._decode(chunk)

    def drain(self) -> None:
        """Hash whatever the parser did not read (it stops early on a fatal parse error)."""
        while self._read(READ_SIZE):
            pass

    # --- parsing -------------------------------------------------------------------------

    def run(self) -> None:
        reader = csv.reader(self._lines, delimiter=self._delimiter, quotechar='"', doublequote=True)
        lines = self._lines
        size = SNIFF_BYTES  # a small first chunk: the header and preview need the csv module
        while True:
            if lines.exhausted:
                if self._head is not None and self._head <= self.bytes_read < self._total:
                    # At a record's end (every loaded line was parsed): the start is seen.
                    self.scan.whole_file = False
                    return
                chunk = self._next_chunk(size)
                size = READ_SIZE
                if chunk is None:
                    break
                slow = self._count_what_can_be(chunk)
                if slow is None:
                    continue
                lines.load(self._decode(slow))
            row = next(reader, None)
            if row is None:
                break
            self._consume_row(row)
        if self._strict:
            self._decoder.decode(b"", final=True)  # a multi-byte character cut off at the end

    def _count_what_can_be(self, chunk: bytes) -> bytes | None:
        """Count ``chunk``'s rows with the block counter if it can; else what the csv module
        must read now (the first piece of a refused chunk: the others are read next)."""
        counter = self._block_counter()
        if counter is None:
            return chunk
        if self._resting > 0:
            self._resting -= len(chunk)
            return chunk
        rows = counter.count(chunk)
        if rows is not None:
            self.scan.records += rows
            self.scan.row_count += rows
            self._misses, self._rest = 0, READ_SIZE
            return None
        self._misses += 1
        if self._misses >= MISSES_BEFORE_REST:
            self._misses, self._resting = 0, self._rest
            self._rest = min(2 * self._rest, MAX_REST)
        if len(chunk) <= SLOW_PIECE:
            return chunk
        first, *rest = _line_pieces(chunk, SLOW_PIECE)
        self._pieces.extend(reversed(rest))
        return first if not rest else self._count_what_can_be(first)

    def _block_counter(self) -> BlockCounter | None:
        """The counter, once the header and preview (which need the csv module) are known."""
        if self._counter is None:
            header = self.scan.header
            if header is None or len(self.scan.preview) < PREVIEW_ROWS or not self._delim:
                return None
            self._counter = BlockCounter(
                self._delim, len(header), csv.field_size_limit(), self._validate
            )
        return self._counter

    def _validate(self, chunk: bytes) -> None:
        if self._strict:
            self._decode(chunk)  # raises UnicodeDecodeError

    def _consume_row(self, row: list[str]) -> None:
        scan = self.scan
        scan.records += 1
        if scan.header is None:
            if row:
                scan.header = tuple(row)
            return
        if not row or not any(map(str.strip, row)):
            # [] is a blank line; ",,," rows are what spreadsheets leave after the data.
            if row:
                scan.empty_rows += 1
            return
        scan.row_count += 1
        if len(row) > len(scan.header):
            scan.overlong_rows += 1
            if scan.first_overlong_row is None:
                scan.first_overlong_row = scan.records
        if len(scan.preview) < PREVIEW_ROWS:
            scan.preview.append(tuple(cell[:PREVIEW_CELL_CHARS] for cell in row))


def _line_pieces(chunk: bytes, size: int) -> list[bytes]:
    """``chunk`` cut after line ends into pieces of about ``size`` bytes (a longer line whole)."""
    pieces: list[bytes] = []
    start = 0
    while len(chunk) - start > size:
        cut = chunk.rfind(b"\n", start, start + size) + 1
        if cut <= start:
            cut = chunk.find(b"\n", start + size) + 1
            if not cut:
                break
        pieces.append(chunk[start:cut])
        start = cut
    if start < len(chunk):
        pieces.append(chunk[start:])
    return pieces


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
