"""The thin Qt adapter over the Qt-free submission pipeline: its events become one signal.

The pipeline runs as an asyncio task on the Qt loop (qasync); network and disk work inside it
never block the UI thread. ``events`` carries the pipeline's own event values (StepStarted,
FileProgress, Notice, …) unchanged, plus what only the runner knows: ``Finished`` once however
the task ended, ``StateDerived`` and ``RunningChanged``. Views pick handlers by event type
(ui/event_adapter.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from runway_desktop.api.errors import RunwayError
from runway_desktop.core.session import Connection, Session
from runway_desktop.core.submission_state import DerivedState, derive_state
from runway_desktop.core.submit.events import (
    Finished,
    Outcome,
    PipelineEvent,
    SubmissionRequest,
    SubmissionResult,
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


@dataclass(frozen=True)
class StateDerived:
    """The finished submission's state, read back from its record off the Qt thread: what
    History shows for it, in the same words."""

    state: DerivedState


@dataclass(frozen=True)
class RunningChanged:
    running: bool


RunnerEvent = PipelineEvent | StateDerived | RunningChanged


class PipelineRunner(QObject):
    # Not "event": that would hide QObject.event(), through which Qt delivers this object's
    # own events.
    events = Signal(object)  # a RunnerEvent

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
        self.events.emit(RunningChanged(True))

    def _on_event(self, event: PipelineEvent) -> None:
        # The pipeline's Finished is left out: _on_done tells it once, whatever way the task
        # ended (a cancel or a bug has no Finished of the pipeline's own).
        if type(event) is not Finished:
            self.events.emit(event)

    def _on_done(self, task: asyncio.Future[SubmissionResult]) -> None:
        pipeline = self._pipeline
        self._task = None
        if not shiboken6.isValid(self):
            return  # the window closed as the run ended: the record holds what happened
        self.events.emit(RunningChanged(False))
        if task.cancelled():
            result = SubmissionResult(
                submission_id=(pipeline.submission_id if pipeline else None) or 0,
                outcome=Outcome.CANCELLED,
            )
        elif (exc := task.exception()) is not None:
            # A bug, not a Runway answer: still tell the user something useful.
            error = exc if isinstance(exc, RunwayError) else RunwayError(
                self.tr("Something unexpected went wrong while sending."),
                next_step=self.tr("Try again. If it keeps happening, export diagnostics from "
                "History and send them to your Runway support contact."),
                server_message=repr(exc),
            )  # fmt: skip
            result = SubmissionResult(
                submission_id=(pipeline.submission_id if pipeline else None) or 0,
                outcome=Outcome.FAILED,
                error=error,
            )
        else:
            result = task.result()
        self.events.emit(Finished(result))
        if pipeline is not None and result.submission_id:
            derive = asyncio.ensure_future(_derived(pipeline, result.submission_id))
            derive.add_done_callback(self._on_derived)

    def _on_derived(self, task: asyncio.Future[DerivedState | None]) -> None:
        if not shiboken6.isValid(self):
            return  # the window closed while the record was read: nobody is left to tell
        if not task.cancelled() and task.exception() is None and (found := task.result()):
            self.events.emit(StateDerived(found))


async def _derived(pipeline: SubmissionPipeline, submission_id: int) -> DerivedState | None:
    record = await asyncio.to_thread(pipeline.history.get, submission_id)
    if record is None:
        return None
    # The run has ended, so nothing of this process sends it any more.
    return derive_state(record, now=utc_now(), running_here=False)
