"""Runs a Resume pressed on the History screen and turns the runner's events into what the
detail pane shows: one line of progress, notices, and a plain-words outcome (one ``events``
signal carrying ResumeProgress, ResumeNotice and ResumeDone)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, Signal

from runway_desktop.api.progress import TransferProgress
from runway_desktop.core.progress_text import describe_progress
from runway_desktop.core.session import Connection, Session
from runway_desktop.core.submit.events import (
    FileProgress,
    Finished,
    Notice,
    Step,
    StepFinished,
    StepStarted,
    SubmissionRequest,
    SubmissionResult,
    TotalProgress,
)
from runway_desktop.ui.event_adapter import connect_handlers
from runway_desktop.ui.submit.pipeline_runner import PipelineRunner, pipeline_factory


def outcome_text(result: SubmissionResult) -> tuple[str, bool]:
    if result.ok:
        if result.already_started:
            return QCoreApplication.translate("ResumeController",
                "Runway had already started job {job}; it was not started twice. Results appear "
                "under Output sets.").format(job=result.job_uid), True  # fmt: skip
        lines = [QCoreApplication.translate(
            "ResumeController", "Resumed: Runway started job {job}.").format(job=result.job_uid)
        ]  # fmt: skip
        if result.new_job:
            lines.append(QCoreApplication.translate("ResumeController",
                "A new job was needed (the first one could not be finished); it is listed as "
                "submission #{id}.").format(id=result.submission_id)
            )  # fmt: skip
        return " ".join(lines), True
    error = result.error
    if error is None:
        return QCoreApplication.translate(
            "ResumeController", "The resume was cancelled. Nothing was started."
        ), False
    text = QCoreApplication.translate("ResumeController", "Not resumed: {message} {next_step}")
    return text.format(message=error.message, next_step=error.next_step).strip(), False


@dataclass(frozen=True)
class ResumeProgress:
    text: str  # one line
    fraction: float | None


@dataclass(frozen=True)
class ResumeNotice:
    text: str


@dataclass(frozen=True)
class ResumeDone:
    result: SubmissionResult
    text: str  # the outcome in plain words
    ok: bool


ResumeEvent = ResumeProgress | ResumeNotice | ResumeDone


class ResumeController(QObject):
    # Not "event": that would hide QObject.event(), through which Qt delivers this object's
    # own events.
    events = Signal(object)  # a ResumeEvent

    def __init__(
        self, runner: PipelineRunner, services: Session, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.services = services
        self.submission_id: int | None = None
        self.last_text = ""
        self.last_fraction: float | None = None
        self._step: Step | None = None
        self._files = 0
        connect_handlers(runner.events, {
            StepStarted: lambda e: self.on_step_started(e.step),
            StepFinished: self.on_step_finished,
            TotalProgress: lambda e: self.on_progress(e.progress),
            FileProgress: lambda e: self.on_file_progress(e.env_var, e.progress),
            Notice: lambda e: self.events.emit(ResumeNotice(e.text)),
            Finished: lambda e: self.on_finished(e.result),
        })  # fmt: skip

    def start(self, connection: Connection, submission_id: int, request: SubmissionRequest) -> None:
        self.submission_id = submission_id
        self._files = len(request.files)
        self._emit(self.tr("Resuming…"), None)

        self.runner.resume(pipeline_factory(self.services, connection), submission_id, request)

    def _emit(self, text: str, fraction: float | None) -> None:
        self.last_text, self.last_fraction = text, fraction
        self.events.emit(ResumeProgress(text, fraction))

    def on_step_started(self, step: Step) -> None:
        self._step = step
        # The step's name is the core's (the progress panel shows it too).
        self._emit(self.tr("Resuming: {step}…").format(step=step.value.lower()), None)

    def on_step_finished(self, event: StepFinished) -> None:
        if event.status == "done":
            step = event.step.value.lower()
            self._emit(self.tr("Resuming: {step} done").format(step=step), None)

    def on_file_progress(self, _env_var: str, progress: TransferProgress) -> None:
        if self._files == 1:
            self.on_progress(progress)

    def on_progress(self, progress: TransferProgress) -> None:
        text = self.tr("Resuming: uploading · {progress}")
        self._emit(text.format(progress=describe_progress(progress)), progress.fraction)

    def on_finished(self, result: SubmissionResult) -> None:
        text, ok = outcome_text(result)
        self.events.emit(ResumeDone(result, text, ok))
