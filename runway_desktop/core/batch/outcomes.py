"""What a batch run tells: each item's status and outcome, the events of the run, and the
words every front end shows for them (the CLI's lines, the batch window, History, Airflow)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from runway_desktop.api.errors import RunwayError
from runway_desktop.api.models import OutputSet
from runway_desktop.base.words import QT_TRANSLATE_NOOP, LocalizedWords, translate
from runway_desktop.core.batch.plan import PlanItem
from runway_desktop.core.submission_state import SubmissionState, state_label
from runway_desktop.core.submit.events import PipelineEvent

# The run's words are translatable under one context (the GUI's language; the CLI's English).
WORDS = "BatchOutcome"
BUSY_TEXT = QT_TRANSLATE_NOOP(
    "BatchOutcome",
    "Another batch run on this computer is sending these files now; nothing was done here.",
)


class ItemStatus(enum.StrEnum):
    SENT = "sent"  # a new submission, started
    RESUMED = "resumed"  # an earlier submission of these files, finished (or found started)
    ALREADY_SENT = "already_sent"  # skipped: these files were sent and started before
    UNDECIDED = "undecided"  # couldn't tell whether Runway started it: never sent again
    BUSY = "busy"  # another run on this computer has it
    NOT_SENT = "not_sent"  # the queue was stopped before it began: the next run sends it
    FAILED = "failed"  # refused, or it failed: ``error`` says why


# The words every front end shows for a status (the CLI's line, the batch window's list),
# looked up in the installed language when read.
STATUS_WORDS = LocalizedWords(WORDS, {
    ItemStatus.SENT: QT_TRANSLATE_NOOP("BatchOutcome", "sent"),
    ItemStatus.RESUMED: QT_TRANSLATE_NOOP("BatchOutcome", "resumed"),
    ItemStatus.ALREADY_SENT: QT_TRANSLATE_NOOP("BatchOutcome", "already sent"),
    ItemStatus.UNDECIDED: QT_TRANSLATE_NOOP("BatchOutcome", "couldn't tell"),
    ItemStatus.BUSY: QT_TRANSLATE_NOOP("BatchOutcome", "busy"),
    ItemStatus.NOT_SENT: QT_TRANSLATE_NOOP("BatchOutcome", "not sent"),
    ItemStatus.FAILED: QT_TRANSLATE_NOOP("BatchOutcome", "failed"),
})  # fmt: skip
DONE_STATUSES = frozenset({ItemStatus.SENT, ItemStatus.RESUMED, ItemStatus.ALREADY_SENT})


@dataclass(frozen=True)
class ItemOutcome:
    number: int  # 1-based, in the plan's order
    item: PlanItem
    status: ItemStatus
    submission_id: int | None = None
    job_uid: str | None = None
    error: RunwayError | None = None
    reason: str = ""  # in plain words: what was already sent, why nothing was started…
    state: SubmissionState | None = None  # ALREADY_SENT: what became of the earlier one
    already_started: bool = False  # a resume found Runway had started it
    new_job: bool = False  # a resume had to send the files as a new job
    # After waiting (``wait_for_outputs``): the job's output sets, and whether it was waited for.
    output_sets: tuple[OutputSet, ...] = ()
    waited: bool = False

    @property
    def ok(self) -> bool:
        return self.status in DONE_STATUSES and (not self.waited or bool(self.output_sets))


@dataclass(frozen=True)
class ItemStarted:
    number: int
    item: PlanItem


@dataclass(frozen=True)
class ItemStep:
    """One of the item's pipeline events (steps, progress, notices)."""

    number: int
    event: PipelineEvent


@dataclass(frozen=True)
class ItemFinished:
    outcome: ItemOutcome


BatchEvent = ItemStarted | ItemStep | ItemFinished
Listener = Callable[[BatchEvent], None]


def outcome_text(outcome: ItemOutcome) -> str:
    """What became of an item, in the words every front end shows (a failure: its error's)."""
    ids = translate("BatchOutcome", "job {job} (submission #{number})").format(
        job=outcome.job_uid, number=outcome.submission_id
    )
    if outcome.status is ItemStatus.SENT:
        return ids
    if outcome.status is ItemStatus.RESUMED:
        if outcome.already_started:
            return translate(
                "BatchOutcome", "{ids}; Runway had already started it, so it was not started again."
            ).format(ids=ids)
        if outcome.new_job:
            return translate("BatchOutcome", "{ids}; sent as a new job.").format(ids=ids)
        return translate("BatchOutcome", "{ids}; finished.").format(ids=ids)
    if outcome.status is ItemStatus.ALREADY_SENT and outcome.state is not None:
        return translate("BatchOutcome", "{reason} {state}.").format(
            reason=outcome.reason, state=state_label(outcome.state)
        )
    if outcome.error is not None:
        return outcome.error.message
    return outcome.reason
