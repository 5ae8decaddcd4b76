"""Which bundle and slot a vendor file belongs to, judged by its header: pure functions, no Qt.

A clerk drops "export (3).csv" on the STAR slot; it is really a MAP Growth export. Runway would
accept the upload and the job would fail an hour later, or worse, load nothing. Here the header
is compared with the signature index (`signatures.py`): every sample file the bundle authors ship,
reduced to column shapes. Columns are weighted by how rare they are across all bundles (IDF), so
the StudentID/Grade/Gender columns every vendor has barely count and the distinctive ones decide.

Only `read_header_sample` touches the disk, and it reads a bounded prefix of the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from runway_desktop.bundles.signatures import (
    SignatureIndex,
    SlotSignature,
    column_key,
    column_shape,
)

__all__ = [
    "Candidate",
    "HeaderSample",
    "SlotJudgement",
    "Verdict",
    "column_key",
    "column_shape",
    "detect_school_years",
    "identify",
    "judge_slot",
    "read_header_sample",
]

# Below this the best match is not trusted: the answer is "none of the bundles".
MATCH_THRESHOLD = 0.5
# Below this a file has too little in common with a slot to list what it lacks.
RESEMBLANCE_FLOOR = 0.2
# Another slot must beat the chosen one by this much before the file is called another's.
OTHER_MARGIN = 0.1
FIXED_WIDTH_CONFIDENCE = 0.9
MAX_CANDIDATES = 5

HEADER_BYTES = 1024 * 1024
DELIMITERS = ",\t;|"
# Rows above the header that are group labels (CIRCLE, TX_KEA) or blank are skipped.
MAX_SPARSE_ROWS = 5
FIXED_WIDTH_MIN_LENGTH = 80


class Verdict(StrEnum):
    FITS = "fits"
    FITS_BUT_MISSING = "fits_but_missing"
    OTHER_BUNDLE = "other_bundle"
    MISSING_REQUIRED = "missing_required"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class HeaderSample:
    """The header and first rows of a file, and how it is written."""

    path: Path
    encoding: str
    delimiter: str
    header_row: int
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    fixed_width: bool
    # False when only a prefix was read: rows then stop short of the file's end.
    complete: bool


@dataclass(frozen=True)
class Candidate:
    """A bundle slot a header resembles; bundle and env_var are None for "none of them"."""

    bundle: str | None
    env_var: str | None
    confidence: float
    display_name: str = ""
    slot_display_name: str = ""
    in_registry: bool = True


@dataclass(frozen=True)
class SlotJudgement:
    verdict: Verdict
    bundle: str
    env_var: str
    confidence: float
    missing_required: tuple[str, ...] = ()
    # None of the bundle's student-ID columns is there (the run would match no student).
    missing_student_id: tuple[str, ...] = ()
    missing_optional: tuple[str, ...] = ()
    other: Candidate | None = None
    message: str = ""


def read_header_sample(
    path: Path, max_rows: int = 50, max_bytes: int = HEADER_BYTES
) -> HeaderSample:
    """The header and up to `max_rows` rows, from at most `max_bytes` of the file."""
    with path.open("rb") as handle:
        raw = handle.read(max_bytes + 1)
    complete = len(raw) <= max_bytes
    raw = raw[:max_bytes]
    encoding = _sniff_encoding(raw)
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text = decoder.decode(raw, final=complete).replace("\ufeff", "", 1)
    lines = text.splitlines()
    if not complete and lines:
        lines.pop()  # cut mid-line
    first = next((line for line in lines if line.strip()), "")
    delimiter = _sniff_delimiter(first)
    if not delimiter and len(first) >= FIXED_WIDTH_MIN_LENGTH and "  " in first:
        start = lines.index(first)
        body = tuple((line,) for line in lines[start + 1 : start + 1 + max_rows])
        return HeaderSample(path, encoding, "", start, (first,), body, True, complete)
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter or ",")
    header_row = 0
    columns: tuple[str, ...] = ()
    rows: list[tuple[str, ...]] = []
    for number, cells in enumerate(reader):
        if not columns:
            filled = sum(1 for c in cells if c.strip())
            if number < MAX_SPARSE_ROWS and (filled == 0 or filled * 2 < len(cells) > 1):
                continue
            header_row, columns = number, tuple(c.strip() for c in cells)
        elif len(rows) < max_rows:
            rows.append(tuple(cells))
        else:
            break
    return HeaderSample(
        path, encoding, delimiter, header_row, columns, tuple(rows), False, complete
    )


def _sniff_encoding(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = raw[:4096]
    if head and head.count(0) * 4 > len(head):
        # UTF-16 without a BOM: ASCII text leaves every other byte zero.
        return "utf-16-le" if head[1::2].count(0) > head[::2].count(0) else "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(raw, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _sniff_delimiter(line: str) -> str:
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ""


def header_shapes(header: Sequence[str]) -> frozenset[str]:
    return frozenset(column_shape(name) for name in header) - {""}


def _record_length(header: Sequence[str]) -> int | None:
    if len(header) == 1 and len(header[0]) >= FIXED_WIDTH_MIN_LENGTH and "  " in header[0]:
        return len(header[0])
    return None


@lru_cache(maxsize=1024)
def _total(index: SignatureIndex, shapes: frozenset[str]) -> float:
    return sum(index.weight(s) for s in shapes)


def _score(index: SignatureIndex, shapes: frozenset[str], target: frozenset[str]) -> float:
    """Weighted F1 of header against sample: both extra and absent columns cost."""
    common = sum(index.weight(s) for s in shapes & target)
    if not common:
        return 0.0
    recall = common / _total(index, target)
    precision = common / _total(index, shapes)
    return 2 * precision * recall / (precision + recall)


def slot_score(index: SignatureIndex, slot: SlotSignature, header: Sequence[str]) -> float:
    """How much a header looks like the slot's samples, 0..1."""
    return _slot_score(index, slot, header_shapes(header), _record_length(header))


def _slot_score(
    index: SignatureIndex, slot: SlotSignature, shapes: frozenset[str], length: int | None
) -> float:
    if length is not None:
        return FIXED_WIDTH_CONFIDENCE if length in slot.record_lengths else 0.0
    return max((_score(index, shapes, target) for target in slot.match_sets), default=0.0)


@lru_cache(maxsize=64)
def _ranked(
    index: SignatureIndex, header: tuple[str, ...], include_unlisted: bool
) -> tuple[tuple[float, SlotSignature], ...]:
    shapes, length = header_shapes(header), _record_length(header)
    scored = [
        (_slot_score(index, s, shapes, length), s) for s in index.iter_slots(include_unlisted)
    ]
    scored = [pair for pair in scored if pair[0] > 0]
    scored.sort(key=lambda p: (-p[0], p[1].bundle, p[1].env_var))
    return tuple(scored)


def _candidate(index: SignatureIndex, slot: SlotSignature, confidence: float) -> Candidate:
    bundle = index.bundles[slot.bundle]
    return Candidate(
        slot.bundle,
        slot.env_var,
        round(confidence, 4),
        bundle.display_name,
        slot.display_name,
        bundle.in_registry,
    )


def identify(
    index: SignatureIndex,
    header: Sequence[str],
    *,
    include_unlisted: bool = False,
    threshold: float = MATCH_THRESHOLD,
) -> list[Candidate]:
    """Ranked guesses, best first. If even the best is below `threshold`, the first entry is
    `Candidate(None, None, best)` ("none") and the weak guesses follow it."""
    ranked = _ranked(index, tuple(header), include_unlisted)[:MAX_CANDIDATES]
    found = [_candidate(index, slot, score) for score, slot in ranked]
    best = found[0].confidence if found else 0.0
    if best < threshold:
        return [Candidate(None, None, best), *found]
    return found


def judge_slot(
    index: SignatureIndex, bundle: str, env_var: str, header: Sequence[str]
) -> SlotJudgement:
    """Whether a file with this header belongs in the given slot, and if not, why."""
    slot = index.slot(bundle, env_var)
    if slot is None:
        return SlotJudgement(Verdict.UNKNOWN, bundle, env_var, 0.0, message="Unknown slot.")
    ranked = _ranked(index, tuple(header), True)
    own = next((score for score, s in ranked if s is slot), 0.0)
    rival = next(((score, s) for score, s in ranked if s is not slot), None)
    keys = {column_key(name) for name in header}
    missing = tuple(c for c in slot.required if column_key(c) not in keys)
    ids = slot.student_id_columns
    no_id = ids if slot.student_id_required and not any(column_key(c) in keys for c in ids) else ()
    optional = tuple(c for c in slot.used if column_key(c) not in keys and c not in missing)
    if _record_length(header) is not None and own:
        missing = no_id = optional = ()  # a fixed-width record has no header to check

    def judged(verdict: Verdict, message: str, other: Candidate | None = None) -> SlotJudgement:
        return SlotJudgement(
            verdict,
            bundle,
            env_var,
            own,
            missing_required=missing,
            missing_student_id=no_id,
            missing_optional=optional,
            other=other,
            message=message,
        )

    name = index.bundles[bundle].display_name
    if rival and rival[0] >= MATCH_THRESHOLD and rival[0] >= own + OTHER_MARGIN:
        other = _candidate(index, rival[1], rival[0])
        where = f"the {other.slot_display_name!r} file of {other.display_name}"
        if other.bundle != bundle:
            where = f"a {other.display_name} file"
        message = f"This looks like {where}, not the {slot.display_name!r} file of {name}."
        return judged(Verdict.OTHER_BUNDLE, message, other)
    if own < RESEMBLANCE_FLOOR:
        message = f"This does not look like the {slot.display_name!r} file of {name}."
        return judged(Verdict.UNKNOWN, message)
    if missing or no_id:
        lacking = list(missing) + ([f"one of {', '.join(no_id)}"] if no_id else [])
        message = f"{name} cannot run without: {', '.join(lacking)}."
        return judged(Verdict.MISSING_REQUIRED, message)
    if own < MATCH_THRESHOLD:
        message = f"Few of the usual {name} columns are there; check this is the right file."
        return judged(Verdict.UNKNOWN, message)
    if optional:
        message = f"{name} will leave these empty: {', '.join(optional)}."
        return judged(Verdict.FITS_BUT_MISSING, message)
    return judged(Verdict.FITS, "")


# Test-date formats seen in the samples (plus their common variants); the index records, per
# date column, those its samples use, and those are tried first.
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%y",
    "%m/%d/%y %H:%M",
    "%Y/%m/%d",
    "%m-%d-%Y",
    "%Y%m%d",
    "%m%d%Y",
)
_FRACTION_OR_ZONE = re.compile(r"(?<=:\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?$")
_SPAN = re.compile(r"(?<!\d)((?:19|20)?\d\d)\s*[-/\u2013]\s*((?:19|20)?\d\d)(?!\d)")
_YEAR = re.compile(r"(?<![\d/-])((?:19|20)\d\d)(?![\d/-])")
# Runway names a school year by the year it ends; a test on or after July 1st is in the next.
CUTOVER_MONTH = 7
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100


def parse_date(value: str, formats: Iterable[str] = DATE_FORMATS) -> date | None:
    text = _FRACTION_OR_ZONE.sub("", value.strip())
    if not text or not text[0].isdigit():
        return None
    for fmt in formats:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
            return parsed
    return None


def school_year_of_date(day: date) -> int:
    return day.year + 1 if day.month >= CUTOVER_MONTH else day.year


def parse_school_year(value: str) -> int | None:
    """The end year of "2023-2024", "2023-24", "23-24", "Fall 2023-2024" or a bare "2024"."""
    for match in _SPAN.finditer(value):
        start, end = (int(g) for g in match.groups())
        start += 2000 if start < 100 else 0
        end += (start // 100) * 100 if end < 100 else 0
        if end == start + 1 and EARLIEST_YEAR <= end <= LATEST_YEAR:
            return end
    years = {int(y) for y in _YEAR.findall(value)}
    if len(years) == 1 and "/" not in value:
        return years.pop()
    return None


def detect_school_years(
    index: SignatureIndex,
    bundle: str,
    env_var: str,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
) -> set[int]:
    """School years (by end year) the rows are from, read from the slot's year column(s) if the
    file has them, else from its test-date column(s)."""
    slot = index.slot(bundle, env_var)
    if slot is None:
        return set()
    position = {column_key(name): i for i, name in reversed(list(enumerate(header)))}
    years_at = [position[k] for k in map(column_key, slot.year_columns) if k in position]
    dates_at = [
        (position[column_key(col.name)], (*col.formats, *DATE_FORMATS))
        for col in slot.date_columns
        if column_key(col.name) in position
    ]
    rows = rows if isinstance(rows, Sequence) else list(rows)
    from_years: set[int] = set()
    for row in rows:
        for i in years_at:
            year = parse_school_year(row[i]) if i < len(row) else None
            if year is not None:
                from_years.add(year)
    if from_years:
        return from_years  # the dates would not be used: strptime is the slow part here
    from_dates: set[int] = set()
    for i, formats in dates_at:
        # A sample's dates repeat (one test date per class and day): each is parsed once.
        for value in {row[i] for row in rows if i < len(row)}:
            day = parse_date(value, formats)
            if day is not None:
                from_dates.add(school_year_of_date(day))
    return from_dates
