"""The checks that read every row of a large file, run while the files are being sent.

The quick check (``check_step``) read each file's type, encoding, header and first rows: all
that decides whether its bytes may go out, so its upload begins at once. What only the whole
file can tell (a quote never closed far down, a file changed meanwhile, the row count) is
read here, one worker process job per file, while the uploads run. No MD5 here: the upload
hashes the bytes as they go out (``api.transfer``); that MD5 is the one S3's ETag is compared
with and the record keeps, so the file is not hashed in a pass of its own.

The job is started only after every file passed (``verdict``). A file that fails sets
``failed`` at once: the uploads stop, and the submission fails with that file's problem,
its job never started. Each check is a ``CHECK_FILE`` step of the record (detail: the slot).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime

from runway_desktop.api.errors import TransferCancelled
from runway_desktop.bundles.preflight import CHANGED_WHILE_CHECKED, PreflightReport, preflight_file
from runway_desktop.core.slot_wording import rows_text
from runway_desktop.core.submit.check_step import CheckedFiles
from runway_desktop.core.submit.checks import judge_reports, warning_notes
from runway_desktop.core.submit.events import (
    FileScanned,
    Notice,
    PipelineEvent,
    Step,
    StepFinished,
    StepStarted,
    SubmissionInvalid,
    SubmissionRequest,
)
from runway_desktop.core.submit.outcomes import cancelled_error
from runway_desktop.core.submit.uploads import first_of
from runway_desktop.history.records import utc_now
from runway_desktop.history.store import HistoryStore

RECORD_STEP = "CHECK_FILE"
STOPPED = "Stopped before the file was read to the end: the submission ended first."


@dataclass
class _FileCheck:
    """One file's check: when it began, its record step, and how it ended (once it did)."""

    started_at: datetime
    step_id: int | None = None
    ended: tuple[str, str] | None = None  # (status, message) for the record


class WholeFileChecks:
    """The whole-file checks of one submission's quickly checked files, started at once."""

    def __init__(
        self,
        request: SubmissionRequest,
        checked: CheckedFiles,
        emit: Callable[[PipelineEvent], None],
        cancel: asyncio.Event,
    ) -> None:
        """``cancel``: the user's; waiting for the checks ends when it is set."""
        self._request = request
        self._checked = checked
        self._emit = emit
        self._cancel = cancel
        self.failed = asyncio.Event()
        self._reports = dict(checked.reports)
        pending = [env for env, report in checked.reports.items() if not report.whole_file]
        self._files = {env: _FileCheck(utc_now()) for env in pending}
        self._tasks = [asyncio.ensure_future(self._scan(env)) for env in pending]
        self._history: HistoryStore | None = None

    def record_in(self, history: HistoryStore, submission_id: int) -> None:
        """Each file's check becomes a step of the submission's record (which exists only
        once the quick check passed: the whole-file checks began a moment before)."""
        self._history = history
        for env, check in self._files.items():
            check.step_id = history.step_started(
                submission_id, RECORD_STEP, env, at=check.started_at
            )
            self._write_end(check)

    async def _scan(self, env: str) -> None:
        quick = self._checked.reports[env]
        slot = self._request.bundle.file(env)
        started = time.monotonic()
        try:
            if slot is None:  # check_step checked only the bundle's own slots
                raise LookupError(f"no slot {env}")
            full = await preflight_file(quick.path, slot, digest=False)
        except Exception as exc:  # a worker that died: unchecked must not pass as checked
            full = replace(quick, errors=(f"This file could not be read to the end ({exc}).",))
        if (full.size, full.mtime_ns) != (quick.size, quick.mtime_ns):
            # Its upload was checked against the first look: the bytes may differ from these.
            full = replace(full, errors=(*full.errors, CHANGED_WHILE_CHECKED))
        self._reports[env] = full
        self._emit(FileScanned(env, full, time.monotonic() - started))
        checked = self._checked
        verdict = judge_reports({env: full}, self._request.school_year, checked.accepted_keys)
        if verdict.problems:
            self._end(env, "failed", " · ".join(p.message for p in verdict.problems))
            self.failed.set()
            return
        self._end(env, "done", f"{rows_text(full.row_count)} read to the end")
        for text in warning_notes({env: full}, checked.accepted):
            self._emit(Notice(text))

    async def alongside(self, uploads: Awaitable[None]) -> None:
        """``uploads`` (which stop when ``failed`` is set), then the verdict: a file's problem
        is the submission's error, not the stop of the uploads it caused."""
        try:
            await uploads
        except TransferCancelled:
            if self.failed.is_set():
                await self.verdict()  # raises the file's problem
            raise
        await self.verdict()

    async def verdict(self) -> dict[str, PreflightReport]:
        """Every file's report once all passed; raises :class:`SubmissionInvalid` as soon as
        one failed (the other checks are then stopped: one failure is enough), or the
        user's cancel."""
        waiting = not self.failed.is_set() and not all(t.done() for t in self._tasks)
        if waiting:  # the uploads were faster: say what the start now waits for
            self._emit(StepStarted(Step.CHECK, "reading the rest of the files"))
            everything = asyncio.gather(*self._tasks)
            stop = asyncio.ensure_future(first_of(self.failed, self._cancel))
            try:
                await asyncio.wait((everything, stop), return_when=asyncio.FIRST_COMPLETED)
            finally:
                stop.cancel()
                everything.cancel()  # a no-op once all ended; else one failure is enough
        self.raise_if_failed()
        status = "cancelled" if self._cancel.is_set() else "done"
        if waiting:
            self._emit(StepFinished(Step.CHECK, status, self._seconds()))
        if self._cancel.is_set():
            raise cancelled_error()
        return dict(self._reports)

    def raise_if_failed(self) -> None:
        """Raise :class:`SubmissionInvalid` if a file failed its check (before the job is
        created, that means no job at all)."""
        if not self.failed.is_set():
            return
        checked = self._checked
        verdict = judge_reports(self._reports, self._request.school_year, checked.accepted_keys)
        error = SubmissionInvalid(verdict.problems, verdict.refused)
        self._emit(StepFinished(Step.CHECK, "failed", self._seconds(), error.message))
        raise error

    def stop(self) -> None:
        """The submission ended (failed, cancelled, or done): no check goes on after it."""
        for task in self._tasks:
            task.cancel()
        for env, check in self._files.items():
            if check.ended is None:
                self._end(env, "cancelled", STOPPED)

    def _seconds(self) -> float:
        return time.monotonic() - self._checked.monotonic_start

    def _end(self, env: str, status: str, message: str) -> None:
        check = self._files[env]
        check.ended = (status, message)
        self._write_end(check)

    def _write_end(self, check: _FileCheck) -> None:
        if self._history is not None and check.step_id is not None and check.ended is not None:
            self._history.step_finished(check.step_id, *check.ended)
