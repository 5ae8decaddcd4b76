"""What a drag carries, judged before it is dropped, so a refusal can say why while hovering.

Shared by one slot (one file) and the slot list (several files). Only names and one ``stat`` per
path are looked at here; the file's content is preflight's business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMimeData

from runway_desktop.bundles.matching import type_names, wrong_type_reason
from runway_desktop.ui.translation import QT_TRANSLATE_NOOP, translated

# The refusals, translated as they are handed out (a slot compares with ``one_at_a_time()``).
ONE_AT_A_TIME = QT_TRANSLATE_NOOP("FileDrops", "Drop one file at a time.")
NOT_A_FILE = QT_TRANSLATE_NOOP(
    "FileDrops", "Only files can be dropped here. Drag the file from your folder window."
)
NOT_LOCAL = QT_TRANSLATE_NOOP(
    "FileDrops",
    "That is a link, not a file on this computer. Download it first, then drop the saved file.",
)


def one_at_a_time() -> str:
    return translated("FileDrops", ONE_AT_A_TIME)


@dataclass
class DroppedFiles:
    """Local paths in a drag, or the reason the drag cannot be used at all."""

    paths: list[Path] = field(default_factory=list)
    problem: str = ""


def dropped_files(mime: QMimeData) -> DroppedFiles:
    if not mime.hasUrls():
        return DroppedFiles(problem=translated("FileDrops", NOT_A_FILE))
    urls = mime.urls()
    if not urls:
        return DroppedFiles(problem=translated("FileDrops", NOT_A_FILE))
    if not all(url.isLocalFile() for url in urls):
        return DroppedFiles(problem=translated("FileDrops", NOT_LOCAL))
    return DroppedFiles(paths=[Path(url.toLocalFile()) for url in urls])


def folder_problem(path: Path, file_type: tuple[str, ...]) -> str:
    """The refusal for a folder, or "" when ``path`` is not one."""
    if not path.is_dir():
        return ""
    return QCoreApplication.translate(
        "FileDrops", "That is a folder. Drop the {types} inside it."
    ).format(types=type_names(file_type))


def single_file_problem(mime: QMimeData, file_type: tuple[str, ...]) -> tuple[Path | None, str]:
    """The one file a slot would take from this drag, or why it takes none."""
    dropped = dropped_files(mime)
    if dropped.problem:
        return None, dropped.problem
    if len(dropped.paths) != 1:
        return None, one_at_a_time()
    path = dropped.paths[0]
    problem = folder_problem(path, file_type)
    if problem:
        return None, problem
    if file_type and path.suffix.lstrip(".").lower() not in file_type:
        return None, wrong_type_reason(file_type, path)
    return path, ""


def name_filter(file_type: tuple[str, ...]) -> str:
    """A QFileDialog filter: "CSV files (*.csv *.CSV)" (both cases: Linux is case-sensitive)."""
    everything = QCoreApplication.translate("FileDrops", "All files (*)")
    if not file_type:
        return everything
    patterns = " ".join(f"*.{ext} *.{ext.upper()}" for ext in file_type)
    return f"{type_names(file_type, plural=True)} ({patterns});;{everything}"
