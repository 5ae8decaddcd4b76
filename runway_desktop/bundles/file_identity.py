"""Which assessment and slot a file is for, judged by its columns alone (no slot chosen yet).

For `runway-desktop-cli identify` and for a file dropped on the Submit screen with no (or
another) assessment chosen. Reads the first bytes and a bounded prefix of rows; Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from runway_desktop.bundles.content_check import YEAR_SAMPLE_ROWS
from runway_desktop.bundles.csv_scan import SNIFF_BYTES
from runway_desktop.bundles.identify import (
    MATCH_THRESHOLD,
    detect_school_years,
    identify,
    read_header_sample,
)
from runway_desktop.bundles.preflight import format_problem
from runway_desktop.bundles.signatures import SignatureIndex, shipped_index


@dataclass(frozen=True)
class FileIdentity:
    """The best guess for one file; ``bundle`` and ``env_var`` are None when nothing fits well
    (or it fits a bundle Runway does not list: ``display_name`` then says which)."""

    path: Path
    bundle: str | None
    env_var: str | None
    confidence: float
    display_name: str = ""
    slot_display_name: str = ""
    # End years ("2024" = 2023–24) the sampled rows hold; school_year only when there is one.
    school_years: tuple[int, ...] = ()
    # Why no guess could be made at all (an Excel workbook, an empty file), in plain words.
    problem: str = ""

    @property
    def school_year(self) -> int | None:
        return self.school_years[0] if len(self.school_years) == 1 else None


def identify_file(path: Path, index: SignatureIndex | None = None) -> FileIdentity:
    """Raises OSError when the file cannot be read (missing, a folder, no permission)."""
    index = index or shipped_index()
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head:
        return FileIdentity(path, None, None, 0.0, problem="This file is empty (0 bytes).")
    problem = format_problem(head, path.suffix)
    if problem:
        return FileIdentity(path, None, None, 0.0, problem=problem)
    sample = read_header_sample(path, max_rows=YEAR_SAMPLE_ROWS)
    found = identify(index, sample.columns, include_unlisted=True)
    best = found[0] if found else None
    if best is None or best.bundle is None or best.env_var is None:
        return FileIdentity(path, None, None, best.confidence if best else 0.0)
    years = detect_school_years(index, best.bundle, best.env_var, sample.columns, sample.rows)
    if not best.in_registry or best.confidence < MATCH_THRESHOLD:
        return FileIdentity(
            path, None, None, best.confidence, best.display_name, school_years=tuple(sorted(years))
        )
    return FileIdentity(
        path,
        best.bundle,
        best.env_var,
        best.confidence,
        best.display_name,
        best.slot_display_name,
        tuple(sorted(years)),
    )
