"""What a Resume may do, decided from facts alone: a pure function, shared by the GUI and the CLI.

The one rule it exists for: a job is started only when this computer knows that no run of it
exists. Runway's start is not idempotent once a run has finished (CONTRACT §4.4: a second start
re-processes the files and re-sends them to the ODS), and the API has no status endpoint
(§5.5). So once a start was asked and its answer was lost (a timeout, a 5xx, a dropped
connection, or the process died while waiting), the job is never started again by this app:
the only evidence that can settle it is an output set with the job's uid, and until one
appears the answer is "couldn't tell; looking again". A refusal Runway put in words (a 4xx such
as "Some expected files were not found") is a definite "not started" and may be retried.
"""

from __future__ import annotations

import enum
from collections.abc import Set
from dataclasses import dataclass

from runway_desktop.api.errors import ErrorCode
from runway_desktop.core.output_sets import RunwayLook
from runway_desktop.core.submission_state import is_unknown_answer
from runway_desktop.history.records import SubmissionRecord
from runway_desktop.history.store import STATE_STARTED, SUPERSEDED


class ResumeAction(enum.Enum):
    ALREADY_STARTED = "already started"  # record it as started; never call start
    LOOK_FIRST = "look first"  # ask Runway for the job's output sets, then plan again
    KEEP_LOOKING = "keep looking"  # start answer unknown, no output yet: nothing is started
    START = "start"  # every file is up and no start was ever accepted or left unanswered
    UPLOAD_THEN_START = "upload then start"  # some files are missing; this job's links still work
    NEW_JOB = "new job"  # no job, changed files, or expired links: send as a new submission
    REFUSE = "refuse"  # superseded: its replacement carries the files


@dataclass(frozen=True)
class ResumeFacts:
    """What this computer recorded, what the files are now, and what Runway's sets say."""

    job_uid: str | None
    started: bool  # Runway answered the start with 202 or "Job already in progress"
    start_requested: bool  # a start call was sent at least once
    last_error_code: str | None  # the code of the failure recorded last, if any
    superseded: bool
    slots: Set[str]  # the env vars this submission sends
    uploaded: Set[str]  # env vars whose upload Runway's storage confirmed
    changed_files: tuple[str, ...]  # upload names whose content differs from what was sent
    links_usable: bool  # this session still holds unexpired upload links for the job
    look: RunwayLook = RunwayLook.NOT_LOOKED


@dataclass(frozen=True)
class ResumePlan:
    action: ResumeAction
    reason: str
    missing: frozenset[str] = frozenset()  # env vars to upload before the start


def resume_facts(record: SubmissionRecord, links_usable: bool) -> ResumeFacts:
    """The facts as recorded; the caller adds the files' check and Runway's look."""
    return ResumeFacts(
        job_uid=record.job_uid,
        started=record.state == STATE_STARTED,
        start_requested=record.start_requested_at is not None,
        last_error_code=record.error_code,
        superseded=record.error_kind == SUPERSEDED,
        slots=frozenset(f.env_var for f in record.files),
        uploaded=frozenset(f.env_var for f in record.files if f.uploaded_at is not None),
        changed_files=(),
        links_usable=links_usable,
    )


def start_answer_unknown(facts: ResumeFacts) -> bool:
    """A start was sent and no answer says whether it took.

    No failure recorded after a start request means the process ended while waiting.
    """
    if not facts.start_requested or facts.started:
        return False
    return facts.last_error_code is None or is_unknown_answer(facts.last_error_code)


def plan_resume(facts: ResumeFacts) -> ResumePlan:
    if facts.superseded:
        return ResumePlan(
            ResumeAction.REFUSE, "A newer submission replaced this one; resume that one."
        )
    in_progress = facts.last_error_code == ErrorCode.JOB_ALREADY_IN_PROGRESS
    if facts.started or in_progress or facts.look is RunwayLook.HAS_OUTPUT:
        return ResumePlan(
            ResumeAction.ALREADY_STARTED,
            "Runway has this job's results."
            if facts.look is RunwayLook.HAS_OUTPUT
            else "Runway started this job.",
        )
    if facts.job_uid is not None and start_answer_unknown(facts):
        if facts.look is RunwayLook.NOT_LOOKED:
            return ResumePlan(ResumeAction.LOOK_FIRST, "The answer to the start was lost.")
        if facts.look is RunwayLook.COULD_NOT_TELL:
            reason = (
                "Couldn't reach Runway to see whether it started this job. Nothing was started "
                "again; the app looks again later."
            )
        else:
            reason = (
                f"Couldn't tell whether Runway started job {facts.job_uid}: its answer was "
                "lost and no results have appeared yet. Nothing was started again (a second "
                "start would process the files twice); the app keeps looking for results. "
                "Runway's web app shows whether the job ran."
            )
        return ResumePlan(ResumeAction.KEEP_LOOKING, reason)
    if facts.changed_files:
        why = f"{', '.join(facts.changed_files)} changed since it was first sent"
        return ResumePlan(ResumeAction.NEW_JOB, why)
    if facts.job_uid is None:
        return ResumePlan(ResumeAction.NEW_JOB, "the first attempt did not get a job from Runway")
    if facts.last_error_code == ErrorCode.JOB_NOT_FOUND:
        return ResumePlan(ResumeAction.NEW_JOB, f"Runway no longer knows job {facts.job_uid}")
    missing = frozenset(facts.slots) - frozenset(facts.uploaded)
    if not missing:
        return ResumePlan(ResumeAction.START, "Every file is uploaded.")
    if facts.links_usable:
        return ResumePlan(ResumeAction.UPLOAD_THEN_START, "Some files are not uploaded.", missing)
    return ResumePlan(ResumeAction.NEW_JOB, "the upload links of the first job have expired")
