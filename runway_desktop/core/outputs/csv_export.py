"""A downloaded output set as CSV files a clerk opens in Excel: one CSV per JSONL file.

Runway's results are JSONL (one JSON object per line, nested). The rules, each held by
tests/core/outputs/test_csv_export.py:

* One row per JSON line; blank lines are skipped. A line that is not an object (a bare number,
  a list) lands in a column named ``value``.
* Nested objects become dotted column names: ``studentReference.studentUniqueId``.
* A list of plain values is one cell, its items joined by ``"; "``: ``gradeLevels`` =
  ``"9; 10"``. A list holding objects (or lists) is numbered from 1, one column per leaf:
  ``scoreResults.1.result``, ``scoreResults.2.result`` (a plain value among them:
  ``scoreResults.3``). So a row reads across, and a set's columns stay few: Ed-Fi lists are
  short (a handful of score results or performance levels per student).
* An empty list or object gives no cell (nothing to show); null is an empty cell; true/false
  are written ``true``/``false``; numbers exactly as the JSON wrote them (no float rounding).
* Columns come in first-seen order across the whole file. CSV puts the header first, so the
  file is read twice: a first pass collects only column names, the second writes rows. Memory
  follows the number of columns, never the number of lines (files can be large).
* Every cell (header names too: they are server text as well) is made safe: control
  characters and escape sequences removed (base.text.plain_text), tab and line breaks turned
  into a space (one line per row, for every CSV reader); a text whose first non-blank
  character is ``= + - @`` (or their full-width forms) is prefixed with ``'`` so Excel shows it
  instead of running it as a formula. Text that is only a number (``"-5"``) is left alone: it
  cannot be a formula, and a clerk wants to sort it.
* UTF-8 with a byte-order mark (Excel reads BOM-less CSV in the PC's legacy code page and
  garbles accents), CRLF line ends (RFC 4180), and written atomically: a temporary name in
  the target folder, fsynced, then renamed, so a crash never leaves half a CSV.
* Only from verified downloads: the files the downloader checked (MD5 or size) and recorded as
  a complete download (see downloader.py). A file not in that record is not converted.

No .xlsx: a CSV with a BOM opens in Excel, LibreOffice and Numbers as it is, and a writer would
be a dependency to vet and ship for what a double-click already does.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from runway_desktop.api.errors import LocalFileError, RunwayError, error_from_os_error
from runway_desktop.base.text import plain_text
from runway_desktop.core.outputs.downloader import STATE_COMPLETE
from runway_desktop.history.store import HistoryStore

LIST_SEPARATOR = "; "
CSV_SUFFIX = ".csv"
JSONL_SUFFIX = ".jsonl"
# Excel opens no more than this many rows (the header included) or columns of a sheet.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
# A cell Excel would read as a formula starts with one of these (after blanks).
_FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_BLANKS = re.compile(r"[\t\r\n]+")
# Kinds of check the downloader records (api.download.Verification): both mean "complete".
_VERIFIED = frozenset({"md5", "size"})


class CsvExportError(LocalFileError):
    """The set's CSV could not be made: not downloaded, not verified, a file unreadable."""


class _Number(str):
    """A JSON number kept as its own text: exact digits, and never mistaken for a formula."""

    __slots__ = ()


# One decoder for every line: json.loads with hooks would build a new one per line.
_DECODER = json.JSONDecoder(parse_int=_Number, parse_float=_Number, parse_constant=_Number)


@dataclass(frozen=True)
class VerifiedSet:
    """A complete, verified download: its folder and the local names of its JSONL files."""

    folder: Path
    files: tuple[str, ...]
    all_files: frozenset[str] = frozenset()  # every file of the set (not to be overwritten)


@dataclass(frozen=True)
class CsvFile:
    source: Path
    path: Path
    rows: int  # data rows, the header not counted
    columns: int

    @property
    def fits_excel(self) -> bool:
        return self.rows + 1 <= EXCEL_MAX_ROWS


@dataclass(frozen=True)
class CsvExport:
    folder: Path  # where the CSVs are
    files: tuple[CsvFile, ...]

    @property
    def too_long_for_excel(self) -> tuple[CsvFile, ...]:
        return tuple(f for f in self.files if not f.fits_excel)


# -- which files ---------------------------------------------------------------------------


def verified_set(folder: Path, verification: Mapping[str, str]) -> VerifiedSet:
    """The JSONL files of a download whose check is recorded in ``verification``."""
    checked = {name for name, kind in verification.items() if kind in _VERIFIED}
    jsonl = tuple(sorted(n for n in checked if n.lower().endswith(JSONL_SUFFIX)))
    if not jsonl:
        raise CsvExportError(
            "This output set has no checked JSONL files to save as CSV.",
            next_step="Download the set again, then save it as CSV.",
        )
    return VerifiedSet(folder, jsonl, frozenset(verification))


def recorded_set(history: HistoryStore, profile: str, set_uid: str) -> VerifiedSet:
    """Blocking (SQLite): the set's last download, if it is complete and its files checked."""
    state = history.download_state(profile, set_uid)
    if state is None or state[0] != STATE_COMPLETE:
        raise CsvExportError(
            "This output set is not downloaded completely on this computer.",
            next_step="Download it first, then save it as CSV.",
        )
    return verified_set(state[1], history.download_verification(profile, set_uid))


def csv_name(jsonl_name: str, taken: frozenset[str] = frozenset()) -> str:
    """``studentAssessments.jsonl`` -> ``studentAssessments.csv``; never one of ``taken`` (a
    set may itself hold a file of that name, which a conversion must not replace)."""
    stem = jsonl_name[: -len(JSONL_SUFFIX)] if jsonl_name.lower().endswith(JSONL_SUFFIX) else ""
    name = (stem or jsonl_name) + CSV_SUFFIX
    folded = {t.casefold() for t in taken}
    return jsonl_name + CSV_SUFFIX if name.casefold() in folded else name


def export_set(source: VerifiedSet, into: Path | None = None) -> CsvExport:
    """Blocking (disk): one CSV per JSONL file, next to it or into the folder ``into``."""
    target_folder = into if into is not None else source.folder
    taken = source.all_files if into is None else frozenset()
    written: list[CsvFile] = []
    for name in source.files:
        jsonl = source.folder / name
        if not jsonl.is_file():
            raise CsvExportError(
                f"{name} is no longer in {source.folder}.",
                next_step="Download the set again, then save it as CSV.",
            )
        written.append(convert(jsonl, target_folder / csv_name(name, taken)))
    return CsvExport(target_folder, tuple(written))


@dataclass(frozen=True)
class SetCsv:
    """What saving one set as CSV came to: its CSVs, or why there are none."""

    set_uid: str
    export: CsvExport | None = None
    error: RunwayError | None = None


@dataclass(frozen=True)
class CsvSaved:
    """The event the screen shows: every set asked for, in order."""

    results: tuple[SetCsv, ...]

    @property
    def folder(self) -> Path | None:
        """Where the CSVs are (the sets' common folder), None when none was written."""
        folders = [r.export.folder for r in self.results if r.export is not None]
        if not folders:
            return None
        return folders[0] if len(folders) == 1 else Path(os.path.commonpath(folders))

    @property
    def failed(self) -> tuple[SetCsv, ...]:
        return tuple(r for r in self.results if r.error is not None)

    def text(self) -> str:
        """The one sentence the screen shows (plain text), the failure first if any."""
        made = [f for r in self.results if r.export is not None for f in r.export.files]
        parts: list[str] = []
        if self.failed:
            error = self.failed[0].error
            assert error is not None
            what = "1 output set" if len(self.failed) == 1 else f"{len(self.failed)} output sets"
            parts.append(f"Could not save {what} as CSV: {error.message} {error.next_step}")
        if made:
            files = "1 CSV file" if len(made) == 1 else f"{len(made)} CSV files"
            rows = sum(f.rows for f in made)
            parts.append(f"Saved {files} for Excel ({rows:,} rows) in {self.folder}")
            long = [f.path.name for f in made if not f.fits_excel]
            if long:
                parts.append(f"({', '.join(long)}: more rows than Excel opens, {EXCEL_MAX_ROWS:,})")
        return " ".join(p.strip() for p in parts)


def export_recorded(history: HistoryStore, profile: str, set_uids: Iterable[str]) -> CsvSaved:
    """Blocking (SQLite and disk): each set's CSVs beside its verified JSONL files."""
    results: list[SetCsv] = []
    for uid in set_uids:
        try:
            results.append(SetCsv(uid, export=export_set(recorded_set(history, profile, uid))))
        except RunwayError as error:
            results.append(SetCsv(uid, error=error))
    return CsvSaved(tuple(results))


# -- one file ------------------------------------------------------------------------------


def convert(jsonl: Path, target: Path) -> CsvFile:
    """Blocking: write ``target`` (atomically) from ``jsonl``, reading it line by line twice."""
    columns: dict[str, None] = {}  # an ordered set: first-seen order
    rows = 0
    for row in _rows(jsonl):
        rows += 1
        for key in row:
            if key not in columns:
                columns[key] = None
                if len(columns) > EXCEL_MAX_COLUMNS:
                    raise CsvExportError(
                        f"{jsonl.name} has more than {EXCEL_MAX_COLUMNS:,} different fields,"
                        " more columns than Excel can show.",
                        next_step="Open the JSONL file with a tool made for JSON instead.",
                    )
    names = list(columns)
    with _atomic_text(target, like=jsonl) as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([cell(n) for n in names])
        for row in _rows(jsonl):
            writer.writerow([cell(row.get(n)) for n in names])
    return CsvFile(jsonl, target, rows, len(names))


def _rows(jsonl: Path) -> Iterator[dict[str, Any]]:
    """Each non-blank line of ``jsonl`` flattened: column name -> leaf value."""
    try:
        with jsonl.open(encoding="utf-8-sig", newline="") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                yield flatten(_parse(line, number, jsonl))
    except UnicodeDecodeError:
        raise CsvExportError(
            f"{jsonl.name} is not UTF-8 text.",
            next_step="Download the set again; if it stays so, tell Runway's support.",
        ) from None
    except OSError as exc:
        raise error_from_os_error(exc, path=jsonl, writing=False) from None


def _parse(line: str, number: int, jsonl: Path) -> Any:
    try:
        return _DECODER.decode(line)
    except (ValueError, RecursionError):
        raise CsvExportError(
            f"Line {number} of {jsonl.name} is not a JSON record (or nests too deeply).",
            next_step="Download the set again; if it stays so, tell Runway's support.",
        ) from None


def flatten(record: Any) -> dict[str, Any]:
    """One JSON value as column name -> leaf (see the module's rules)."""
    out: dict[str, Any] = {}
    try:
        if isinstance(record, dict):
            for key, value in record.items():
                _flatten_into(out, str(key), value)
        else:
            _flatten_into(out, "value", record)
    except RecursionError:  # json.loads nests deeper than this function can follow
        raise CsvExportError(
            "A record nests too deeply to be laid out in columns.",
            next_step="Open the JSONL file with a tool made for JSON instead.",
        ) from None
    return out


def _flatten_into(out: dict[str, Any], name: str, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten_into(out, f"{name}.{key}", item)
    elif isinstance(value, list):
        if any(isinstance(item, dict | list) for item in value):
            for number, item in enumerate(value, start=1):
                _flatten_into(out, f"{name}.{number}", item)
        elif value:
            # Joined text, even of numbers: "-1; -2" is no number, so the guard applies.
            out[name] = LIST_SEPARATOR.join(_scalar_text(item) for item in value)
    else:
        out[name] = value


def _scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def cell(value: Any) -> str:
    """A leaf as the text of a safe cell: no control characters, never a formula."""
    if isinstance(value, _Number):
        return str.__str__(value)
    text = _scalar_text(value)
    if value is True or value is False or text == "":
        return text
    if not text.isprintable():
        text = _BLANKS.sub(" ", plain_text(text))
    start = text.lstrip(" ")
    if start and start[0] in _FORMULA_STARTS and not _NUMBER.fullmatch(start):
        return "'" + text
    return text


# -- atomic writing ------------------------------------------------------------------------


@contextlib.contextmanager
def _atomic_text(path: Path, *, like: Path) -> Iterator[TextIO]:
    """A text handle (UTF-8 with BOM) whose file replaces ``path`` only when all went well.

    base.atomic_files takes the whole content as bytes; a CSV of a large set is streamed.
    The CSV gets the permissions of ``like`` (its JSONL): mkstemp's 0600 would keep it from
    a colleague who may read the JSONL beside it.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise error_from_os_error(exc, path=path, writing=True) from None
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(OSError):
            temp.chmod(stat.S_IMODE(like.stat().st_mode))
        temp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise error_from_os_error(exc, path=path, writing=True) from None
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
