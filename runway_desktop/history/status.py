"""What became of a submission, derived honestly from what we recorded and the output sets seen.

Runway reports neither progress nor failure through its API (CONTRACT §5.5): a job is known to
have succeeded only when an output set with its uid appears. Everything else is inference, and
the explanations below say so.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from runway_desktop.history.records import SubmissionRecord, utc_now
from runway_desktop.history.store import ACTIVE_STATES, STATE_STARTED, SUPERSEDED

DEFAULT_NO_RESULT_AFTER = timedelta(hours=2)


class SubmissionStatus(enum.Enum):
    SENDING = "Sending"
    NOT_SENT = "Not sent"
    UPLOADED_NOT_STARTED = "Uploaded, not started"
    WAITING = "Started — waiting for Runway"
    PROCESSED = "Processed"
    LOADED = "Loaded into the ODS"
    NO_RESULT_YET = "No result yet"


@dataclass(frozen=True)
class DerivedStatus:
    status: SubmissionStatus
    explanation: str
    resumable: bool


def derive_status(
    record: SubmissionRecord,
    *,
    now: datetime | None = None,
    no_result_after: timedelta = DEFAULT_NO_RESULT_AFTER,
    running_here: bool = False,
) -> DerivedStatus:
    """``running_here``: the pipeline for this record is alive in this process right now."""
    now = now or utc_now()
    if any(s.sent_to_ods for s in record.sets):
        return DerivedStatus(
            SubmissionStatus.LOADED,
            "Runway processed the file and sent the records to the ODS. Individual records can "
            "still have been refused by the ODS; the Runway web app lists those.",
            resumable=False,
        )
    if record.sets:
        return DerivedStatus(
            SubmissionStatus.PROCESSED,
            "Runway processed the file. The results are under Output sets; they were not sent "
            "to an ODS.",
            resumable=False,
        )
    if record.state in ACTIVE_STATES:
        if running_here:
            return DerivedStatus(SubmissionStatus.SENDING, "Being sent now.", resumable=False)
        # The app closed or crashed mid-way: treat it like an interruption.
        return _interrupted(record)
    if record.state == STATE_STARTED and record.started_at is not None:
        waited = now - record.started_at
        if waited >= no_result_after:
            hours = no_result_after.total_seconds() / 3600
            return DerivedStatus(
                SubmissionStatus.NO_RESULT_YET,
                f"Runway accepted the job more than {hours:g} hours ago and no results have "
                "appeared. Runway reports failures only in its web app: look there for job "
                f"{record.job_uid}, or give that job id to Runway support.",
                resumable=False,
            )
        return DerivedStatus(
            SubmissionStatus.WAITING,
            "Runway accepted the job and is processing it. Results usually appear under Output "
            "sets within a few minutes.",
            resumable=False,
        )
    return _interrupted(record)


def _interrupted(record: SubmissionRecord) -> DerivedStatus:
    if record.error_kind == SUPERSEDED:
        # A resume sent the files again as a new submission; only that one may be resumed.
        return DerivedStatus(
            SubmissionStatus.NOT_SENT if record.job_uid is None else (
                SubmissionStatus.UPLOADED_NOT_STARTED),
            f"{record.error_message or 'Replaced by a newer submission.'} Look at that one.",
            resumable=False,
        )  # fmt: skip
    if record.job_uid is None:
        why = record.error_message or "It was stopped before Runway received it."
        return DerivedStatus(
            SubmissionStatus.NOT_SENT,
            f"{why} Nothing reached Runway{_orphan_note(record)}. Resubmit when ready.",
            resumable=True,
        )
    why = record.error_message or "It was interrupted before Runway was asked to start."
    return DerivedStatus(
        SubmissionStatus.UPLOADED_NOT_STARTED,
        f"{why} Runway has the job ({record.job_uid}) but has not started it. Resume finishes "
        "what is missing.",
        resumable=True,
    )


def _orphan_note(record: SubmissionRecord) -> str:
    if record.orphan_job_possible:
        return " that will be processed (an unfinished job may exist there; it is harmless)"
    return ""
