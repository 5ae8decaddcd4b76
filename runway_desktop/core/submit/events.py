"""What the submission pipeline tells its observers (GUI adapter, CLI, tests): plain values."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from runway_desktop.api.errors import ErrorCode, RunwayError
from runway_desktop.api.progress import TransferProgress
from runway_desktop.bundles.model import Bundle
from runway_desktop.bundles.preflight import PreflightReport
from runway_desktop.bundles.validation import Problem


class Step(enum.Enum):
    CHECK = "Checking files"
    SIGN_IN = "Signing in"
    CREATE = "Creating the job"
    UPLOAD = "Uploading"
    START = "Starting"


class Outcome(enum.Enum):
    STARTED = "started"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # Nothing was started because Runway's answer could not be known (a lost start answer,
    # a failed listing): ``SubmissionResult.reason`` says what the app does next.
    UNDECIDED = "undecided"


@dataclass(frozen=True)
class SubmissionRequest:
    profile_name: str
    api_base_url: str
    partner: str
    tenant: str
    school_year: str  # end year, "2026" = 2025–26
    bundle: Bundle
    files: Mapping[str, Path]  # env var -> chosen file (empty optional slots are left out)
    params: Mapping[str, str] = field(default_factory=dict)
    # Checks already made by the form (env var -> report); re-used when the file is unchanged.
    reports: Mapping[str, PreflightReport] = field(default_factory=dict)
    # ``Mismatch.key``s the user chose to send anyway ("Send anyway…", ``--accept-mismatch``);
    # the pipeline refuses every other mismatch, so the rule is the same for GUI and CLI.
    accepted_mismatches: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mismatch:
    """A file that may be the wrong one: sent only when the user decided to send it anyway."""

    env_var: str
    kind: str  # "content" (its columns) or "year" (its test dates)
    file_name: str
    message: str  # what the check said, in the words the slot shows
    # Runway's run would fail on it (another bundle's file, required columns missing), so
    # no output would ever come: the confirmation says so plainly.
    run_will_fail: bool = False

    @property
    def key(self) -> str:
        return f"{self.env_var}:{self.kind}"

    @property
    def text(self) -> str:
        return f"{self.file_name}: {self.message}"


@dataclass(frozen=True)
class StepStarted:
    step: Step
    detail: str = ""


@dataclass(frozen=True)
class StepFinished:
    step: Step
    status: str  # done | failed | cancelled | skipped
    seconds: float
    message: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class FilesChecked:
    reports: Mapping[str, PreflightReport]


@dataclass(frozen=True)
class FileScanned:
    """A file's whole-file check ended (``report``), while the files were being sent: the
    quick check of its start let its upload begin (``FilesChecked`` held that report)."""

    env_var: str
    report: PreflightReport
    seconds: float


@dataclass(frozen=True)
class FileProgress:
    env_var: str
    progress: TransferProgress


@dataclass(frozen=True)
class TotalProgress:
    """All files together: what a single "total" bar shows."""

    progress: TransferProgress


@dataclass(frozen=True)
class Notice:
    """Something worth saying that is not a failure (a retry, an unverifiable checksum…)."""

    text: str


class SubmissionInvalid(RunwayError):
    """Local checks found problems; nothing was sent. ``problems`` name the form fields."""

    def __init__(self, problems: list[Problem], mismatches: tuple[Mismatch, ...] = ()) -> None:
        first = problems[0]
        super().__init__(
            first.message if len(problems) == 1 else f"{len(problems)} things need fixing.",
            code=ErrorCode.FILES_REFUSED,
            next_step=first.next_step,
            fields=tuple(p.field for p in problems),
        )
        self.problems = problems
        # The refused files that could be sent anyway (their problems are among ``problems``).
        self.mismatches = mismatches


@dataclass(frozen=True)
class SubmissionResult:
    submission_id: int
    outcome: Outcome
    job_uid: str | None = None
    error: RunwayError | None = None
    already_started: bool = False  # start answered "Job already in progress"
    new_job: bool = False  # a resume had to create a new job (upload links had expired)
    reason: str = ""  # for UNDECIDED: why nothing was started, in plain words

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.STARTED


@dataclass(frozen=True)
class Finished:
    result: SubmissionResult


PipelineEvent = (
    StepStarted
    | StepFinished
    | FilesChecked
    | FileScanned
    | FileProgress
    | TotalProgress
    | Notice
    | Finished
)
