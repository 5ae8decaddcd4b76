"""How a run's end is written into its history record, and the result that says so.

The pipeline ends a run in one of a few ways (started, failed, cancelled); each writes the
record the same way whichever path led there, so History derives the same state from it.
"""

from __future__ import annotations

from datetime import datetime

from runway_desktop.api.errors import RunwayError, TransferCancelled
from runway_desktop.core.submit.checks import sent_anyway_message
from runway_desktop.core.submit.events import Mismatch, Outcome, Step, SubmissionResult
from runway_desktop.history.records import utc_now
from runway_desktop.history.store import STATE_CANCELLED, STATE_FAILED, STATE_STARTED, HistoryStore


class Cancelled(TransferCancelled):
    pass


def cancelled_error() -> Cancelled:
    return Cancelled(
        "You cancelled the submission.",
        next_step="Nothing was started. Submit again when you are ready.",
    )


def record_check_step(
    history: HistoryStore,
    submission_id: int,
    checked: int,
    accepted: tuple[Mismatch, ...],
    *,
    at: datetime,
) -> None:
    """The check ran before its record existed (``at``: when it began). A choice to send a
    mismatching file is part of the record: History shows it in the step timeline, and a
    resume reads it back instead of asking again."""
    step_id = history.step_started(submission_id, Step.CHECK.name, at=at)
    history.step_finished(step_id, "done", check_message(checked, accepted))


def check_message(checked: int, accepted: tuple[Mismatch, ...]) -> str:
    """The CHECK step's message in History once every file passed."""
    return sent_anyway_message(accepted) if accepted else f"{checked} file(s) checked"


def record_started(
    history: HistoryStore, submission_id: int, job_uid: str, *, already: bool
) -> SubmissionResult:
    history.set_state(
        submission_id, STATE_STARTED, started_at=utc_now(), finished_at=utc_now(),
        error_code=None, error_kind=None, error_message=None, error_next_step=None,
    )  # fmt: skip
    return SubmissionResult(
        submission_id=submission_id,
        outcome=Outcome.STARTED,
        job_uid=job_uid,
        already_started=already,
    )


def record_failure(
    history: HistoryStore, submission_id: int, job_uid: str | None, error: RunwayError
) -> SubmissionResult:
    cancelled = isinstance(error, TransferCancelled)
    history.set_state(
        submission_id,
        STATE_CANCELLED if cancelled else STATE_FAILED,
        # The stable code, never the class name (renaming a class must not change what
        # History reads back); error_kind is cleared so an old row's class name goes too.
        error_code=error.code.value,
        error_kind=None,
        error_message=error.message,
        error_next_step=error.next_step,
        finished_at=utc_now(),
    )
    return SubmissionResult(
        submission_id=submission_id,
        outcome=Outcome.CANCELLED if cancelled else Outcome.FAILED,
        job_uid=job_uid,
        error=error,
    )
