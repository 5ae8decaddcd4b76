"""The words and default look of an upload slot, kept apart from its wiring."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from runway_desktop.base.formatting import human_size
from runway_desktop.bundles.content_check import SchoolYearNote, school_year_note
from runway_desktop.bundles.identify import Verdict
from runway_desktop.bundles.matching import type_names
from runway_desktop.bundles.model import InputFile
from runway_desktop.bundles.preflight import PreflightReport

# How much of a file the slot's preview shows (the preview table follows these).
PREVIEW_ROWS = 5
PREVIEW_COLUMNS = 8

# Applied only while the app's stylesheet has no rules for the slot (resources/style.qss takes
# over once it does): without a dashed border nobody would guess the box is a drop target.
# palette() colours keep it readable in dark mode too.
DEFAULT_STYLE = """
QFrame#UploadSlot { border: 1px solid palette(mid); border-radius: 8px; }
QFrame#UploadSlot:focus { border: 2px solid palette(highlight); }
QFrame#SlotDropArea { border: 2px dashed palette(mid); border-radius: 6px; }
QFrame#SlotDropArea[dragActive="true"] {
    border-color: palette(highlight); background: palette(alternate-base);
}
QFrame#UploadSlot QPushButton, QFrame#UploadSlot QToolButton {
    border: 1px solid palette(mid); border-radius: 6px; padding: 5px 12px;
    background: palette(button); color: palette(button-text);
}
QFrame#UploadSlot QPushButton:focus, QFrame#UploadSlot QToolButton:focus {
    border: 2px solid palette(highlight);
}
QFrame#UploadSlot QPushButton:disabled { color: palette(mid); }
QLabel#SlotTitle, QLabel#SlotFileName { font-weight: bold; }
QLabel#SlotOk { color: #1e7b34; }
QLabel#SlotWarning { color: #9a5b00; }
QLabel#SlotError { color: #c62828; }
QLabel#SlotListMessage[kind="warning"] { color: #9a5b00; }
"""
STYLE_HOOK = "SlotDropArea"


def rows_text(count: int) -> str:
    return "1 data row" if count == 1 else f"{count:,} data rows"


def details_text(
    report: PreflightReport | None, checking: bool, fraction: float | None = None
) -> str:
    """ "23.8 KB · 4 data rows · UTF-8, comma-separated" under the file name; while it is
    checked, how far the scan got ("Checking… 42 %"), once the scan has said so."""
    if checking:
        return "Checking…" if fraction is None else f"Checking… {int(fraction * 100)} %"
    if report is None:
        return "Not checked"
    if report.mtime_ns == 0:
        return "Could not be opened"
    parts = [human_size(report.size)]
    # Row counts and text encodings mean nothing for a workbook or a PDF.
    if report.encoding:
        parts.append(rows_text(report.row_count))
        parts.append(f"{report.encoding_label}, {report.delimiter_label}-separated")
    return " · ".join(parts)


def status_text(has_warnings: bool) -> str:
    if has_warnings:
        return "✓ This file can be sent. Please read the notes below."
    return "✓ This file looks right and is ready to send."


# Shown instead of "✓ can be sent" when the file may be the wrong one: a clerk who sees a tick
# sends, and a file in the wrong slot must never read as ready.
CHECK_FILE_STATUS = "⚠ Check this file before sending: it may not be the right one."
CHECK_YEAR_STATUS = "⚠ Check the school year before sending this file."


@dataclass(frozen=True)
class SlotMessages:
    """Everything a slot says about its file, decided in one place."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    status: str = ""
    # "ok" (green tick), "warning" (amber: look before sending) or "" (no status line).
    status_kind: str = ""
    year: SchoolYearNote | None = None


def slot_messages(
    report: PreflightReport | None,
    *,
    check_failure: str = "",
    server_error: str | None = None,
    refusal: str = "",
    school_year: str = "",
) -> SlotMessages:
    """The errors, notes and status line for a slot, from its check and the chosen year."""
    errors = list(report.errors) if report else []
    if check_failure:
        errors.append(check_failure)
    if server_error:
        errors.append(f"Runway said: {server_error}")
    if refusal:
        errors.insert(0, refusal)
    warnings = list(report.warnings) if report else []
    year = school_year_note(report.content, school_year) if report else None
    if year is not None:
        warnings.insert(0, year.message)
    if report is None or not report.ok or server_error:
        return SlotMessages(errors, warnings, year=year)
    unknown = report.content is not None and report.content.verdict is Verdict.UNKNOWN
    if unknown:
        return SlotMessages(errors, warnings, CHECK_FILE_STATUS, "warning", year)
    if year is not None and year.mismatch:
        return SlotMessages(errors, warnings, CHECK_YEAR_STATUS, "warning", year)
    return SlotMessages(errors, warnings, status_text(bool(warnings)), "ok", year)


def preview_caption(report: PreflightReport) -> str:
    rows = min(len(report.preview), PREVIEW_ROWS)
    columns = len(report.header)
    shown = min(columns, PREVIEW_COLUMNS)
    which = f"all {columns} columns" if shown == columns else f"{shown} of {columns} columns"
    first = "The first row" if rows == 1 else f"The first {rows} rows"
    return f"{first} of the file ({which} shown):"


def message_text(messages: list[str], prefix: str) -> str:
    return "\n".join(prefix + m for m in messages)


def accessible_texts(slot: InputFile, path: Path | None, details: str) -> tuple[str, str]:
    """What a screen reader says for the slot: its name, then its state and what keys do."""
    need = "required" if slot.is_required else "optional"
    name = f"{slot.display_name}, {need}, {type_names(slot.file_type)}"
    if path is None:
        return name, "No file chosen. Press Enter to browse for a file."
    return name, f"{path.name}. {details}. Press Delete to remove it."
