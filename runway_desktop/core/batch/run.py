"""Sending a batch plan: a queue with a limit, sent idempotently, one outcome per item.

Qt-free; what happens is told to one listener as plain values (``ItemStarted``,
``ItemStep`` carrying the pipeline's own events, ``ItemFinished``), so the GUI can show a
batch later with the adapter it uses for one submission.

Running a plan twice, or again after it was killed, sends nothing twice. For each item, under
a claim that keeps a second run on this computer off the same files:

- the same files (same MD5s) were sent for the same target and Runway started them
  (the core's ``already_sent``, judged by the one state model): skipped, "already sent";
  with ``resend`` they are sent again as a new submission;
- a submission of these files whose start's answer was lost, or one that was interrupted
  before its start: finished through the pipeline's ``resume``, which never starts a job
  twice (after a lost answer it only looks for the job's output sets);
- otherwise: a new submission through the pipeline.

A failure of one item never stops the others.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx
from filelock import FileLock, Timeout

from runway_desktop.api.client import RunwayClient
from runway_desktop.api.errors import RunwayError
from runway_desktop.base.words import localized, translate
from runway_desktop.bundles.model import Bundle, Registry
from runway_desktop.bundles.preflight import PreflightReport, preflight_file
from runway_desktop.bundles.validation import Problem, validate_submission
from runway_desktop.core.batch.outcomes import (
    BUSY_TEXT,
    DONE_STATUSES,
    STATUS_WORDS,
    WORDS,
    BatchEvent,
    ItemFinished,
    ItemOutcome,
    ItemStarted,
    ItemStatus,
    ItemStep,
    Listener,
    outcome_text,
)
from runway_desktop.core.batch.plan import BatchPlan, PlanItem
from runway_desktop.core.batch.queue_control import (
    MAX_UPLOADS,
    NOT_SENT_NEXT,
    NOT_SENT_TEXT,
    QueueControl,
)
from runway_desktop.core.batch.sent_before import SentFiles, recorded_md5
from runway_desktop.core.history_actions import already_sent, already_sent_text
from runway_desktop.core.submission_state import SubmissionState, derive_state
from runway_desktop.core.submit.events import (
    Outcome,
    SubmissionInvalid,
    SubmissionResult,
)
from runway_desktop.core.submit.form_values import FormValues, submission_request
from runway_desktop.core.submit.pipeline import SubmissionPipeline
from runway_desktop.history.records import SubmissionRecord, utc_now
from runway_desktop.history.store import HistoryStore
from runway_desktop.settings import Profile

# The run's values live in outcomes.py; they are named here too, where the run is.
__all__ = [
    "BUSY_TEXT", "DEFAULT_JOBS", "DONE_STATUSES", "STATUS_WORDS", "BatchEvent", "BatchRunner",
    "ItemFinished", "ItemOutcome", "ItemStarted", "ItemStatus", "ItemStep", "Listener",
    "outcome_text",
]  # fmt: skip

log = logging.getLogger(__name__)

DEFAULT_JOBS = 2
# Runway processed (or is processing) what these records sent: sending it again would
# process the same files twice. START_UNCERTAIN is not among them: it is settled by a resume.
_STARTED = frozenset(
    {SubmissionState.WAITING, SubmissionState.NO_RESULT_YET, SubmissionState.COULD_NOT_TELL,
     SubmissionState.PROCESSED, SubmissionState.LOADED}
)  # fmt: skip


@dataclass
class BatchRunner:
    """Sends a plan's items, ``jobs`` at a time, with one connection and one history."""

    client: RunwayClient
    http: httpx.AsyncClient
    history: HistoryStore
    profile: Profile
    registry: Registry
    jobs: int = DEFAULT_JOBS
    resend: bool = False
    listener: Listener | None = None
    # Pause, resume and stop for the items not yet begun (any front end may hold it).
    control: QueueControl = field(default_factory=QueueControl)
    # Uploads at once over the whole batch (each submission sends its files side by side).
    max_uploads: int = MAX_UPLOADS
    # Where the plan came from (its folder or file): the run is then kept in History as a
    # batch with each item's outcome (its summary). None: not kept (Airflow's one submission).
    record_as: str | None = None
    batch_id: int | None = field(default=None, init=False)  # the History batch of the run
    # Submissions that can be resumed, by target and files: read once per run (see _decide).
    _open: dict[tuple[str, ...], list[int]] = field(default_factory=dict, init=False)
    # One lock per target and files in this run: a plan listing the same files twice sends
    # them once (the second waits, then finds them sent), instead of reading as "busy".
    _here: dict[tuple[str, ...], asyncio.Lock] = field(default_factory=dict, init=False)
    # One lock per target and file paths, taken before anything is read: the same paths
    # listed twice are taken in the plan's order, so the first one listed is the one sent
    # (the content lock above only knows its key once both have been read, in any order).
    _same_paths: dict[tuple[str, ...], asyncio.Lock] = field(default_factory=dict, init=False)
    _upload_slots: asyncio.Semaphore | None = field(default=None, init=False)
    # The files History vouches for (sent_before.recorded_md5): read once per run.
    _sent_files: SentFiles = field(default_factory=dict, init=False)

    async def run(self, plan: BatchPlan, partner: str) -> list[ItemOutcome]:
        """Every item's outcome, in the plan's order; ``partner`` is the one to send for."""
        self._open = await asyncio.to_thread(self._resumable_index)
        if not self.resend:
            self._sent_files = await asyncio.to_thread(self.history.sent_file_md5s)
        limit = asyncio.Semaphore(max(1, self.jobs))
        self._upload_slots = asyncio.Semaphore(max(1, self.max_uploads))

        if self.record_as is not None:
            labels = [item.label(self.registry) for item in plan.items]
            self.batch_id = self.history.batch_started(
                profile=self.profile.name, partner=partner, source=self.record_as, labels=labels
            )

        async def one(number: int, item: PlanItem) -> ItemOutcome:
            async with limit:
                if not await self.control.may_begin():
                    error = RunwayError(
                        localized(WORDS, NOT_SENT_TEXT), next_step=localized(WORDS, NOT_SENT_NEXT)
                    )
                    outcome = ItemOutcome(number, item, ItemStatus.NOT_SENT, error=error)
                    self._finished(outcome)
                    return outcome
                self._emit(ItemStarted(number, item))
                try:
                    outcome = await self._run_item(number, item, partner)
                except RunwayError as error:
                    outcome = ItemOutcome(number, item, ItemStatus.FAILED, error=error)
                except Exception as exc:
                    # A bug or an unforeseen failure: it never stops the other items; the log
                    # keeps the details. (Cancelling, e.g. Ctrl-C, is no Exception: it stops all.)
                    log.exception("batch item %d failed", number)
                    text = translate("BatchOutcome", "It could not be sent: {error}")
                    unexpected = RunwayError(text.format(error=exc))
                    outcome = ItemOutcome(number, item, ItemStatus.FAILED, error=unexpected)
                self._finished(outcome)
                return outcome

        try:
            return list(await asyncio.gather(*(one(n, i) for n, i in enumerate(plan.items, 1))))
        finally:
            if self.batch_id is not None:
                self.history.batch_finished(self.batch_id)

    def _emit(self, event: BatchEvent) -> None:
        if self.listener is not None:
            self.listener(event)

    def _finished(self, outcome: ItemOutcome) -> None:
        if self.batch_id is not None:
            self.history.batch_item_finished(
                self.batch_id, outcome.number, outcome.status.value, outcome.submission_id,
                outcome_text(outcome),
            )  # fmt: skip
        self._emit(ItemFinished(outcome))

    async def _run_item(self, number: int, item: PlanItem, partner: str) -> ItemOutcome:
        def failed(problems: list[Problem]) -> ItemOutcome:
            return ItemOutcome(number, item, ItemStatus.FAILED, error=SubmissionInvalid(problems))

        bundle = self.registry.get(item.bundle)
        if bundle is None:
            return failed([_unknown_bundle(item.bundle)])
        values = FormValues(
            partner, item.tenant, item.school_year, bundle, dict(item.params), dict(item.files)
        )
        # The submission's own first check, before any file is read to its end.
        problems = validate_submission(
            bundle,
            values.files,
            values.params,
            partner=partner,
            tenant=item.tenant,
            school_year=item.school_year,
        )
        if problems:
            return failed(problems)
        async with self._same_paths.setdefault(_paths_key(values), asyncio.Lock()):
            return await self._read_and_send(number, item, values, bundle)

    async def _read_and_send(
        self, number: int, item: PlanItem, values: FormValues, bundle: Bundle
    ) -> ItemOutcome:
        # Files History vouches for, already started: skipped without reading them again.
        earlier, state = await asyncio.to_thread(self._decide_unread, values)
        if earlier is not None and state is not None:
            return _already_sent(number, item, values, earlier, state)
        reports = await _check(bundle, values.files)
        md5s = tuple(sorted(r.md5 for r in reports.values()))
        async with self._here.setdefault(_target_key(values, md5s), asyncio.Lock()):
            claim = FileLock(self._claim_path(values, md5s), timeout=0, is_singleton=False)
            try:
                claim.acquire(timeout=0)
            except Timeout:
                busy = localized(WORDS, BUSY_TEXT)
                return ItemOutcome(number, item, ItemStatus.BUSY, reason=busy)
            try:
                return await self._send(number, item, values, reports, md5s)
            finally:
                claim.release()

    async def _send(
        self,
        number: int,
        item: PlanItem,
        values: FormValues,
        reports: dict[str, PreflightReport],
        md5s: tuple[str, ...],
    ) -> ItemOutcome:
        earlier, state = await asyncio.to_thread(self._decide, values, md5s)
        if earlier is not None and state in _STARTED:
            if not self.resend:
                assert state is not None
                return _already_sent(number, item, values, earlier, state)
            earlier = None  # sent again as a new submission, as asked
        if earlier is not None and earlier.api_base_url != self.profile.api_base_url:
            # A lost start on another server: only that server's output sets can settle it.
            reason = translate(
                "BatchOutcome",
                "Submission #{number} of these files was sent with the connection “{profile}” and may have started: resume it with that connection.",  # noqa: E501
            ).format(number=earlier.id, profile=earlier.profile)
            return ItemOutcome(
                number, item, ItemStatus.UNDECIDED, earlier.id, earlier.job_uid, reason=reason
            )
        pipeline = SubmissionPipeline(
            self.client,
            self.http,
            self.history,
            listener=lambda event: self._emit(ItemStep(number, event)),
            upload_slots=self._upload_slots,
        )
        request = submission_request(self.profile, values, reports)
        if earlier is not None:
            result = await pipeline.resume(earlier.id, request)
            return _outcome(number, item, result, ItemStatus.RESUMED)
        return _outcome(number, item, await pipeline.submit(request), ItemStatus.SENT)

    # -- what was sent before (blocking: worker threads) ------------------------------------
    def _decide_unread(
        self, values: FormValues
    ) -> tuple[SubmissionRecord | None, SubmissionState | None]:
        """The started submission of these files, if History vouches for every one of them
        (none is read); else (None, None), and the files are checked and decided as ever."""
        known = [recorded_md5(path, self._sent_files) for path in values.files.values()]
        md5s = [md5 for md5 in known if md5 is not None]
        if not md5s or len(md5s) < len(known):
            return None, None
        earlier, state = self._decide(values, tuple(sorted(md5s)))
        return (earlier, state) if state in _STARTED else (None, None)

    def _decide(
        self, values: FormValues, md5s: tuple[str, ...]
    ) -> tuple[SubmissionRecord | None, SubmissionState | None]:
        """The earlier submission of these files that decides what to do, and its state:
        one Runway started (skip), one to resume, or none (send)."""
        now = utc_now()
        sent = already_sent(self.history, values, md5s)
        if sent is not None:
            state = derive_state(sent, now=now).state
            if state in _STARTED:
                return sent, state
            if state is SubmissionState.START_UNCERTAIN or self._resumable(sent):
                return sent, state
        for submission_id in self._open.get(_target_key(values, md5s), []):
            record = self.history.get(submission_id)
            if record is not None and self._resumable(record):
                return record, derive_state(record, now=now).state
        return None, None

    def _resumable(self, record: SubmissionRecord) -> bool:
        # Resumed only against the server that has its job (a profile may point elsewhere).
        same_server = record.api_base_url == self.profile.api_base_url
        return same_server and derive_state(record, now=utc_now()).offers_resume

    def _resumable_index(self) -> dict[tuple[str, ...], list[int]]:
        found: dict[tuple[str, ...], list[int]] = {}
        for page in self.history.all_submissions():
            for record in page:
                md5s = tuple(sorted(f.md5 for f in record.files))
                if md5s and "" not in md5s and self._resumable(record):
                    key = (record.partner, record.tenant, record.school_year, record.bundle)
                    found.setdefault((*key, *md5s), []).append(record.id)
        return found

    def _claim_path(self, values: FormValues, md5s: tuple[str, ...]) -> Path:
        key = "\n".join(_target_key(values, md5s)).encode()
        digest = hashlib.sha256(key).hexdigest()[:32]
        folder = self.history.path.parent / "batch-claims"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{digest}.lock"


def _already_sent(
    number: int,
    item: PlanItem,
    values: FormValues,
    earlier: SubmissionRecord,
    state: SubmissionState,
) -> ItemOutcome:
    assert values.bundle is not None
    return ItemOutcome(
        number,
        item,
        ItemStatus.ALREADY_SENT,
        submission_id=earlier.id,
        job_uid=earlier.job_uid,
        reason=already_sent_text(earlier, values.bundle.display_name),
        state=state,
    )


def _paths_key(values: FormValues) -> tuple[str, ...]:
    # absolute(), not resolve(): no disk is touched before the lock (the order is the plan's).
    paths = sorted(f"{env}={Path(path).absolute()}" for env, path in values.files.items())
    return _target_key(values, paths)


def _target_key(values: FormValues, md5s: Sequence[str]) -> tuple[str, ...]:
    bundle = values.bundle.path if values.bundle is not None else ""
    return (values.partner, values.tenant.strip(), values.school_year.strip(), bundle, *md5s)


async def _check(bundle: Bundle, files: dict[str, Path]) -> dict[str, PreflightReport]:
    """The files' checks with their MD5s: what "already sent" compares, and what the pipeline
    re-uses when the file did not change since (each file is read once)."""
    slots = {env: bundle.file(env) for env in files}
    checked = await asyncio.gather(
        *(preflight_file(path, slot) for env, path in files.items() if (slot := slots[env]))
    )
    return dict(zip(files, checked, strict=True))


def _unknown_bundle(path: str) -> Problem:
    return Problem(
        "bundle",
        translate("BatchOutcome", "There is no assessment {path!r} in the bundle registry.").format(
            path=path
        ),
        translate(
            "BatchOutcome",
            "Correct the item's bundle in the plan (`runway-desktop-cli identify FILE` names it).",
        ),
    )


def _outcome(
    number: int, item: PlanItem, result: SubmissionResult, done: ItemStatus
) -> ItemOutcome:
    outcome = ItemOutcome(
        number,
        item,
        done,
        submission_id=result.submission_id or None,
        job_uid=result.job_uid,
        already_started=result.already_started,
        new_job=result.new_job,
    )
    if result.outcome is Outcome.UNDECIDED:
        return replace(outcome, status=ItemStatus.UNDECIDED, reason=result.reason)
    if result.error is not None:
        return replace(outcome, status=ItemStatus.FAILED, error=result.error)
    return outcome
