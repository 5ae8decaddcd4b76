"""The detail pane of the History screen: what was sent, what became of it and why we think
so, each step with its timing, and what can be done next (Resume, Resubmit, Show output…)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from runway_desktop.base.formatting import human_size, school_year_label
from runway_desktop.core.history_actions import Allowed
from runway_desktop.core.history_view import sent_text
from runway_desktop.core.submission_state import DerivedState, SubmissionState
from runway_desktop.history.records import SubmissionRecord
from runway_desktop.ui.history.batch_line import BatchLine
from runway_desktop.ui.history.linked_sets import LinkedSets
from runway_desktop.ui.translation import QT_TRANSLATE_NOOP, translated
from runway_desktop.ui.widgets.elided_label import ElidedLabel
from runway_desktop.ui.widgets.plain_text import plain_tooltip
from runway_desktop.ui.widgets.restyle import restyle
from runway_desktop.ui.widgets.step_timeline import StepTimeline

# The facts' names: keys of ``_fact_labels``, shown translated (``translated``).
FACTS = (
    QT_TRANSLATE_NOOP("SubmissionDetail", "Sent"),
    QT_TRANSLATE_NOOP("SubmissionDetail", "Assessment"),
    QT_TRANSLATE_NOOP("SubmissionDetail", "District"),
    QT_TRANSLATE_NOOP("SubmissionDetail", "School year"),
    QT_TRANSLATE_NOOP("SubmissionDetail", "Settings"),
    QT_TRANSLATE_NOOP("SubmissionDetail", "Connection"),
)


class SubmissionDetail(QWidget):
    resumeClicked = Signal(int)  # submission id
    resubmitClicked = Signal(int)  # submission id
    showOutputClicked = Signal(str)  # job uid
    downloadClicked = Signal(str)  # job uid
    downloadSetClicked = Signal(str, str)  # job uid, set uid: one set's Download
    cancelClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SubmissionDetail")
        self.record: SubmissionRecord | None = None
        self.derived: DerivedState | None = None
        self.title = QLabel(self)
        self.title.setObjectName("DetailTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        self.badge = QLabel(self)
        self.badge.setObjectName("StatusBadge")
        self.explanation = QLabel(self)
        self.explanation.setObjectName("StatusExplanation")
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)
        self.explanation.setWordWrap(True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note = QLabel(self)
        self.note.setObjectName("DetailNote")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.hide()
        self.batches = BatchLine(self)

        self.resume_button = QPushButton(self.tr("Res&ume"), self)
        self.resubmit_button = QPushButton(self.tr("&Resubmit…"), self)
        self.output_button = QPushButton(self.tr("Show &output sets"), self)
        self.download_button = QPushButton(self.tr("&Download results"), self)
        self.copy_button = QPushButton(self.tr("Copy &job id"), self)
        actions = QHBoxLayout()
        for button in (self.resume_button, self.resubmit_button, self.output_button,
                       self.download_button, self.copy_button):  # fmt: skip
            actions.addWidget(button)
        actions.addStretch(1)

        self.progress_text = QLabel(self)
        self.progress_text.setObjectName("ResumeProgress")
        self.progress_text.setTextFormat(Qt.TextFormat.PlainText)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setAccessibleName(self.tr("Resume progress"))
        self.cancel_button = QPushButton(self.tr("Ca&ncel"), self)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress_text, 1)
        progress_row.addWidget(self.progress_bar, 1)
        progress_row.addWidget(self.cancel_button)
        self._progress_widgets = (self.progress_text, self.progress_bar, self.cancel_button)

        self.facts = QFormLayout()
        self.facts.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.job_id = QLineEdit(self)
        self.job_id.setObjectName("JobId")
        self.job_id.setReadOnly(True)
        self.job_id.setAccessibleName(self.tr("Job id"))
        self._fact_labels: dict[str, QLabel] = {}
        for name in FACTS:
            value = QLabel(self)
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._fact_labels[name] = value
            self.facts.addRow(_muted(translated("SubmissionDetail", name), self), value)
        self.facts.addRow(_muted(self.tr("Job id"), self), self.job_id)
        self.files_grid = QGridLayout()
        self.files_grid.setColumnStretch(0, 1)
        self.files_grid.setHorizontalSpacing(12)
        self.timeline = StepTimeline(self)
        self.sets_title = _section(self.tr("Output sets"), self)
        self.sets = LinkedSets(self)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        status_row = QHBoxLayout()
        status_row.addWidget(self.badge)
        status_row.addStretch(1)
        layout.addLayout(status_row)
        layout.addWidget(self.explanation)
        layout.addWidget(self.batches)
        layout.addLayout(actions)
        layout.addLayout(progress_row)
        layout.addWidget(self.note)
        layout.addWidget(_section(self.tr("Files"), self))
        layout.addLayout(self.files_grid)
        layout.addWidget(self.sets_title)
        layout.addWidget(self.sets)
        layout.addWidget(_section(self.tr("What happened"), self))
        layout.addWidget(self.timeline)
        layout.addWidget(_section(self.tr("Details"), self))
        layout.addLayout(self.facts)
        layout.addStretch(1)

        self.resume_button.clicked.connect(self.on_resume)
        self.resubmit_button.clicked.connect(self.on_resubmit)
        self.output_button.clicked.connect(self.on_show_output)
        self.download_button.clicked.connect(self.on_download)
        self.copy_button.clicked.connect(self.on_copy)
        self.sets.downloadClicked.connect(self.on_download_set)
        self.cancel_button.clicked.connect(self.cancelClicked)
        self.hide_progress()

    # -- showing a record --------------------------------------------------------------------
    def show_record(
        self,
        record: SubmissionRecord,
        derived: DerivedState,
        assessment: str,
        *,
        resume: Allowed,
        resubmit: Allowed,
    ) -> None:
        changed = self.record is None or self.record.id != record.id
        self.record = record
        year = school_year_label(record.school_year) if record.school_year.isdigit() else ""
        self.title.setText(f"{assessment} · {record.tenant} · {year or record.school_year}")
        self.derived = derived
        self.badge.setText(f"{derived.mark}  {derived.label}")
        self.badge.setProperty("kind", derived.tone)
        restyle(self.badge)
        self.explanation.setText(_explanation(record, derived))
        facts = self._fact_labels
        resumed = (
            self.tr(" (a retry of #{id})").format(id=record.resumed_from)
            if record.resumed_from
            else ""
        )
        sent = self.tr("{sent} · submission #{id}{resumed}")
        facts["Sent"].setText(sent.format(sent=sent_text(record), id=record.id, resumed=resumed))
        facts["Assessment"].setText(f"{assessment} ({record.bundle})")
        district = self.tr("{tenant} (partner {partner})")
        facts["District"].setText(district.format(tenant=record.tenant, partner=record.partner))
        facts["School year"].setText(f"{year} ({record.school_year})" if year else "—")
        settings = ", ".join(f"{k} = {v}" for k, v in sorted(record.params.items()))
        facts["Settings"].setText(settings or self.tr("None"))
        facts["Connection"].setText(f"{record.profile} · {record.api_base_url}")
        self.job_id.setText(
            record.job_uid or self.tr("No job: Runway never received this submission")
        )
        self._show_files(record)
        self.timeline.set_record(record)
        # The sets Runway made for this job (linked by its uid); none without a job.
        self.sets.set_sets(record.sets)
        self.sets_title.setVisible(record.job_uid is not None)
        self.sets.setVisible(record.job_uid is not None)
        has_sets = bool(record.sets)
        # Resume only where nothing can have started; one that never got a job is sent again
        # after a review (Resubmit). A start that may have happened offers neither.
        resumable = derived.offers_resume
        _allow(self.resume_button, resume, visible=resumable)
        # Sending the same files again while Runway may be running them makes a second job:
        # not offered until what became of this one is known.
        undecided = derived.looked_for and derived.state is not SubmissionState.NO_RESULT_YET
        _allow(self.resubmit_button, resubmit, visible=not undecided and (
            derived.state is not SubmissionState.SENDING))  # fmt: skip
        self.output_button.setVisible(has_sets)
        self.download_button.setVisible(has_sets)
        self.copy_button.setVisible(record.job_uid is not None)
        self.copy_button.setText(self.tr("Copy &job id"))
        # Whatever the clerk most likely wants next gets the emphasis.
        primary = self.resume_button if resumable else (
            self.output_button if has_sets else
            self.resubmit_button if derived.offers_resubmit_first else None)  # fmt: skip
        for button in (self.resume_button, self.resubmit_button, self.output_button):
            button.setObjectName("PrimaryButton" if button is primary else "")
            restyle(button)
        if changed:
            self.set_note(None)

    def _show_files(self, record: SubmissionRecord) -> None:
        while self.files_grid.count():
            item = self.files_grid.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.hide()  # deleted later; hidden now so it never shows under the new rows
                widget.deleteLater()
        for row, f in enumerate(record.files):
            # Elided, not wrapped: a vendor's file name has no space to break at, and at full
            # length it made the whole pane scroll sideways.
            name = ElidedLabel(self)
            name.set_full_text(f.path.name)
            name.setToolTip(plain_tooltip(str(f.path)) or "")
            size = QLabel(human_size(f.size), self)
            md5 = QLabel(self.tr("MD5 {md5}").format(md5=f.md5), self)
            md5.setObjectName("Md5")
            md5.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            sent = QLabel(self.tr("uploaded") if f.uploaded_at else self.tr("not uploaded"), self)
            sent.setObjectName("FileSent")
            sent.setProperty("state", "done" if f.uploaded_at else "pending")
            for column, widget in enumerate((name, size, md5, sent)):
                self.files_grid.addWidget(widget, row, column)

    # -- notes and live progress -------------------------------------------------------------
    def set_note(self, text: str | None, kind: str = "info") -> None:
        self.note.setText(text or "")
        self.note.setProperty("kind", kind)
        restyle(self.note)
        self.note.setVisible(bool(text))

    def show_progress(self, text: str, fraction: float | None = None) -> None:
        self.progress_text.setText(text)
        if fraction is None:
            self.progress_bar.setRange(0, 0)  # busy, no known fraction
        else:
            self.progress_bar.setRange(0, 1000)
            self.progress_bar.setValue(int(fraction * 1000))
        for widget in self._progress_widgets:
            widget.show()
        self.resume_button.setEnabled(False)
        self.resubmit_button.setEnabled(False)

    def hide_progress(self) -> None:
        for widget in self._progress_widgets:
            widget.hide()
        self.cancel_button.setEnabled(True)

    # -- actions ----------------------------------------------------------------------------
    def on_resume(self) -> None:
        if self.record is not None:
            self.resumeClicked.emit(self.record.id)

    def on_resubmit(self) -> None:
        if self.record is not None:
            self.resubmitClicked.emit(self.record.id)

    def on_show_output(self) -> None:
        if self.record is not None and self.record.job_uid:
            self.showOutputClicked.emit(self.record.job_uid)

    def on_download(self) -> None:
        if self.record is not None and self.record.job_uid:
            self.downloadClicked.emit(self.record.job_uid)

    def on_download_set(self, set_uid: str) -> None:
        if self.record is not None and self.record.job_uid:
            self.downloadSetClicked.emit(self.record.job_uid, set_uid)

    def on_copy(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None and self.record is not None and self.record.job_uid:
            clipboard.setText(self.record.job_uid)
            self.copy_button.setText(self.tr("Copied"))


def _explanation(record: SubmissionRecord, derived: DerivedState) -> str:
    lines = [derived.explanation, derived.detail, derived.next_step]
    # The failure's own advice fits only where nothing was started, nor can have been: after
    # a lost answer ("try again later") it would lead to a second job or a second start.
    own_advice = (SubmissionState.NOT_SENT, SubmissionState.FILE_REFUSED)
    if derived.state in own_advice and record.error_next_step:
        lines.append(record.error_next_step)
    return "\n".join(line for line in lines if line)


def _allow(button: QPushButton, allowed: Allowed, *, visible: bool = True) -> None:
    button.setVisible(visible)
    button.setEnabled(allowed.ok)
    button.setToolTip(allowed.why)


def _muted(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("FactName")
    return label


def _section(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("SectionTitle")
    return label
