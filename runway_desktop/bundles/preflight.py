"""Is this file right, before it is sent? Checks a chosen file against its bundle slot.

The server never looks inside a file (BUNDLES.md §2: not even its extension), so a spreadsheet
saved as .xlsx, an empty export or a PDF would be accepted, uploaded and only fail during the
run, an hour later. Preflight catches those at drop time and says what to do instead.
"""

from __future__ import annotations

import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from runway_desktop.base.workers import IN_PROCESS, JobControl, ProgressCallback, run_in_worker
from runway_desktop.bundles.content_check import ContentFinding, try_check_content
from runway_desktop.bundles.csv_scan import (
    DELIMITER_LABELS,
    ENCODING_LABELS,
    SNIFF_BYTES,
    CsvScan,
    WrongEncodingError,
    guess_delimiter,
    has_student_id_column,
    initial_encoding,
    scan_csv,
)
from runway_desktop.bundles.identify import HEADER_BYTES
from runway_desktop.bundles.model import InputFile

# What a quick look reads (``head_bytes``): the start the content check samples too.
QUICK_LOOK_BYTES = HEADER_BYTES
# One PUT to S3 carries at most 5 GB (CONTRACT §4.3).
MAX_UPLOAD_BYTES = 5 * 1024**3
_SAVE_AS_CSV = "Open it in Excel and use File › Save As › CSV, then choose the new file."
_UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9 ._\-()]")
_MAX_UPLOAD_NAME = 200
CHANGED_WHILE_CHECKED = (
    "This file changed while it was being checked (is it still downloading or being "
    "saved?). Wait until it is finished, then choose it again."
)


@dataclass(frozen=True)
class PreflightReport:
    """What preflight found. ``errors`` block sending; ``warnings`` are worth a look.

    ``md5`` is "" when the file could not be read to the end, or was not hashed. ``size``,
    ``mtime_ns`` and ``md5`` let the uploader notice a file that changed after it was checked.
    ``whole_file`` is False for a quick look at the file's start: what the rest holds (its
    rows, a broken quote far down) is not known yet, and ``row_count`` is of the start only.
    """

    path: Path
    size: int
    mtime_ns: int
    md5: str
    encoding: str | None  # Python codec name: "utf-8", "utf-8-sig" or "cp1252"
    delimiter: str | None
    header: tuple[str, ...]
    row_count: int
    preview: tuple[tuple[str, ...], ...]
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    upload_name: str
    # Whether the columns fit the slot's bundle (its message is in errors or warnings too);
    # None when the content was not judged (the file is unreadable, or the slot not indexed).
    content: ContentFinding | None = None
    whole_file: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.encoding or "", self.encoding or "unknown")

    @property
    def delimiter_label(self) -> str:
        return DELIMITER_LABELS.get(self.delimiter or "", repr(self.delimiter))


async def preflight_file(
    path: Path,
    input_file: InputFile,
    progress: ProgressCallback | None = None,
    *,
    digest: bool = True,
    head_bytes: int | None = None,
) -> PreflightReport:
    """``inspect_file`` in a worker process, so the window keeps its interpreter to itself.

    ``progress`` gets the fraction of the file's bytes scanned so far, about every 100 ms, on
    the caller's event loop (it starts again from 0 if the file turns out to be Windows-1252
    and is read a second time). Cancelling the await stops the scan within one read.
    """
    return await run_in_worker(
        _inspect_in_worker, path, input_file, digest, head_bytes, progress=progress
    )


def _inspect_in_worker(
    job: JobControl, path: Path, input_file: InputFile, digest: bool, head_bytes: int | None
) -> PreflightReport:
    return inspect_file(path, input_file, job, digest=digest, head_bytes=head_bytes)


def inspect_file(
    path: Path,
    input_file: InputFile,
    job: JobControl = IN_PROCESS,
    *,
    digest: bool = True,
    head_bytes: int | None = None,
) -> PreflightReport:
    """Check ``path`` for the slot ``input_file``. Blocks for as long as it takes to read the
    whole file; ``job`` receives the scan's progress and can cancel it (JobCancelled).

    ``digest=False``: no MD5 (``md5`` ""). ``head_bytes``: only the file's type, header and
    start are checked (see :class:`PreflightReport`'s ``whole_file``).
    """
    report = _Builder(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            return report.fail("This shortcut points to a file that no longer exists.")
        return report.fail("This file no longer exists. Choose it again.")
    except OSError as exc:
        return report.fail(f"This file could not be opened ({_os_reason(exc)}).")
    if stat.S_ISDIR(info.st_mode):
        return report.fail("This is a folder, not a file. Open the folder and choose the file.")
    if not stat.S_ISREG(info.st_mode):
        return report.fail("This is not an ordinary file. Choose the file the vendor sent you.")
    report.size, report.mtime_ns = info.st_size, info.st_mtime_ns
    if info.st_size == 0:
        return report.fail(
            "This file is empty (0 bytes). Export the results from the vendor again."
        )
    if info.st_size > MAX_UPLOAD_BYTES:
        return report.fail(
            f"This file is {info.st_size / 1024**3:.1f} GB; Runway accepts at most 5 GB per file. "
            "Ask the vendor for a smaller export, for example one per school."
        )
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        return report.fail(f"This file could not be read ({_os_reason(exc)}).")

    format_error = format_problem(head, path.suffix)
    if format_error:
        return report.fail(format_error)
    if not input_file.accepts_extension(path.suffix):
        ending = f"ends in {path.suffix}" if path.suffix else "has no extension"
        report.errors.append(
            f"“{input_file.display_name}” needs {input_file.accepted_types_text}, "
            f"but this file {ending}. Choose the file exported as "
            f"{'/'.join('.' + t for t in input_file.file_type)}."
        )

    encoding = initial_encoding(head)
    delimiter = guess_delimiter(head, encoding)
    try:
        try:
            scan = scan_csv(path, encoding, delimiter, job, digest=digest, head_bytes=head_bytes)
        except WrongEncodingError:
            # Not UTF-8 after all: Excel's plain "CSV" on Windows writes Windows-1252.
            encoding = "cp1252"
            delimiter = guess_delimiter(head, encoding)
            scan = scan_csv(path, encoding, delimiter, job, digest=digest, head_bytes=head_bytes)
    except OSError as exc:
        report.errors.append(f"This file could not be read to the end ({_os_reason(exc)}).")
        return report.build()

    report.encoding, report.delimiter = encoding, delimiter
    report.apply_scan(scan)
    _check_content(report, scan, encoding, delimiter, path)
    if input_file.bundle_path and scan.header is not None and not report.errors:
        _check_columns_fit(report, path, input_file)
    _check_unchanged(report, path, scan)
    return report.build()


def _check_columns_fit(report: _Builder, path: Path, input_file: InputFile) -> None:
    """The columns against what the slot's bundle reads (content_check has the rule)."""
    finding, failure = try_check_content(path, input_file.bundle_path, input_file.env_var)
    report.content = finding
    if failure:
        report.warnings.append(failure)
    elif finding is not None and finding.blocks:
        report.errors.append(finding.message)
    elif finding is not None and finding.message:
        report.warnings.append(finding.message)


def file_changed_since(report: PreflightReport) -> bool:
    """Quick check (one stat) whether the file differs in size or time from when it was checked."""
    try:
        info = report.path.stat()
    except OSError:
        return True
    return info.st_size != report.size or info.st_mtime_ns != report.mtime_ns


def upload_name(path: Path) -> str:
    """A file name safe to send to Runway (CONTRACT §4.3).

    The executor cuts names at ``?`` or ``;`` and ``/`` adds key segments, so keep ASCII letters,
    digits, space and ``._-()``, replace the rest with ``_``, keep the extension, never return "".
    """
    # Turn "Résultats" into "Resultats" rather than "R_sultats".
    decomposed = unicodedata.normalize("NFKD", path.name)
    ascii_name = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = _UNSAFE_NAME_CHARS.sub("_", ascii_name)
    stem, dot, extension = cleaned.rpartition(".")
    if not dot:
        stem, extension = cleaned, ""
    # Leading/trailing dots and spaces make hidden or odd names on some systems.
    stem, extension = stem.strip(" ."), extension.strip(" ")
    if not stem.strip("_"):
        stem = "file"
    suffix = f".{extension}" if extension else ""
    return stem[: _MAX_UPLOAD_NAME - len(suffix)] + suffix


class _Builder:
    """Collects findings while the checks run; ``build`` freezes them into a report."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = 0
        self.mtime_ns = 0
        self.md5 = ""
        self.encoding: str | None = None
        self.delimiter: str | None = None
        self.header: tuple[str, ...] = ()
        self.row_count = 0
        self.preview: tuple[tuple[str, ...], ...] = ()
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.content: ContentFinding | None = None
        self.whole_file = True

    def fail(self, error: str) -> PreflightReport:
        self.errors.append(error)
        return self.build()

    def apply_scan(self, scan: CsvScan) -> None:
        self.md5 = scan.md5
        self.whole_file = scan.whole_file
        self.header = scan.header or ()
        self.row_count = scan.row_count
        self.preview = tuple(scan.preview)

    def build(self) -> PreflightReport:
        return PreflightReport(
            path=self.path,
            size=self.size,
            mtime_ns=self.mtime_ns,
            md5=self.md5,
            encoding=self.encoding,
            delimiter=self.delimiter,
            header=self.header,
            row_count=self.row_count,
            preview=self.preview,
            errors=tuple(self.errors),
            warnings=tuple(self.warnings),
            upload_name=upload_name(self.path),
            content=self.content,
            whole_file=self.whole_file,
        )


def format_problem(head: bytes, suffix: str) -> str | None:
    """Refuse files that are plainly not CSV text, judged by their first bytes."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        if suffix.lower() == ".zip":
            return "This is a zip archive. Unzip it first, then choose the CSV file inside."
        return f"This is an Excel workbook (.xlsx), not a CSV file. {_SAVE_AS_CSV}"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return f"This is an older Excel workbook (.xls), not a CSV file. {_SAVE_AS_CSV}"
    if head.startswith(b"%PDF"):
        return (
            "This is a PDF document, not a data file. Download the CSV export of these results "
            "from the vendor's site instead."
        )
    if head.startswith(b"\x1f\x8b"):
        return "This file is compressed (gzip). Unpack it first, then choose the CSV file inside."
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return (
            "This file is saved as “Unicode Text” (UTF-16), which Runway cannot read. "
            "Open it in Excel and use File › Save As › CSV UTF-8."
        )
    start = head.lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table")):
        return f"This is a web page saved under a data-file name, not a CSV file. {_SAVE_AS_CSV}"
    if b"\x00" in head:
        return f"This is not a text file (it contains binary data). {_SAVE_AS_CSV}"
    return None


def _check_content(
    report: _Builder, scan: CsvScan, encoding: str, delimiter: str, path: Path
) -> None:
    if scan.parse_error:
        report.errors.append(scan.parse_error)
    if scan.header is None:
        report.errors.append(
            "This file has no column names and no data rows. Export the results again."
        )
        return
    if scan.row_count == 0 and not scan.parse_error and scan.whole_file:
        report.errors.append(
            "This file has no data rows, only column names. Check that the export included "
            "the students' results."
        )
    blank_columns = [str(i + 1) for i, name in enumerate(scan.header) if not name.strip()]
    if blank_columns:
        which = ", ".join(blank_columns[:5]) + ("…" if len(blank_columns) > 5 else "")
        report.warnings.append(
            f"{_count(len(blank_columns), 'column')} in the first row {_has(blank_columns)} "
            f"no name (column {which}). Vendor files often have these; they are usually ignored."
        )
    duplicates = sorted({n for n in scan.header if n.strip() and scan.header.count(n) > 1})
    if duplicates:
        report.warnings.append(
            f"Some column names appear more than once: {', '.join(duplicates[:5])}."
        )
    if len(scan.header) == 1:
        report.warnings.append(
            "Only one column was found. If the file should have several, it may use a "
            "separator Runway does not expect."
        )
    if scan.overlong_rows:
        report.warnings.append(
            f"{_count(scan.overlong_rows, 'row')} {_has_n(scan.overlong_rows)} more values than "
            f"there are column names (first at row {scan.first_overlong_row}); Runway may not "
            "be able to read the file. Check for a stray separator in that row."
        )
    if scan.empty_rows:
        report.warnings.append(f"{_count(scan.empty_rows, 'row')} with no values will be ignored.")
    if scan.header and not has_student_id_column(scan.header):
        report.warnings.append(
            "No column looks like a student ID. Check that this is the right file for "
            "this assessment."
        )
    if encoding == "cp1252":
        report.warnings.append(
            "This file is saved as Windows-1252 text, not UTF-8. Accented letters (é, ñ) may come "
            "out wrong in Runway; if they do, save it from Excel as “CSV UTF-8”."
        )
    if delimiter != "," and path.suffix.lower() == ".csv":
        report.warnings.append(
            f"Values in this file are separated by {DELIMITER_LABELS.get(delimiter, delimiter)}s, "
            f"not commas; the assessment may expect commas. {_SAVE_AS_CSV}"
        )


def _check_unchanged(report: _Builder, path: Path, scan: CsvScan) -> None:
    """A file still being written (a download in progress) must not be checked and then sent."""
    try:
        after = path.stat()
    except OSError:
        after = None
    if (
        after is None
        or (scan.whole_file and scan.bytes_read != report.size)
        or after.st_size != report.size
        or after.st_mtime_ns != report.mtime_ns
    ):
        report.errors.append(CHANGED_WHILE_CHECKED)


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "you do not have permission to read it"
    return exc.strerror or type(exc).__name__


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _has(items: list[str]) -> str:
    return _has_n(len(items))


def _has_n(n: int) -> str:
    return "has" if n == 1 else "have"
