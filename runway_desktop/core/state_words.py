"""The words for a submission's states: one name, one explanation and one next step each,
said by every screen, the notifications and the CLI.

Kept apart from the derivation (``core.submission_state``): writers and translators change
these texts, programmers change the rules. The texts are English as written,
marked for ``pyside6-lupdate`` under the context ``SubmissionState`` (each in its own
``QT_TRANSLATE_NOOP`` with the context spelled out: lupdate reads literals only), and handed out
through ``base.words.localized`` in the installed language.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from runway_desktop.base.words import QT_TRANSLATE_NOOP, localized

STATE_CONTEXT = "SubmissionState"  # where the state words are found in a translation
# Why a started job shows nothing, said wherever that is said (History, the CLI's --wait):
# only runs that succeed make output sets, and a wrong file is what fails most runs.
NO_OUTPUT_CAUSE = QT_TRANSLATE_NOOP(
    "SubmissionState",
    "Runway made no output; the most common cause is a file that does not match the assessment.",
)


class SubmissionState(enum.StrEnum):
    SENDING = "sending"
    INTERRUPTED = "interrupted"
    NOT_SENT = "not_sent"
    MAY_HAVE_JOB = "may_have_job"
    UPLOADED_NOT_STARTED = "uploaded_not_started"
    FILE_REFUSED = "file_refused"
    START_UNCERTAIN = "start_uncertain"
    WAITING = "waiting"
    NO_RESULT_YET = "no_result_yet"
    PROCESSED = "processed"
    LOADED = "loaded"
    COULD_NOT_TELL = "could_not_tell"
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class Wording:
    label: str
    explanation: str  # one plain sentence or two; {job}, {hours}, {replaced_by} filled in
    next_step: str  # what the user can do (no front-end specific buttons or menus)
    tone: str  # info | success | warning | error: a colour family for the GUI
    mark: str  # a short sign that reads without colour (list, CLI)


S = SubmissionState
# As written, in English; derive_state and state_label hand them out in the installed language.
# Each text sits in its own QT_TRANSLATE_NOOP with the context spelled out: lupdate reads
# literals only.
WORDING: dict[SubmissionState, Wording] = {
    S.SENDING: Wording(
        QT_TRANSLATE_NOOP("SubmissionState", "Sending"),
        QT_TRANSLATE_NOOP("SubmissionState", "It is being sent from this computer now."),
        QT_TRANSLATE_NOOP("SubmissionState", "Wait for it to finish, or cancel it where it runs."),
        "info", "●"),
    S.INTERRUPTED: Wording(
        QT_TRANSLATE_NOOP("SubmissionState", "Interrupted"),
        QT_TRANSLATE_NOOP(
            "SubmissionState",
            "Sending stopped part way: the app or the command line was closed, crashed or lost "
            "power before Runway was asked to start it.",
        ),
        QT_TRANSLATE_NOOP(
            "SubmissionState",
            "Resume finishes what is missing; nothing is started twice.",
        ),
        "warning", "!"),
    S.NOT_SENT: Wording(
        QT_TRANSLATE_NOOP("SubmissionState", "Not sent"),
        QT_TRANSLATE_NOOP(
            "SubmissionState",
            "It stopped before Runway had a job for it: nothing reached Runway.",
        ),
        QT_TRANSLATE_NOOP("SubmissionState", "Resubmit when ready."),
        "error", "✗"),
    S.MAY_HAVE_JOB: Wording(
        QT_TRANSLATE_NOOP("SubmissionState", "Runway may have a job"),
        QT_TRANSLATE_NOOP(
            "SubmissionState",
            "Runway may have a job from this attempt: the answer to creating it was lost or could "
            "not be read. Such a job is never started, so nothing of it is processed.",
        ),
        QT_TRANSLATE_NOOP(
            "SubmissionState",
            "Resubmit to send the files as a new job; the possible job stays unstarted.",
        ),
        "warning", "!"),
    S.UPLOADED_NOT_STARTED: Wording(
        QT_TRANSLATE_NOOP("SubmissionState", "Uploaded, not started"),
        QT_TRANSLATE_NOOP(
            "SubmissionState",
            "Runway has the job ({job}) but has not started it: start was not asked, or Runway "
            "refused it.",
        ),
        QT_TRANSLATE_NOOP(
            "SubmissionState",
            "Resume starts it, sending again only what is missing.",
        ),
        "warning", "!"),
    S.FILE_REFUSED: Wording(
        QT_TRANSLATE_NOOP("SubmissionState", "Stopped: a file failed its check"),
        QT_TRANSLATE_NOOP(
            "SubmissionState",
            "A file failed this app's check while it was being sent, so Runway was never asked to "
            "start job {job}: nothing of it is processed.",
        ),
        QT_TRANSLATE_NOOP("SubmissionState", "Fix or replace the file, then send it again."),
        "error", "✗"),
    S.START_UNCERTAIN: Wording(
        QT_TRANSLATE_NOOP("SubmissionState", "Start not confirmed"),
        QT_TRANSLATE_NOOP(
            "SubmissionState",
            "Couldn't tell whether Runway started job {job}: the answer to the start was lost. "
            "Looking again for its results.",
        ),
        QT_TRANSLATE_NOOP(
            "SubmissionState",
            "Nothing to do: it is never started a second time. If it ran, its results appear here; "
            "if none appear, look for job {job} in the Runway web app.",
        ),
        "warning", "?"),
    S.WAITING: Wording(
        QT_TRANSLATE_NOOP("SubmissionState", "Started — waiting for Runway"),
        QT_TRANSLATE_NOOP(
            "SubmissionState",
            "Runway accepted job {job} and is processing it. Results usually appear under Output "
            "sets within a few minutes.",
        ),
        QT_TRANSLATE_NOOP(
            "SubmissionState",
            "Nothing to do: results are looked for until they appear.",
        ),
        "info", "…"),
    S.NO_RESULT_YET: Wording(
        QT_TRANSLATE_NOOP("SubmissionState", "No result yet"),
        QT_TRANSLATE_NOOP(
            "SubmissionState",
            "Runway accepted job {job} more than {hours} hours ago and no results have appeared. "
            "{cause} Runway reports failures only in its web app.",
        ),
        QT_TRANSLATE_NOOP(
            "SubmissionState",
            "Look for job {job} in the Runway web app, or give that job id to Runway support.",
        ),
        "warning", "?"),
    S.PROCESSED: Wording(
        QT_TRANSLATE_NOOP("SubmissionState", "Processed"),
        QT_TRANSLATE_NOOP(
            "SubmissionState",
            "Runway processed the file. The results are under Output sets; they were not sent to an"
            " ODS.",
        ),
        QT_TRANSLATE_NOOP("SubmissionState", "Download the results."),
        "success", "✓"),
    S.LOADED: Wording(
        QT_TRANSLATE_NOOP("SubmissionState", "Loaded into the ODS"),
        QT_TRANSLATE_NOOP(
            "SubmissionState",
            "Runway processed the file and sent the records to the ODS. Individual records can "
            "still have been refused by the ODS; the Runway web app lists those.",
        ),
        QT_TRANSLATE_NOOP("SubmissionState", "Download the results."),
        "success", "✓"),
    S.COULD_NOT_TELL: Wording(
        QT_TRANSLATE_NOOP("SubmissionState", "Couldn't reach Runway"),
        QT_TRANSLATE_NOOP(
            "SubmissionState",
            "Couldn't reach Runway to look for the results of job {job}; checking again. This says "
            "nothing about the job itself: it was started and may well have finished.",
        ),
        QT_TRANSLATE_NOOP("SubmissionState", "Nothing to do: Runway is asked again shortly."),
        "warning", "?"),
    S.SUPERSEDED: Wording(
        QT_TRANSLATE_NOOP("SubmissionState", "Replaced"),
        QT_TRANSLATE_NOOP("SubmissionState", "Replaced by a newer submission{replaced_by}."),
        QT_TRANSLATE_NOOP(
            "SubmissionState",
            "Look at the newer submission: only that one can be resumed.",
        ),
        "info", "→"),
}  # fmt: skip
RESENT_BECAUSE = QT_TRANSLATE_NOOP("SubmissionState", "It was sent again because {why}")
del S


def state_label(state: SubmissionState) -> str:
    """The state's name, in the installed language (a filter's entries, a batch's summary)."""
    return localized(STATE_CONTEXT, WORDING[state].label)


def no_output_cause() -> str:
    """Why a started job shows nothing, in the installed language."""
    return localized(STATE_CONTEXT, NO_OUTPUT_CAUSE)
