"""What became of a submission: one state, derived in one place, worded once.

Runway reports neither progress nor failure through its API (CONTRACT §5.5): a job is known to
have succeeded only when an output set with its uid appears, and start is not idempotent once
a run finished (§4.4). So the state is derived from two things only:

- what this computer did: the record (its ``state`` column, job uid, whether start was asked,
  the error code of a failure), whether its pipeline runs in this process now, and the time;
- what Runway's output sets say: the sets seen for its job, and whether the last look at
  Runway failed ("could not tell", which never reads as "not started" or "no output").

Every screen, the notifications and the CLI show the words of ``core.state_words`` for the
state, in the installed language; the CLI's ``--json`` prints the enum's value. Nothing here
may offer a start when a start may already have happened.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from runway_desktop.api.errors.codes import ErrorCode
from runway_desktop.base.words import localized
from runway_desktop.core.state_words import (
    NO_OUTPUT_CAUSE,
    RESENT_BECAUSE,
    STATE_CONTEXT,
    WORDING,
    SubmissionState,
    Wording,
    no_output_cause,
    state_label,
)
from runway_desktop.history.records import SeenOutputSet, SubmissionRecord
from runway_desktop.history.store import ACTIVE_STATES, SUPERSEDED, RecordedState

DEFAULT_NO_RESULT_AFTER = timedelta(hours=2)


# The stored states are the history's (it may not import the core); exported here with the
# derived ones so that the front ends import states from one place.
__all__ = [
    "ACTIVE_STATES", "DEFAULT_NO_RESULT_AFTER", "LOOKED_FOR", "NO_OUTPUT_CAUSE", "WORDING",
    "DerivedState", "RecordedState", "SubmissionState", "Wording", "derive_state", "error_code_of",
    "is_unknown_answer", "no_output_cause", "recorded_error_code", "recorded_state",
    "start_answer_known", "state_json", "state_label",
]  # fmt: skip
SUPERSEDED_KIND = SUPERSEDED


# The states whose answer lies in Runway's output sets: keep looking for sets of their job.
LOOKED_FOR = frozenset(
    {SubmissionState.START_UNCERTAIN, SubmissionState.WAITING, SubmissionState.NO_RESULT_YET,
     SubmissionState.COULD_NOT_TELL}
)  # fmt: skip
_RESUMABLE = frozenset({SubmissionState.INTERRUPTED, SubmissionState.UPLOADED_NOT_STARTED})
_RESUBMIT_FIRST = frozenset(
    {SubmissionState.NOT_SENT, SubmissionState.MAY_HAVE_JOB, SubmissionState.FILE_REFUSED}
)


@dataclass(frozen=True)
class DerivedState:
    state: SubmissionState
    label: str
    explanation: str
    next_step: str
    tone: str
    mark: str
    detail: str = ""  # this record's own why (the recorded error message), if any
    replaced_by: int | None = None

    @property
    def offers_resume(self) -> bool:
        """Resume may be offered: nothing can have been started (a start needs a plan that
        looked at Runway first; a state that may have started never offers one)."""
        return self.state in _RESUMABLE

    @property
    def offers_resubmit_first(self) -> bool:
        """Nothing can be resumed: sending the files again is the next step."""
        return self.state in _RESUBMIT_FIRST

    @property
    def looked_for(self) -> bool:
        return self.state in LOOKED_FOR

    def text(self) -> str:
        """Explanation, the record's own why and the next step, as one paragraph."""
        parts = (self.explanation, self.detail, self.next_step)
        return " ".join(p for p in parts if p)


# -- what a failure's code says about a start ---------------------------------------------------
# No usable answer: the request may have taken effect on the server.
UNKNOWN_ANSWER_CODES = frozenset(
    {ErrorCode.TIMEOUT, ErrorCode.STALLED, ErrorCode.NETWORK, ErrorCode.CONNECTION_REFUSED,
     ErrorCode.DNS, ErrorCode.SERVER_ERROR, ErrorCode.RATE_LIMITED, ErrorCode.ANSWER_UNREADABLE,
     ErrorCode.ANSWER_TOO_LARGE, ErrorCode.TLS, ErrorCode.PROXY_REFUSED, ErrorCode.UNKNOWN}
)  # fmt: skip


def error_code_of(value: str | None) -> ErrorCode | None:
    """A stored code as a code; one this release does not know reads as ``unknown``."""
    if not value:
        return None
    try:
        return ErrorCode(value)
    except ValueError:
        return ErrorCode.UNKNOWN


def start_answer_known(code: str | None) -> bool | None:
    """What a start call that ended with ``code`` tells: True it took (a run exists), False it
    was definitely refused (no run was made), None nobody can tell (no code recorded counts as
    unknown: only a definite answer may lead to another start)."""
    parsed = error_code_of(code)
    if parsed is None or parsed in UNKNOWN_ANSWER_CODES:
        return None
    return parsed is ErrorCode.JOB_ALREADY_IN_PROGRESS


def is_unknown_answer(code: str | None) -> bool:
    """The call may have taken effect on the server: never repeat a start on it."""
    return start_answer_known(code) is None


def recorded_error_code(record: SubmissionRecord) -> str | None:
    """The failure's code (history schema v2; the record translates a 0.1.0 row's class
    name, see ``history.records.legacy_error_code``)."""
    return record.error_code


def recorded_state(record: SubmissionRecord) -> RecordedState | None:
    try:
        return RecordedState(record.state)
    except ValueError:
        return None  # written by a newer release: read as "nothing known"


# -- the one derivation ------------------------------------------------------------------------
def derive_state(
    record: SubmissionRecord,
    *,
    now: datetime,
    running_here: bool = False,
    sets: Sequence[SeenOutputSet] | None = None,
    look_failed: bool = False,
    no_result_after: timedelta = DEFAULT_NO_RESULT_AFTER,
) -> DerivedState:
    """``running_here``: this record's pipeline runs in this process now. ``sets``: the output
    sets seen for its job (default: the ones recorded with it). ``look_failed``: the last look
    at Runway's output sets for it failed (a 5xx, a timeout, no network)."""
    seen = record.sets if sets is None else tuple(sets)
    hours = no_result_after.total_seconds() / 3600
    fill = {"job": record.job_uid or "", "hours": f"{hours:g}", "replaced_by": "",
            "cause": no_output_cause()}  # fmt: skip
    detail = record.error_message or ""

    def make(state: SubmissionState, why: str = "", replaced_by: int | None = None) -> DerivedState:
        w = WORDING[state]
        if replaced_by is not None:
            fill["replaced_by"] = f" #{replaced_by}"
        return DerivedState(
            state, localized(STATE_CONTEXT, w.label),
            localized(STATE_CONTEXT, w.explanation).format(**fill),
            localized(STATE_CONTEXT, w.next_step).format(**fill), w.tone, w.mark, detail=why,
            replaced_by=replaced_by,
        )  # fmt: skip

    if seen:  # output wins over everything: a set with its job uid is proof it ran
        return make(SubmissionState.LOADED if any(s.sent_to_ods for s in seen)
                    else SubmissionState.PROCESSED)  # fmt: skip
    if record.error_kind == SUPERSEDED_KIND:
        # The pipeline writes "Replaced by submission #N because <why>."
        found = re.search(r"#(\d+)", detail)
        because = re.search(r"\bbecause (.+)", detail)
        why = (
            localized(STATE_CONTEXT, RESENT_BECAUSE).format(why=because.group(1)) if because else ""
        )
        return make(SubmissionState.SUPERSEDED, why, int(found.group(1)) if found else None)
    state = recorded_state(record)
    if state in ACTIVE_STATES:
        if running_here:
            return make(SubmissionState.SENDING)
        if record.start_requested_at is not None and record.job_uid is not None:
            # Died while waiting for the start's answer: it may have started.
            return make(SubmissionState.START_UNCERTAIN)
        why = ("Runway may have a job from this attempt; it is never started."
               if state is RecordedState.CREATING else "")  # fmt: skip
        return make(SubmissionState.INTERRUPTED, why)
    started = state is RecordedState.STARTED
    if not started and record.job_uid is not None and record.start_requested_at is not None:
        known = start_answer_known(recorded_error_code(record))
        if known is None:
            # A failed look changes nothing here: the start stays unconfirmed, never "not
            # started", and nothing offers to start it again.
            return make(SubmissionState.START_UNCERTAIN, detail)
        started = known  # "already in progress" took; a definite refusal did not
    if started and record.job_uid is not None:
        if look_failed:
            return make(SubmissionState.COULD_NOT_TELL)
        since = record.started_at or record.start_requested_at or record.created_at
        if now - since >= no_result_after:
            return make(SubmissionState.NO_RESULT_YET)
        return make(SubmissionState.WAITING)
    if record.job_uid is not None:
        if recorded_error_code(record) == ErrorCode.FILES_REFUSED:
            # Its uploads hold a file the checks refused: starting them is never the advice.
            return make(SubmissionState.FILE_REFUSED, detail)
        return make(SubmissionState.UPLOADED_NOT_STARTED, detail)
    if record.orphan_job_possible:
        return make(SubmissionState.MAY_HAVE_JOB, detail)
    return make(SubmissionState.NOT_SENT, detail)


def state_json(record: SubmissionRecord, now: datetime) -> dict[str, str]:
    """The state as plain JSON values (diagnostics, the CLI's ``--json``): the enum's value is
    the stable part; the words are the ones every screen shows."""
    derived = derive_state(record, now=now)
    return {
        "state": derived.state.value,
        "label": derived.label,
        "explanation": derived.text(),
    }
