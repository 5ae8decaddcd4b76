"""The head of the History screen: its title with "Check for results now" and "Export
diagnostics…" beside it, the summary line under them, and the message line where the screen
says how an export went or why the history could not be read.

A widget of its own, as the filters and the body below it are. The screen tells it what was
listed (for the summary) and what to export (the selection, the secret to remove); the export's
run and its outcome on the message line are the head's, where its button is. "Check for results
now" asks the screen's list and poll, so the screen makes it and the head only places it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from runway_desktop.core.history_view import Loaded, summary_text
from runway_desktop.history.diagnostics import DiagnosticsExport
from runway_desktop.ui.history.diagnostics_export import DiagnosticsExporter
from runway_desktop.ui.widgets.restyle import restyle


class HistoryHeader(QWidget):
    exported = Signal(object)  # DiagnosticsExport, once its message is shown

    def __init__(self, check_button: QPushButton, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.exporter = DiagnosticsExporter(self)
        title = QLabel(self.tr("History"), self)
        title.setObjectName("PageTitle")
        self.summary = QLabel(self)
        self.summary.setObjectName("HistorySummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.check_button = check_button
        self.export_button = QPushButton(self.tr("E&xport diagnostics…"), self)
        self.export_button.setToolTip(self.tr(
            "Save a zip with the app's log and the selected submissions (or all shown) for a "
            "support ticket. Tokens, secrets and upload links are removed."
        ))  # fmt: skip
        self.message = QLabel(self)
        self.message.setObjectName("HistoryMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.hide()

        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.check_button)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)

        self.exporter.exported.connect(self.on_exported)
        self.exporter.failed.connect(lambda text: self.show_message(text, "error"))
        self.exporter.busyChanged.connect(lambda busy: self.export_button.setEnabled(not busy))

    def show_summary(self, loaded: Loaded | None, shown: int, polling: bool) -> None:
        """``loaded``: the latest reading (None before the first); ``shown``: the rows the
        filters let through; ``polling``: whether Runway is being asked."""
        self.summary.setText(summary_text(total=len(loaded.rows) if loaded else 0,
            shown=shown, complete=loaded is None or loaded.complete,
            waiting=loaded.looked_for if loaded else 0, polling=polling))  # fmt: skip

    def on_exported(self, export: DiagnosticsExport) -> None:
        self.show_message(
            self.tr("Saved {file} ({count} submission(s) and the app's log) in {folder}. Attach "
            "it to your support ticket.").format(file=export.path.name,
            count=export.submissions, folder=export.path.parent), "info",
        )  # fmt: skip
        self.exported.emit(export)

    def show_message(self, text: str, kind: str) -> None:
        """``kind``: "info" or "error", the message's colour in the style sheet."""
        self.message.setText(text)
        self.message.setProperty("kind", kind)
        restyle(self.message)
        self.message.show()
