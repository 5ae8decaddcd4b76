"""The resume plan as a pure function: record + what the files and Runway say -> one action.

Each row is a situation a clerk can get into; the ones that matter most are those where an
answer was lost, because a second start re-processes the files (CONTRACT §4.4).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from runway_desktop.api.errors import ErrorCode
from runway_desktop.core.output_sets import RunwayLook
from runway_desktop.core.submit.resume_plan import ResumeAction, ResumeFacts, plan_resume

JOB = "0f8e7a0c-1b7e-4a7e-9d64-5b0f3f2f9a11"
BOTH = frozenset({"INPUT_FILE", "ROSTER_FILE"})

UPLOADED = ResumeFacts(
    job_uid=JOB,
    started=False,
    start_requested=False,
    last_error_code=None,
    superseded=False,
    slots=BOTH,
    uploaded=BOTH,
    changed_files=(),
    links_usable=True,
)
START_LOST = replace(UPLOADED, start_requested=True, last_error_code=ErrorCode.TIMEOUT)

UNKNOWN_START_ANSWERS = [
    ErrorCode.TIMEOUT,
    ErrorCode.SERVER_ERROR,
    ErrorCode.NETWORK,
    ErrorCode.ANSWER_UNREADABLE,
    ErrorCode.STALLED,
    None,  # the process died while waiting for the answer
]


@pytest.mark.parametrize("code", UNKNOWN_START_ANSWERS)
def test_a_lost_start_answer_is_looked_into_before_anything_else(code: str | None) -> None:
    plan = plan_resume(replace(START_LOST, last_error_code=code))
    assert plan.action is ResumeAction.LOOK_FIRST


@pytest.mark.parametrize("code", UNKNOWN_START_ANSWERS)
@pytest.mark.parametrize("look", [RunwayLook.NO_OUTPUT, RunwayLook.COULD_NOT_TELL])
def test_a_lost_start_answer_never_leads_to_a_start(code: str | None, look: RunwayLook) -> None:
    # The run may have happened and failed (no set ever appears): a start would be a second run.
    for links_usable in (True, False):
        for uploaded in (BOTH, frozenset()):
            facts = replace(
                START_LOST,
                last_error_code=code,
                look=look,
                links_usable=links_usable,
                uploaded=uploaded,
            )
            plan = plan_resume(facts)
            assert plan.action is ResumeAction.KEEP_LOOKING, (facts, plan)
            assert "Nothing was started" in plan.reason


def test_could_not_tell_says_runway_was_not_reached() -> None:
    plan = plan_resume(replace(START_LOST, look=RunwayLook.COULD_NOT_TELL))
    assert plan.reason.startswith("Couldn't reach Runway")
    plan = plan_resume(replace(START_LOST, look=RunwayLook.NO_OUTPUT))
    assert plan.reason.startswith("Couldn't tell whether Runway started job")
    assert JOB in plan.reason


def test_changed_files_after_a_lost_start_answer_still_do_not_send() -> None:
    facts = replace(START_LOST, look=RunwayLook.NO_OUTPUT, changed_files=("star.csv",))
    assert plan_resume(facts).action is ResumeAction.KEEP_LOOKING


def test_an_output_set_settles_it_as_started() -> None:
    plan = plan_resume(replace(START_LOST, look=RunwayLook.HAS_OUTPUT))
    assert plan.action is ResumeAction.ALREADY_STARTED


def test_a_recorded_start_is_never_repeated() -> None:
    facts = replace(UPLOADED, started=True, start_requested=True)
    assert plan_resume(facts).action is ResumeAction.ALREADY_STARTED


def test_job_already_in_progress_counts_as_started_not_as_unknown() -> None:
    facts = replace(START_LOST, last_error_code=ErrorCode.JOB_ALREADY_IN_PROGRESS)
    assert plan_resume(facts).action is ResumeAction.ALREADY_STARTED


def test_a_start_runway_refused_in_words_may_be_tried_again() -> None:
    # "Some expected files were not found": Runway said no; nothing ran.
    facts = replace(START_LOST, last_error_code=ErrorCode.UPLOADS_MISSING)
    assert plan_resume(facts).action is ResumeAction.START


def test_never_asked_to_start_and_all_uploaded_starts() -> None:
    assert plan_resume(UPLOADED).action is ResumeAction.START


def test_missing_uploads_go_up_first_while_the_links_work() -> None:
    facts = replace(UPLOADED, uploaded=frozenset({"INPUT_FILE"}))
    plan = plan_resume(facts)
    assert plan.action is ResumeAction.UPLOAD_THEN_START
    assert plan.missing == {"ROSTER_FILE"}
    expired = plan_resume(replace(facts, links_usable=False))
    assert expired.action is ResumeAction.NEW_JOB
    assert "expired" in expired.reason


def test_changed_files_or_no_job_make_a_new_job() -> None:
    changed = plan_resume(replace(UPLOADED, changed_files=("star.csv",)))
    assert changed.action is ResumeAction.NEW_JOB and "star.csv changed" in changed.reason
    no_job = plan_resume(replace(UPLOADED, job_uid=None, uploaded=frozenset()))
    assert no_job.action is ResumeAction.NEW_JOB


def test_a_job_runway_no_longer_knows_is_sent_anew() -> None:
    facts = replace(START_LOST, last_error_code=ErrorCode.JOB_NOT_FOUND)
    assert plan_resume(facts).action is ResumeAction.NEW_JOB


def test_a_superseded_submission_is_refused() -> None:
    assert plan_resume(replace(UPLOADED, superseded=True)).action is ResumeAction.REFUSE
