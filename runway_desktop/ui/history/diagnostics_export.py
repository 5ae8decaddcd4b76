"""Export diagnostics from the GUI: ask where, write the zip on a worker thread (the UI never
waits on the disk), and report the outcome as signals."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from runway_desktop.base.logging_setup import log_files
from runway_desktop.core.submission_state import state_json
from runway_desktop.history.diagnostics import (
    DiagnosticsExport,
    default_zip_name,
    export_diagnostics,
)
from runway_desktop.history.records import SubmissionRecord

log = logging.getLogger(__name__)


def choose_zip_path(parent: QWidget, suggested: str) -> str:
    """The save dialog (replaced in tests)."""
    path, _ = QFileDialog.getSaveFileName(
        parent,
        QCoreApplication.translate("DiagnosticsExporter", "Export diagnostics for Runway support"),
        suggested,
        QCoreApplication.translate("DiagnosticsExporter", "Zip files (*.zip)"),
    )
    return path


class DiagnosticsExporter(QObject):
    exported = Signal(object)  # DiagnosticsExport
    failed = Signal(str)
    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._task: asyncio.Future[DiagnosticsExport] | None = None

    def is_busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def ask_and_export(
        self, parent: QWidget, records: Sequence[SubmissionRecord], secrets: Sequence[str]
    ) -> bool:
        """False when already busy or the user cancelled the dialog."""
        if self.is_busy():
            return False
        chosen = choose_zip_path(parent, str(Path.home() / default_zip_name()))
        if not chosen:
            return False
        target = Path(chosen)
        if target.suffix.lower() != ".zip":
            target = target.with_name(target.name + ".zip")
        work = asyncio.to_thread(
            export_diagnostics, target, list(records), log_files(), secrets=list(secrets),
            state_of=state_json,
        )  # fmt: skip
        self._task = asyncio.ensure_future(work)
        self._task.add_done_callback(self._on_done)
        self.busyChanged.emit(True)
        return True

    def _on_done(self, task: asyncio.Future[DiagnosticsExport]) -> None:
        self.busyChanged.emit(False)
        if task.cancelled():
            return
        if (exc := task.exception()) is not None:
            log.warning("diagnostics export failed: %r", exc)
            self.failed.emit(
                self.tr("Could not save the diagnostics zip: {error}").format(error=exc)
            )
            return
        self.exported.emit(task.result())
