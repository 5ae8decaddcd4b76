"""Uploading all files of a submission at once, each step recorded, one failure stopping all.

Each upload hashes its bytes as they go out (``api.transfer``) and S3's ETag is compared with
that MD5; the record keeps it, so a file checked only by its start before sending (its MD5
unknown then) is recorded with the MD5 of exactly what was sent, before the job starts.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping

import httpx

from runway_desktop.api.errors import TransferCancelled
from runway_desktop.api.retry import RetryNotice
from runway_desktop.api.transfer import TransferProgress, UploadResult, upload_file
from runway_desktop.bundles.preflight import PreflightReport
from runway_desktop.core.submit.events import FileProgress, Notice, PipelineEvent, TotalProgress
from runway_desktop.core.submit.progress_total import TotalProgressMeter
from runway_desktop.history.store import HistoryStore

# Why an upload stopped that ``halt`` stopped: the check's own failure says what is wrong.
HALTED = "Stopped because a file failed its check."


class ParallelUploads:
    def __init__(
        self,
        http: httpx.AsyncClient,
        history: HistoryStore,
        emit: Callable[[PipelineEvent], None],
        cancel: asyncio.Event,
        *,
        halt: asyncio.Event | None = None,
        slots: asyncio.Semaphore | None = None,
    ) -> None:
        """``halt``: stop every upload when set (a file failed its whole-file check);
        ``slots``: a cap on uploads at once shared with other submissions (a batch's)."""
        self.http = http
        self.history = history
        self._emit = emit
        self._cancel = cancel
        self._halt = halt
        self._slots = slots

    def _halted(self) -> bool:
        """Stopped by ``halt`` and not by the user (whose cancel has its own words)."""
        return self._halt is not None and self._halt.is_set() and not self._cancel.is_set()

    async def run(
        self,
        submission_id: int,
        links: Mapping[str, str],
        reports: Mapping[str, PreflightReport],
    ) -> None:
        total = TotalProgressMeter(
            {env: r.size for env, r in reports.items()},
            lambda p: self._emit(TotalProgress(p)),
        )
        # One failure stops the other uploads: the submission cannot complete without it.
        stop_others = asyncio.Event()

        async def one(env: str, report: PreflightReport) -> UploadResult:
            step_id = self.history.step_started(submission_id, "UPLOAD_FILE", env)

            def progress(p: TransferProgress) -> None:
                self._emit(FileProgress(env, p))
                total.update(env, p)

            def retried(notice: RetryNotice) -> None:
                self._emit(Notice(f"{report.path.name}: {notice.text}"))

            stops = (self._cancel, stop_others, *([self._halt] if self._halt else []))
            watcher = asyncio.ensure_future(first_of(*stops))
            cancel = asyncio.Event()
            watcher.add_done_callback(lambda _: cancel.set())
            try:
                async with self._slots or contextlib.nullcontext():
                    result = await upload_file(
                        self.http,
                        links[env],
                        report.path,
                        expected_size=report.size,
                        expected_mtime_ns=report.mtime_ns,
                        expected_md5=report.md5 or None,
                        on_progress=progress,
                        cancel=cancel,
                        on_retry=retried,
                    )
            except BaseException as exc:
                stop_others.set()
                status = "cancelled" if isinstance(exc, TransferCancelled) else "failed"
                if status == "cancelled" and self._halted():
                    self.history.step_finished(step_id, status, HALTED)
                    raise TransferCancelled(HALTED, next_step="Nothing was started.") from None
                self.history.step_finished(step_id, status, getattr(exc, "message", str(exc)))
                raise
            finally:
                watcher.cancel()
            # The MD5 too when it was known before: a resumed record may have been written
            # without it.
            self.history.mark_uploaded(
                submission_id, env, etag=result.etag, etag_checked=result.etag_checked,
                md5=result.md5_hex,
            )  # fmt: skip
            self.history.step_finished(step_id, "done", f"{result.bytes_sent} bytes")
            if not result.etag_checked:
                self._emit(Notice(f"{report.path.name}: {result.etag_note}"))
            return result

        outcomes = await asyncio.gather(
            *(one(env, report) for env, report in reports.items()), return_exceptions=True
        )
        errors = [o for o in outcomes if isinstance(o, BaseException)]
        if errors:
            # Prefer the real cause over the "cancelled" of the uploads it stopped.
            real = [e for e in errors if not isinstance(e, TransferCancelled)]
            raise (real or errors)[0]


async def first_of(*events: asyncio.Event) -> None:
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
