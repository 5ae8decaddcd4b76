"""The CHECK step: the form's rules, then each file's preflight, judged by the one rule.

A new submission checks each file quickly (``quick``): its type, encoding, header and the
start of its rows, which is all that decides whether its bytes may go out. The rest of a
large file (every row) is read by :mod:`whole_file_checks` while the files are sent. A resume
checks whole files first: it must know each file's MD5 before it decides what to send again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from runway_desktop.bundles.preflight import PreflightReport
from runway_desktop.bundles.validation import validate_submission
from runway_desktop.core.submit.checks import (
    accepted_before,
    accepted_notes,
    checked_report,
    judge_reports,
    warning_notes,
)
from runway_desktop.core.submit.events import (
    FilesChecked,
    Finished,
    Mismatch,
    Notice,
    Outcome,
    PipelineEvent,
    Step,
    StepFinished,
    StepStarted,
    SubmissionInvalid,
    SubmissionRequest,
    SubmissionResult,
)
from runway_desktop.history.records import utc_now
from runway_desktop.history.store import HistoryStore


@dataclass(frozen=True)
class CheckedFiles:
    """Files that may be sent. ``accepted`` are the mismatches the user chose to send anyway
    (``accepted_keys`` every key accepted, for judging the whole-file reports the same way);
    ``started_at``: when the check began, for its step record (written once a record exists)."""

    reports: dict[str, PreflightReport]
    accepted: tuple[Mismatch, ...]
    accepted_keys: tuple[str, ...]
    started_at: datetime
    monotonic_start: float

    @property
    def all_whole(self) -> bool:
        return all(r.whole_file for r in self.reports.values())


async def check_files(
    request: SubmissionRequest,
    history: HistoryStore,
    emit: Callable[[PipelineEvent], None],
    *,
    submission_id: int | None,
    quick: bool,
) -> CheckedFiles | SubmissionResult:
    """The checked files, or the failed result (already emitted) when something stops them."""
    emit(StepStarted(Step.CHECK))
    started = time.monotonic()
    # The check runs before its submission exists: remember when, for the step record.
    started_at = utc_now()
    problems = validate_submission(
        request.bundle,
        dict(request.files),
        request.params,
        partner=request.partner,
        tenant=request.tenant,
        school_year=request.school_year,
    )
    reports: dict[str, PreflightReport] = {}
    refused: tuple[Mismatch, ...] = ()
    accepted: tuple[Mismatch, ...] = ()
    keys: tuple[str, ...] = ()
    if not problems:
        slots = {env: request.bundle.file(env) for env in request.files}
        checked = await asyncio.gather(
            *(
                checked_report(path, slot, request.reports.get(env), quick=quick)
                for env, path in request.files.items()
                if (slot := slots[env]) is not None
            )
        )
        reports = dict(zip(request.files, checked, strict=True))
        emit(FilesChecked(reports))
        # A resume: what the user decided when sending still holds for the same words.
        record = history.get(submission_id) if submission_id is not None else None
        keys = request.accepted_mismatches + accepted_before(record, reports, request)
        verdict = judge_reports(reports, request.school_year, keys)
        problems, refused, accepted = verdict.problems, verdict.refused, verdict.accepted
    if problems:
        error = SubmissionInvalid(problems, refused)
        emit(StepFinished(Step.CHECK, "failed", time.monotonic() - started, error.message))
        result = SubmissionResult(
            submission_id=submission_id or 0, outcome=Outcome.FAILED, error=error
        )
        emit(Finished(result))
        return result
    # A file only partly read yet has its warnings said when its whole-file check ends.
    whole = {env: r for env, r in reports.items() if r.whole_file}
    for text in warning_notes(whole, accepted) + accepted_notes(accepted):
        emit(Notice(text))
    emit(StepFinished(Step.CHECK, "done", time.monotonic() - started))
    return CheckedFiles(reports, accepted, keys, started_at, started)
