"""What a running submission looks like: each step with a tick or a cross, one bar per file,
a total with speed and ETA, Cancel; afterwards the job id and what happens next."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from runway_desktop.api.progress import TransferProgress
from runway_desktop.base.formatting import duration_text
from runway_desktop.core.progress_text import describe_progress
from runway_desktop.core.submission_state import DerivedState, SubmissionState
from runway_desktop.core.submit.events import (
    FileProgress,
    Notice,
    Step,
    StepFinished,
    StepStarted,
    TotalProgress,
)
from runway_desktop.ui.event_adapter import Handlers
from runway_desktop.ui.submit.pipeline_runner import StateDerived
from runway_desktop.ui.submit.stop_sending_bar import StopSendingBar
from runway_desktop.ui.translation import QT_TRANSLATE_NOOP, translated
from runway_desktop.ui.widgets.accessible import ProgressAnnouncer, announce
from runway_desktop.ui.widgets.restyle import restyle

MARKS = {"pending": "○", "running": "●", "done": "✓", "failed": "✗", "cancelled": "–"}
# Translated where shown (``translated``).
STOP_WHILE_UPLOADING = QT_TRANSLATE_NOOP(
    "ProgressPanel",
    "Stop sending? Nothing has been started yet: Runway keeps the job unstarted, and Resume "
    "on the History screen can finish it later.",
)
STARTING_TOOLTIP = QT_TRANSLATE_NOOP(
    "ProgressPanel", "Runway is being asked to start the job: that cannot be stopped half-way."
)


class ProgressPanel(QWidget):
    cancelRequested = Signal()
    retryRequested = Signal()
    backRequested = Signal()
    submitAnotherRequested = Signal()
    showOutputsRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ProgressPanel")
        self.title = QLabel(self)
        self.title.setObjectName("PanelTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        steps = QGridLayout()
        steps.setColumnStretch(1, 1)
        self._steps: dict[Step, tuple[QLabel, QLabel, QLabel]] = {}
        for row, step in enumerate(Step):
            mark, name, timing = QLabel(self), QLabel(step.value, self), QLabel(self)
            mark.setObjectName("StepMark")
            timing.setObjectName("StepTiming")
            steps.addWidget(mark, row, 0)
            steps.addWidget(name, row, 1)
            steps.addWidget(timing, row, 2)
            self._steps[step] = (mark, name, timing)
        self._bars_layout = QGridLayout()
        self._bars_layout.setColumnStretch(1, 1)
        self._bars: dict[str, tuple[QProgressBar, QLabel]] = {}
        self.notices = QLabel(self)
        self.notices.setObjectName("Notices")
        self.notices.setTextFormat(Qt.TextFormat.PlainText)
        self.notices.setWordWrap(True)
        # The submission's state in the words History and the CLI use (core.submission_state).
        self.state = QLabel(self)
        self.state.setObjectName("StatusBadge")
        self.state.hide()
        self._failure: str | None = None
        self._title = ""  # as begun ("Sending …"): what each outcome rewrites
        self._spoken_progress = ProgressAnnouncer(self)
        self.outcome = QLabel(self)
        self.outcome.setObjectName("Outcome")
        self.outcome.setTextFormat(Qt.TextFormat.PlainText)
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.job_id = QLineEdit(self)
        self.job_id.setObjectName("JobId")
        self.job_id.setReadOnly(True)
        self.job_id.setAccessibleName(self.tr("Job id"))
        self.copy_button = QPushButton(self.tr("Copy &job id"), self)
        self.copy_button.clicked.connect(self.on_copy)
        job_row = QHBoxLayout()
        self._job_label = QLabel(self.tr("Job id"), self)
        job_row.addWidget(self._job_label)
        job_row.addWidget(self.job_id, 1)
        job_row.addWidget(self.copy_button)

        self.cancel_button = QPushButton(self.tr("&Cancel"), self)
        self.stop_bar = StopSendingBar(self)
        self.stop_bar.stopConfirmed.connect(self._cancel_now)
        self._step: Step | None = None
        self.retry_button = QPushButton(self.tr("&Retry"), self)
        self.back_button = QPushButton(self.tr("&Back to the form"), self)
        self.another_button = QPushButton(self.tr("Submit a&nother"), self)
        self.outputs_button = QPushButton(self.tr("Go to &Output sets"), self)
        self.cancel_button.clicked.connect(self.on_cancel)
        self.retry_button.clicked.connect(self.retryRequested)
        self.back_button.clicked.connect(self.backRequested)
        self.another_button.clicked.connect(self.submitAnotherRequested)
        self.outputs_button.clicked.connect(self.showOutputsRequested)
        buttons = QHBoxLayout()
        # Cancel stands at the far left, away from where Submit was: the second click of a
        # double-click on Submit lands on empty space, not on Cancel.
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        for button in (
            self.outputs_button,
            self.back_button,
            self.retry_button,
            self.another_button,
        ):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(steps)
        layout.addSpacing(8)
        layout.addLayout(self._bars_layout)
        layout.addWidget(self.notices)
        layout.addWidget(self.state)
        layout.addWidget(self.outcome)
        layout.addLayout(job_row)
        layout.addStretch(1)
        layout.addWidget(self.stop_bar)
        layout.addLayout(buttons)

    # -- a new run -----------------------------------------------------------------------------
    def sending_title(self, subject: str) -> str:
        """The title of a run under way: "Sending <subject>"."""
        return self.tr("Sending {subject}").format(subject=subject)

    def _subject(self) -> str:
        """What the run's "Sending …" title is about, to say "Sent …" of it (in any language:
        the translated title's own words around the subject are taken off)."""
        title = self._title
        prefix, _, suffix = self.tr("Sending {subject}").partition("{subject}")
        if title.startswith(prefix) and title.endswith(suffix) and len(title) > len(prefix):
            return title[len(prefix) : len(title) - len(suffix)]
        return title

    def begin(self, title: str, files: Mapping[str, str]) -> None:
        """``title``: "Sending …" (``sending_title``); ``files``: env var → file name, one bar
        each (plus a total when several)."""
        self._title = title
        self.title.setText(title)
        for mark, name, timing in self._steps.values():
            mark.setText(MARKS["pending"])
            name.setProperty("state", "pending")
            timing.clear()
        while self._bars_layout.count():
            item = self._bars_layout.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        self._bars.clear()
        rows = dict(files)
        if len(files) > 1:
            rows["__total__"] = self.tr("Total")
        for row, (key, file_name) in enumerate(rows.items()):
            label = QLabel(file_name, self)
            label.setObjectName("BarLabel")
            label.setTextFormat(Qt.TextFormat.PlainText)
            bar = QProgressBar(self)
            bar.setRange(0, 1000)
            bar.setValue(0)
            bar.setTextVisible(False)
            bar.setAccessibleName(self.tr("Upload progress of {file}").format(file=file_name))
            detail = QLabel(self.tr("Waiting"), self)
            detail.setObjectName("BarDetail")
            detail.setTextFormat(Qt.TextFormat.PlainText)
            self._bars_layout.addWidget(label, row, 0)
            self._bars_layout.addWidget(bar, row, 1)
            self._bars_layout.addWidget(detail, row, 2)
            self._bars[key] = (bar, detail)
        self.notices.clear()
        self.notices.hide()
        self._spoken_progress.reset()
        self.outcome.clear()
        self.outcome.setProperty("kind", "")
        self.outcome.hide()
        self.state.clear()
        self.state.hide()
        self._failure = None
        self._step = None
        self.stop_bar.hide()
        self._show_job(None)
        self._set_buttons(running=True)

    # -- live updates ----------------------------------------------------------------------------
    def handlers(self) -> Handlers:
        """What the panel shows of a PipelineRunner's events, by type (ui/event_adapter.py)."""
        return {
            StepStarted: lambda e: self.on_step_started(e.step),
            StepFinished: self.on_step_finished,
            FileProgress: lambda e: self.on_file_progress(e.env_var, e.progress),
            TotalProgress: lambda e: self.on_total_progress(e.progress),
            Notice: lambda e: self.add_notice(e.text),
            StateDerived: lambda e: self.show_state(e.state),
        }

    def on_step_started(self, step: Step) -> None:
        self._step = step
        if step is Step.START:
            self.stop_bar.hide()
            self.cancel_button.setEnabled(False)
            self.cancel_button.setToolTip(translated("ProgressPanel", STARTING_TOOLTIP))
        mark, name, _ = self._steps[step]
        mark.setText(MARKS["running"])
        announce(self, f"{step.value}…")
        name.setProperty("state", "running")
        restyle(name)

    def on_step_finished(self, event: StepFinished) -> None:
        mark, name, timing = self._steps[event.step]
        mark.setText(MARKS.get(event.status, "?"))
        name.setProperty("state", event.status)
        restyle(name)
        timing.setText(duration_text(event.seconds))

    def on_file_progress(self, env_var: str, progress: TransferProgress) -> None:
        self._update_bar(env_var, progress)

    def on_total_progress(self, progress: TransferProgress) -> None:
        self._update_bar("__total__", progress)

    def _update_bar(self, key: str, progress: TransferProgress) -> None:
        if key not in self._bars:
            return
        bar, detail = self._bars[key]
        fraction = progress.fraction
        bar.setValue(int((fraction or 0.0) * 1000))
        detail.setText(describe_progress(progress))
        if fraction is not None and (key == "__total__" or len(self._bars) == 1):
            self._spoken_progress.update(fraction * 100, self.tr("Sent"))

    def add_notice(self, text: str) -> None:
        lines = [line for line in self.notices.text().split("\n") if line][-4:]
        self.notices.setText("\n".join([*lines, text]))
        self.notices.show()

    # -- the end ----------------------------------------------------------------------------------
    def show_success(self, job_uid: str, *, already_started: bool, new_job: bool) -> None:
        # One bar per file (a total beside them when there are several).
        if len(self._bars) > 1:
            lines = [self.tr("Sent. Runway is processing your files.")]
        else:
            lines = [self.tr("Sent. Runway is processing your file.")]
        if already_started:
            lines = [self.tr("Runway had already started this job; it was not started twice.")]
        if new_job:
            lines.append(
                self.tr("A new job was created because the first one's upload links expired.")
            )
        lines.append(
            self.tr(
                "Results appear under Output sets, usually within a few minutes. "
                "The History screen shows what becomes of this submission."
            )
        )
        self.title.setText(self.tr("Sent {subject}").format(subject=self._subject()))
        self._show_outcome("success", "\n".join(lines))
        self._show_job(job_uid)
        self._set_buttons(running=False, success=True)

    def show_failure(
        self, message: str, next_step: str, *, can_retry: bool, job_uid: str | None
    ) -> None:
        self.title.setText(self.tr("Not sent: {subject}").format(subject=self._subject()))
        self._failure = message
        self._show_outcome("error", f"{message}\n{next_step}".strip())
        self._show_job(job_uid)
        self._set_buttons(running=False, success=False, can_retry=can_retry)

    def show_state(self, derived: DerivedState) -> None:
        """What the submission now is, derived from its record as History derives it: after
        the run, and again whenever History reads it anew (a Resume there, results found),
        so this page never keeps a stale copy. After a failure its words replace the error's
        own advice, which cannot know whether a start may have happened ("try again" after a
        lost answer would start the job twice)."""
        self.state.setText(f"{derived.mark}  {derived.label}")
        self.state.setProperty("kind", derived.tone)
        restyle(self.state)
        self.state.show()
        if self._failure is None:
            return
        # The state's label is the core's word for it (History's and the CLI's too).
        self.title.setText(
            self.tr("{state}: {subject}").format(state=derived.label, subject=self._subject())
        )
        # Once it moved on (resumed elsewhere, then waiting or processed) the old failure is
        # history: the state's own words say what it is now.
        moved_on = derived.tone in ("info", "success")
        lines = [None if moved_on else self._failure, derived.explanation, derived.next_step]
        kind = derived.tone if moved_on else "error"
        self._show_outcome(kind, "\n".join(line for line in lines if line))
        # Retry only where the state offers it: Resume, or sending again when nothing got
        # through; never on a start that may have happened.
        if derived.offers_resume or derived.offers_resubmit_first:
            self.retry_button.setText(
                self.tr("&Resume") if derived.offers_resume else self.tr("Submit a&gain")
            )
            self.retry_button.setVisible(derived.state is not SubmissionState.SENDING)
        else:
            self.retry_button.hide()

    def _show_outcome(self, kind: str, text: str) -> None:
        self.outcome.setText(text)
        self.outcome.setProperty("kind", kind)
        restyle(self.outcome)
        self.outcome.show()
        # Said at once: the clerk may be anywhere on the screen (or elsewhere) when it ends.
        announce(self, f"{self.title.text()}. {text}", assertive=True)

    def _show_job(self, job_uid: str | None) -> None:
        self.job_id.setText(job_uid or "")
        for widget in (self._job_label, self.job_id, self.copy_button):
            widget.setVisible(bool(job_uid))

    def _set_buttons(
        self, *, running: bool, success: bool = False, can_retry: bool = False
    ) -> None:
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.cancel_button.setText(self.tr("&Cancel"))
        self.cancel_button.setToolTip("")
        if not running:
            self.stop_bar.hide()
        self.another_button.setVisible(not running and success)
        self.outputs_button.setVisible(not running and success)
        self.retry_button.setVisible(not running and not success and can_retry)
        self.back_button.setVisible(not running and not success)
        if not running:
            (self.another_button if success else self.back_button).setFocus()

    def on_cancel(self) -> None:
        if self._step is Step.UPLOAD:
            self.stop_bar.ask(translated("ProgressPanel", STOP_WHILE_UPLOADING))
            return
        self._cancel_now()

    def _cancel_now(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText(self.tr("Cancelling…"))
        self.cancelRequested.emit()

    def on_copy(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(self.job_id.text())
        self.copy_button.setText(self.tr("Copied"))
