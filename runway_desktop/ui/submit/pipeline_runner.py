"""The thin Qt adapter over the Qt-free submission pipeline: its events become signals.

The pipeline runs as an asyncio task on the Qt loop (qasync); network and disk work inside it
never block the UI thread. Widgets connect to the signals and never see the core's events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from runway_desktop.api.errors import RunwayError
from runway_desktop.core.session import Connection, Session
from runway_desktop.core.submission_state import DerivedState, derive_state
from runway_desktop.core.submit.events import (
    FileProgress,
    FilesChecked,
    Finished,
    Notice,
    Outcome,
    PipelineEvent,
    StepFinished,
    StepStarted,
    SubmissionRequest,
    SubmissionResult,
    TotalProgress,
)
from runway_desktop.history.records import utc_now

if TYPE_CHECKING:
    from runway_desktop.core.submit.pipeline import Listener, SubmissionPipeline

PipelineFactory = Callable[["Listener"], "SubmissionPipeline"]


def pipeline_factory(services: Session, connection: Connection) -> PipelineFactory:
    """Pipelines on the app's shared HTTP client, history and in-memory upload links."""

    # Imported here: the pipeline pulls in httpcore and h11 (55–110 ms), which the window does
    # not need before its first paint.
    from runway_desktop.core.submit.pipeline import SubmissionPipeline

    def make(listener: Listener) -> SubmissionPipeline:
        return SubmissionPipeline(
            connection.client,
            services.http,
            services.history,
            links=services.links,
            listener=listener,
        )

    return make


class PipelineRunner(QObject):
    stepStarted = Signal(object)  # Step
    stepFinished = Signal(object)  # StepFinished
    filesChecked = Signal(object)  # Mapping[str, PreflightReport]
    fileProgress = Signal(str, object)  # env var, TransferProgress
    totalProgress = Signal(object)  # TransferProgress
    notice = Signal(str)
    finished = Signal(object)  # SubmissionResult
    # The finished submission's state (DerivedState), read back from its record off the Qt
    # thread: what History shows for it, in the same words.
    stateDerived = Signal(object)
    runningChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pipeline: SubmissionPipeline | None = None
        self._task: asyncio.Future[SubmissionResult] | None = None

    def is_running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def submission_id(self) -> int | None:
        """The record the running (or last) pipeline writes; None before it made one."""
        return self._pipeline.submission_id if self._pipeline is not None else None

    def submit(self, make_pipeline: PipelineFactory, request: SubmissionRequest) -> None:
        pipeline = self._prepare(make_pipeline)
        self._run(pipeline.submit(request))

    def resume(
        self, make_pipeline: PipelineFactory, submission_id: int, request: SubmissionRequest
    ) -> None:
        pipeline = self._prepare(make_pipeline)
        self._run(pipeline.resume(submission_id, request))

    def cancel(self) -> None:
        if self._pipeline is not None:
            self._pipeline.cancel()

    def _prepare(self, make_pipeline: PipelineFactory) -> SubmissionPipeline:
        if self.is_running():
            raise RuntimeError("a submission is already running")
        self._pipeline = make_pipeline(self._on_event)
        return self._pipeline

    def _run(self, work: Coroutine[Any, Any, SubmissionResult]) -> None:
        self._task = asyncio.ensure_future(work)
        self._task.add_done_callback(self._on_done)
        self.runningChanged.emit(True)

    def _on_event(self, event: PipelineEvent) -> None:
        if isinstance(event, StepStarted):
            self.stepStarted.emit(event.step)
        elif isinstance(event, StepFinished):
            self.stepFinished.emit(event)
        elif isinstance(event, FilesChecked):
            self.filesChecked.emit(event.reports)
        elif isinstance(event, FileProgress):
            self.fileProgress.emit(event.env_var, event.progress)
        elif isinstance(event, TotalProgress):
            self.totalProgress.emit(event.progress)
        elif isinstance(event, Notice):
            self.notice.emit(event.text)
        elif isinstance(event, Finished):
            pass  # reported once, from _on_done, whatever way the task ended

    def _on_done(self, task: asyncio.Future[SubmissionResult]) -> None:
        pipeline = self._pipeline
        self._task = None
        self.runningChanged.emit(False)
        if task.cancelled():
            result = SubmissionResult(
                submission_id=(pipeline.submission_id if pipeline else None) or 0,
                outcome=Outcome.CANCELLED,
            )
        elif (exc := task.exception()) is not None:
            # A bug, not a Runway answer: still tell the user something useful.
            error = exc if isinstance(exc, RunwayError) else RunwayError(
                "Something unexpected went wrong while sending.",
                next_step="Try again. If it keeps happening, export diagnostics from History "
                "and send them to your Runway support contact.",
                server_message=repr(exc),
            )  # fmt: skip
            result = SubmissionResult(
                submission_id=(pipeline.submission_id if pipeline else None) or 0,
                outcome=Outcome.FAILED,
                error=error,
            )
        else:
            result = task.result()
        self.finished.emit(result)
        if pipeline is not None and result.submission_id:
            derive = asyncio.ensure_future(_derived(pipeline, result.submission_id))
            derive.add_done_callback(self._on_derived)

    def _on_derived(self, task: asyncio.Future[DerivedState | None]) -> None:
        if not task.cancelled() and task.exception() is None and (found := task.result()):
            self.stateDerived.emit(found)


async def _derived(pipeline: SubmissionPipeline, submission_id: int) -> DerivedState | None:
    record = await asyncio.to_thread(pipeline.history.get, submission_id)
    if record is None:
        return None
    # The run has ended, so nothing of this process sends it any more.
    return derive_state(record, now=utc_now(), running_here=False)
