"""One list for the whole run: each item's step while it is sent, then its outcome in the
core's words (outcome_text), so a failed item reads the same as in the CLI."""

from __future__ import annotations

from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from runway_desktop.core.batch.run import (
    STATUS_WORDS,
    ItemFinished,
    ItemOutcome,
    ItemStarted,
    ItemStatus,
    ItemStep,
    outcome_text,
)
from runway_desktop.core.submit.events import StepStarted
from runway_desktop.ui.event_adapter import Handlers
from runway_desktop.ui.widgets.plain_text import plain_tooltip

NOT_SENT = STATUS_WORDS[ItemStatus.NOT_SENT]


class BatchProgressView(QTreeWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("BatchProgress")
        self.setAccessibleName(self.tr("Sending progress"))
        self.setRootIsDecorated(False)
        columns = ["#", self.tr("Submission"), self.tr("Status"), self.tr("What happened")]
        self.setColumnCount(len(columns))
        self.setHeaderLabels(columns)
        self._rows: dict[int, QTreeWidgetItem] = {}
        self._outcomes: dict[int, ItemOutcome] = {}

    def begin(self, labels: list[str]) -> None:
        """Every item of the run, waiting; numbered as the run numbers them (1-based)."""
        self.clear()
        self._rows, self._outcomes = {}, {}
        for number, label in enumerate(labels, 1):
            self._rows[number] = QTreeWidgetItem(self, [str(number), label, self.tr("waiting"), ""])
        for column in range(2):
            self.resizeColumnToContents(column)

    def handlers(self) -> Handlers:
        return {
            ItemStarted: lambda e: self._set(e.number, self.tr("sending"), ""),
            ItemStep: self._on_step,
            ItemFinished: self.on_finished,
        }

    def _on_step(self, event: ItemStep) -> None:
        if isinstance(event.event, StepStarted):
            self._set(
                event.number, self.tr("sending"), self.tr("{0}…").format(event.event.step.value)
            )

    def on_finished(self, event: ItemFinished) -> None:
        outcome = event.outcome
        self._outcomes[outcome.number] = outcome
        text = outcome_text(outcome)
        self._set(outcome.number, STATUS_WORDS[outcome.status], text)

    def _set(self, number: int, status: str, text: str) -> None:
        row = self._rows.get(number)
        if row is not None:
            row.setText(2, status)
            row.setText(3, text)
            row.setToolTip(3, plain_tooltip(text) or "")

    def status(self, number: int) -> str:
        return self._rows[number].text(2)

    def text(self, number: int) -> str:
        return self._rows[number].text(3)

    def outcomes(self) -> dict[int, ItemOutcome]:
        return dict(self._outcomes)

    def mark_unfinished(self, text: str) -> None:
        """The run ended without an outcome for these (stopped, or it failed as a whole)."""
        for number, row in self._rows.items():
            if number not in self._outcomes:
                row.setText(2, NOT_SENT)
                row.setText(3, text)
