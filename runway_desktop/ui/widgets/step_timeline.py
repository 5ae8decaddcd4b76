"""A submission's execution trace: every recorded step with its start time and duration, then
the output sets that appeared for its job, like a CI run's step list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from runway_desktop.base.formatting import duration_text
from runway_desktop.core.submit.events import Step
from runway_desktop.history.records import SubmissionRecord
from runway_desktop.ui.widgets.restyle import restyle

MARKS = {"done": "✓", "failed": "✗", "cancelled": "–", "skipped": "–", "running": "●"}
# The module's texts are translated in the widget's context, "StepTimeline".


@dataclass(frozen=True)
class TimelineEntry:
    mark: str
    state: str  # done | failed | cancelled | running | result
    label: str
    at: datetime
    duration: str
    message: str


def step_label(step: str, detail: str, record: SubmissionRecord) -> str:
    names = {f.env_var: f.upload_name for f in record.files}
    file = names.get(detail, detail)
    if step == "UPLOAD_FILE":
        return QCoreApplication.translate("StepTimeline", "Uploading {file}").format(file=file)
    if step == "CHECK_FILE":  # core.submit.whole_file_checks, beside the uploads
        text = QCoreApplication.translate("StepTimeline", "Reading {file} to the end")
        return text.format(file=file)
    if step == "UPLOAD":
        return QCoreApplication.translate("StepTimeline", "Uploading (all files)")
    try:
        return Step[step].value  # the core's name of the step (the progress panel's too)
    except KeyError:
        return step.replace("_", " ").capitalize()


def timeline(record: SubmissionRecord) -> list[TimelineEntry]:
    entries = []
    for s in record.steps:
        state = s.status
        message = s.message or ""
        if s.finished_at is None:
            state = "running"
            message = message or QCoreApplication.translate(
                "StepTimeline", "No end recorded: the app was closed or stopped here."
            )
        entries.append(
            TimelineEntry(
                MARKS.get(state, "?"), state, step_label(s.step, s.detail, record),
                s.started_at, duration_text(s.duration_seconds), message,
            )
        )  # fmt: skip
    started = record.started_at
    for seen in record.sets:
        after = (seen.created_at - started).total_seconds() if started else None
        if seen.sent_to_ods:
            label = QCoreApplication.translate(
                "StepTimeline", "Output set appeared (sent to the ODS)"
            )
        else:
            label = QCoreApplication.translate(
                "StepTimeline", "Output set appeared (not sent to an ODS)"
            )
        took = QCoreApplication.translate("StepTimeline", "after {duration}")
        entries.append(
            TimelineEntry(
                "✓", "result", label, seen.created_at,
                took.format(duration=duration_text(after)) if after is not None and after >= 0
                else "",
                seen.set_uid,
            )
        )  # fmt: skip
    return entries


class StepTimeline(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StepTimeline")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(10)
        self._grid.setVerticalSpacing(2)
        self._grid.setColumnStretch(1, 1)
        self.entries: list[TimelineEntry] = []

    def set_record(self, record: SubmissionRecord | None) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.hide()  # deleted later; hidden now so it never shows under the new rows
                widget.deleteLater()
        self.entries = timeline(record) if record is not None else []
        if not self.entries:
            empty = QLabel(self.tr("No steps recorded."), self)
            empty.setObjectName("PlaceholderText")
            self._grid.addWidget(empty, 0, 0, 1, 4)
            return
        for row, entry in enumerate(self.entries):
            mark = QLabel(entry.mark, self)
            mark.setObjectName("TimelineMark")
            name = QLabel(entry.label, self)
            name.setObjectName("TimelineStep")
            name.setTextFormat(Qt.TextFormat.PlainText)  # it names the vendor's files
            name.setWordWrap(True)  # a long file name wraps rather than widen the pane
            for label in (mark, name):
                label.setProperty("state", entry.state)
                restyle(label)
            at = QLabel(entry.at.astimezone().strftime("%H:%M:%S"), self)
            at.setObjectName("TimelineTime")
            at.setToolTip(entry.at.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z"))
            took = QLabel(entry.duration, self)
            took.setObjectName("TimelineTime")
            took.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self._grid.addWidget(mark, row * 2, 0)
            self._grid.addWidget(name, row * 2, 1)
            self._grid.addWidget(at, row * 2, 2)
            self._grid.addWidget(took, row * 2, 3)
            if entry.message and entry.state != "done":
                note = QLabel(entry.message, self)
                note.setObjectName("TimelineNote")
                note.setTextFormat(Qt.TextFormat.PlainText)
                note.setWordWrap(True)
                note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self._grid.addWidget(note, row * 2 + 1, 1, 1, 3)
