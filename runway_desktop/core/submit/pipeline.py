"""The submission pipeline: check files → sign in → create job → upload all files → start.

A new submission checks each file's start before any byte is sent, and reads the rest of each
large file while the files are sent (``whole_file_checks``): the job starts only once both
the uploads and every file's check have passed.

Qt-free: it emits plain events (``submit.events``) to one listener, which the GUI adapter
turns into signals and the CLI into terminal output. Every step is recorded in the history
store so the History screen can later say what became of the submission, and so an
interrupted submission can be resumed without starting a job twice.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import TypeVar

import httpx

from runway_desktop.api.client import RunwayClient
from runway_desktop.api.errors import RunwayError, S3Error, TransferCancelled
from runway_desktop.api.models import CreatedJob, CreateJobRequest
from runway_desktop.bundles.preflight import PreflightReport
from runway_desktop.bundles.validation import build_params
from runway_desktop.core.connection_check import send_scope_problem
from runway_desktop.core.output_sets import RunwayLook, look_for_job
from runway_desktop.core.submit.check_step import CheckedFiles, check_files
from runway_desktop.core.submit.checks import changed_since_sent, file_records
from runway_desktop.core.submit.events import (
    Finished,
    Notice,
    Outcome,
    PipelineEvent,
    Step,
    StepFinished,
    StepStarted,
    SubmissionRequest,
    SubmissionResult,
)
from runway_desktop.core.submit.links import UploadLinkCache
from runway_desktop.core.submit.outcomes import (
    cancelled_error,
    record_check_step,
    record_failure,
    record_started,
)
from runway_desktop.core.submit.resume_plan import ResumeAction, plan_resume, resume_facts
from runway_desktop.core.submit.send_claim import BUSY_REASON, SendClaims, claims_dir_of
from runway_desktop.core.submit.uploads import ParallelUploads
from runway_desktop.core.submit.whole_file_checks import WholeFileChecks
from runway_desktop.history.records import utc_now
from runway_desktop.history.store import STATE_FAILED, SUPERSEDED, HistoryStore

Listener = Callable[[PipelineEvent], None]
T = TypeVar("T")


class SubmissionPipeline:
    """One submission at a time. ``cancel()`` may be called from the listener's thread."""

    def __init__(
        self,
        client: RunwayClient,
        http: httpx.AsyncClient,
        history: HistoryStore,
        *,
        links: UploadLinkCache | None = None,
        listener: Listener | None = None,
        upload_slots: asyncio.Semaphore | None = None,
    ) -> None:
        """``upload_slots``: a cap on uploads at once that other pipelines share (a batch)."""
        self.client = client
        self.http = http
        self.history = history
        self.links = links or UploadLinkCache()
        self._listener = listener
        self._upload_slots = upload_slots
        self._cancel = asyncio.Event()
        self.submission_id: int | None = None
        # What this run sends, claimed against other processes; released when it ends.
        self._claims = SendClaims(claims_dir_of(history.path))

    def cancel(self) -> None:
        """Stop as soon as possible. A job is never started after this was called."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _emit(self, event: PipelineEvent) -> None:
        if self._listener is not None:
            self._listener(event)

    # -- public entry points -----------------------------------------------------------------
    async def submit(self, request: SubmissionRequest) -> SubmissionResult:
        try:
            return await self._submit(request)
        finally:
            self._claims.release_all()

    async def resume(self, submission_id: int, request: SubmissionRequest) -> SubmissionResult:
        """Finish an interrupted submission without ever starting its job twice.

        The plan comes from :func:`plan_resume` (a pure function): start only when no start
        was ever left unanswered; after a lost start answer, only Runway's output sets can
        settle it, and until they do nothing is started. Otherwise re-upload what is missing
        while this session's links are still valid, or send as a new job (and say so). While
        another process sends the same submission, nothing is done at all.
        """
        try:
            return await self._resume(submission_id, request)
        finally:
            self._claims.release_all()

    async def _submit(self, request: SubmissionRequest) -> SubmissionResult:
        self._cancel.clear()  # a cancel belongs to the submission it was pressed for
        checked = await check_files(
            request, self.history, self._emit, submission_id=None, quick=True
        )
        if isinstance(checked, SubmissionResult):
            return checked
        # From now on, beside the rest.
        late = WholeFileChecks(request, checked, self._emit, self._cancel)
        try:
            submission_id = self._new_record(request, checked, late=late)
            return await self._send(submission_id, request, checked.reports, late)
        finally:
            late.stop()

    async def _resume(self, submission_id: int, request: SubmissionRequest) -> SubmissionResult:
        if not self._claims.take(submission_id):
            known = self.history.get(submission_id)
            return self._undecided(submission_id, known.job_uid if known else None, BUSY_REASON)
        # Read again under the claim: another sender may have moved it on since it was shown.
        record = self.history.get(submission_id)
        if record is None:
            raise KeyError(submission_id)
        if record.error_kind == SUPERSEDED:
            # Its replacement carries the files now; resuming this one would send them twice.
            raise ValueError(f"submission #{submission_id} was superseded: {record.error_message}")
        self._cancel.clear()
        self.submission_id = submission_id
        links_usable = record.job_uid is not None and self.links.usable(record.job_uid) is not None
        facts = resume_facts(record, links_usable)
        plan = plan_resume(facts)
        if plan.action is ResumeAction.LOOK_FIRST and record.job_uid is not None:
            look = await look_for_job(self.client, self.history, request.partner, record.job_uid)
            plan = plan_resume(replace(facts, look=look))
        if plan.action is ResumeAction.ALREADY_STARTED and record.job_uid is not None:
            return self._started(submission_id, record.job_uid, already=True)
        if plan.action is ResumeAction.KEEP_LOOKING:
            return self._undecided(submission_id, record.job_uid, plan.reason)
        # Whole files first: what was sent is known by its MD5 before anything is sent again.
        checked = await check_files(
            request, self.history, self._emit, submission_id=submission_id, quick=False
        )
        if isinstance(checked, SubmissionResult):
            return checked
        reports = checked.reports
        changed = [
            f.upload_name for f in record.files if changed_since_sent(f, reports[f.env_var])
        ] if all(f.env_var in reports for f in record.files) else ["the chosen files"]  # fmt: skip
        plan = plan_resume(replace(facts, slots=frozenset(reports), changed_files=tuple(changed)))
        job_uid = record.job_uid
        if plan.action is ResumeAction.START and job_uid is not None:
            return await self._start(submission_id, job_uid)
        links = self.links.usable(job_uid) if job_uid is not None else None
        if plan.action is ResumeAction.UPLOAD_THEN_START and job_uid and links is not None:
            missing = {k: r for k, r in reports.items() if k in plan.missing}
            return await self._upload_then_start(submission_id, job_uid, links, missing)
        # A new job: the old links are gone (or the files changed since they were sent).
        self._emit(Notice(f"Creating a new job because {plan.reason}."))
        new_id = self._new_record(request, checked, resumed_from=submission_id)
        self.history.set_state(
            submission_id,
            STATE_FAILED,
            error_kind=SUPERSEDED,
            error_message=f"Replaced by submission #{new_id} because {plan.reason}.",
            finished_at=utc_now(),
        )
        result = await self._send(new_id, request, reports)
        return replace(result, new_job=True)

    def _new_record(
        self,
        request: SubmissionRequest,
        checked: CheckedFiles,
        *,
        late: WholeFileChecks | None = None,
        resumed_from: int | None = None,
    ) -> int:
        """A history record for files that passed the checks, with the check step in it (and
        one step per file that ``late`` reads to the end meanwhile)."""
        reports = checked.reports
        submission_id = self.history.create_submission(
            profile=request.profile_name,
            api_base_url=request.api_base_url,
            partner=request.partner,
            tenant=request.tenant,
            school_year=request.school_year,
            bundle=request.bundle.path,
            bundle_name=request.bundle.display_name,
            params=build_params(request.bundle, request.params),
            files=file_records(reports),
            resumed_from=resumed_from,
            before_commit=self._claims.take_new,
        )
        self.submission_id = submission_id
        record_check_step(
            self.history, submission_id, len(reports), checked.accepted, at=checked.started_at
        )
        if late is not None:
            late.record_in(self.history, submission_id)
        return submission_id

    # -- steps -------------------------------------------------------------------------------
    async def _send(
        self,
        submission_id: int,
        request: SubmissionRequest,
        reports: Mapping[str, PreflightReport],
        late: WholeFileChecks | None = None,
    ) -> SubmissionResult:
        try:
            await self._step(
                submission_id, Step.SIGN_IN, "signing_in", self.client.tokens.get_token()
            )
            self._raise_if_cancelled()
            if late is not None:
                late.raise_if_failed()  # a file already failed: no job at all
            body = CreateJobRequest(
                partner=request.partner,
                tenant=request.tenant,
                bundle=request.bundle.path,
                school_year=request.school_year,
                files={env: report.upload_name for env, report in reports.items()},
                params=build_params(request.bundle, request.params),
            )
            created = await self._step(submission_id, Step.CREATE, "creating", self._create(body))
        except RunwayError as error:
            if error.possibly_created:
                self.history.set_state(submission_id, STATE_FAILED, orphan_job_possible=1)
            return self._failed(submission_id, None, error)
        self.links.put(created.uid, created.upload_urls)
        self.history.set_state(
            submission_id, "uploading", job_uid=created.uid, job_created_at=utc_now()
        )
        return await self._upload_then_start(
            submission_id, created.uid, created.upload_urls, reports, late
        )

    async def _create(self, body: CreateJobRequest) -> CreatedJob:
        # The core's one scope rule, before anything is sent: Runway's own refusal names no
        # scope. Both front ends submit through here.
        tokens = self.client.tokens
        refusal = send_scope_problem(tokens.claims, tokens.settings.client_id)
        if refusal is not None:
            raise refusal
        return await self.client.create_job(body)

    async def _upload_then_start(
        self,
        submission_id: int,
        job_uid: str,
        links: Mapping[str, str],
        reports: Mapping[str, PreflightReport],
        late: WholeFileChecks | None = None,
    ) -> SubmissionResult:
        self.history.set_state(submission_id, "uploading")
        uploads = ParallelUploads(
            self.http,
            self.history,
            self._emit,
            self._cancel,
            halt=late.failed if late else None,
            slots=self._upload_slots,
        )
        try:
            work = self._step(
                submission_id,
                Step.UPLOAD,
                "uploading",
                uploads.run(submission_id, links, reports),
            )
            # The start waits for every file's whole-file check too (a failed one wins).
            await (work if late is None else late.alongside(work))
            self._raise_if_cancelled()
        except RunwayError as error:
            if isinstance(error, S3Error) and error.needs_new_url:
                # Expired or refused links stay refused: a resume must create a new job.
                self.links.forget(job_uid)
            if self.cancelled:
                # The user's cancel, not the transfer's own wording ("start it again later").
                error = cancelled_error()
            return self._failed(submission_id, job_uid, error)
        return await self._start(submission_id, job_uid)

    async def _start(self, submission_id: int, job_uid: str) -> SubmissionResult:
        if self.cancelled:  # never start a job the user cancelled
            return self._failed(submission_id, job_uid, cancelled_error())
        self.history.set_state(submission_id, "starting", start_requested_at=utc_now())
        try:
            result = await self._step(
                submission_id, Step.START, "starting", self.client.start_job(job_uid)
            )
        except RunwayError as error:
            if not error.possibly_started:
                return self._failed(submission_id, job_uid, error)
            return await self._settle_lost_start(submission_id, job_uid, error)
        self.links.forget(job_uid)
        return self._started(submission_id, job_uid, already=result.already_started)

    async def _settle_lost_start(
        self, submission_id: int, job_uid: str, error: RunwayError
    ) -> SubmissionResult:
        """The start may have taken: only the job's output sets can tell, and a second start
        would process the files twice (CONTRACT §4.4). Look once now; History and ``resume``
        keep looking, and nothing starts the job again."""
        failed = self._record_failure(submission_id, job_uid, error)
        record = self.history.get(submission_id)
        look = RunwayLook.COULD_NOT_TELL
        if record is not None:
            look = await look_for_job(self.client, self.history, record.partner, job_uid)
        if look is RunwayLook.HAS_OUTPUT:
            return self._started(submission_id, job_uid, already=True)
        reason = error.message
        if record is not None:
            reason = plan_resume(replace(resume_facts(record, False), look=look)).reason
        result = replace(failed, outcome=Outcome.UNDECIDED, reason=reason)
        self._emit(Finished(result))
        return result

    async def _step(self, submission_id: int, step: Step, state: str, work: Awaitable[T]) -> T:
        self.history.set_state(submission_id, state)
        step_id = self.history.step_started(submission_id, step.name)
        self._emit(StepStarted(step))
        started = time.monotonic()
        try:
            value = await work
        except RunwayError as error:
            status = "cancelled" if isinstance(error, TransferCancelled) else "failed"
            self.history.step_finished(step_id, status, error.message)
            self._emit(StepFinished(step, status, _since(started), error.message))
            raise
        self.history.step_finished(step_id, "done")
        self._emit(StepFinished(step, "done", _since(started)))
        return value

    def _raise_if_cancelled(self) -> None:
        if self.cancelled:
            raise cancelled_error()

    def _failed(
        self, submission_id: int, job_uid: str | None, error: RunwayError
    ) -> SubmissionResult:
        result = self._record_failure(submission_id, job_uid, error)
        self._emit(Finished(result))
        return result

    def _started(self, submission_id: int, job_uid: str, *, already: bool) -> SubmissionResult:
        result = record_started(self.history, submission_id, job_uid, already=already)
        self._emit(Finished(result))
        return result

    def _record_failure(
        self, submission_id: int, job_uid: str | None, error: RunwayError
    ) -> SubmissionResult:
        return record_failure(self.history, submission_id, job_uid, error)

    def _undecided(self, submission_id: int, job_uid: str | None, reason: str) -> SubmissionResult:
        """Nothing was started: the record keeps what it knows, and the result says why."""
        result = SubmissionResult(
            submission_id=submission_id, outcome=Outcome.UNDECIDED, job_uid=job_uid, reason=reason
        )
        self._emit(Finished(result))
        return result


def _since(started: float) -> float:
    return time.monotonic() - started
