"""The History screen below its filters: the list above the selected submission's detail, or
a plain explanation when there is nothing to list (nothing sent yet, or nothing matches)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from runway_desktop.ui.translation import QT_TRANSLATE_NOOP, translated

# Translated where shown (``translated``).
EMPTY_TEXT = QT_TRANSLATE_NOOP(
    "HistoryBody",
    "Nothing has been sent from this computer yet.\n\nEvery submission you send on the Submit "
    "screen appears here, with what became of it: sent, processed by Runway, loaded into the "
    "ODS — or what to do when it was not.",
)
NO_SELECTION = QT_TRANSLATE_NOOP(
    "HistoryBody", "Choose a submission in the list to see what happened."
)


class HistoryBody(QStackedWidget):
    clearFiltersRequested = Signal()

    def __init__(self, table: QWidget, detail: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail = detail
        self.detail_hint = QLabel(translated("HistoryBody", NO_SELECTION), self)
        self.detail_hint.setObjectName("PlaceholderText")
        self.detail_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_hint.setWordWrap(True)
        # Only the detail scrolls: the hint beside it in the stack (a stack is as tall as
        # its tallest page, so inside the scroll area the short hint scrolled too).
        scroll = self.detail_scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(detail)
        self.detail_stack = QStackedWidget(self)
        self.detail_stack.addWidget(self.detail_hint)
        self.detail_stack.addWidget(scroll)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(table)
        self.splitter.addWidget(self.detail_stack)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([220, 360])

        self.empty = QLabel(translated("HistoryBody", EMPTY_TEXT), self)
        self.empty.setObjectName("EmptyState")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_match = QWidget(self)
        no_match_text = QLabel(self.tr("No submission matches these filters."), self.no_match)
        no_match_text.setObjectName("EmptyState")
        no_match_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.clear_button = QPushButton(self.tr("Clear filters"), self.no_match)
        # No Alt letter: the filter bar's "Clear filters", shown with it, has that one.
        self.clear_button.setObjectName("HistoryNoMatchClear")
        layout = QVBoxLayout(self.no_match)
        layout.addStretch(1)
        layout.addWidget(no_match_text)
        layout.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        for widget in (self.splitter, self.empty, self.no_match):
            self.addWidget(widget)
        self.clear_button.clicked.connect(self.clearFiltersRequested)

    def show_counts(self, total: int, shown: int) -> None:
        if total == 0:
            self.setCurrentWidget(self.empty)
        elif shown == 0:
            self.setCurrentWidget(self.no_match)
        else:
            self.setCurrentWidget(self.splitter)

    def show_detail(self) -> None:
        self.detail_stack.setCurrentWidget(self.detail_scroll)

    def show_hint(self, selected: int) -> None:
        self.detail_hint.setText(
            self.tr("{count} submissions selected: Export diagnostics includes all of them.")
            .format(count=selected)
            if selected else translated("HistoryBody", NO_SELECTION)
        )  # fmt: skip
        self.detail_stack.setCurrentWidget(self.detail_hint)
