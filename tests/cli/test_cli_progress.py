"""Submission progress on stderr: a redrawn bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import io

from runway_desktop.api.errors import (
    DiskFull,
    NetworkError,
    NotFound,
    RunwayError,
    ServerError,
    ValidationFailed,
)
from runway_desktop.api.progress import TransferProgress
from runway_desktop.cli.output import Console, exit_code_for, render_table
from runway_desktop.cli.progress import SubmitProgress, progress_line
from runway_desktop.core.submit.events import Notice, Step, StepFinished, StepStarted, TotalProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_shows_speed_and_eta_only_once_known() -> None:
    early = TransferProgress(bytes_done=512, bytes_total=2048, bytes_per_second=None,
                             eta_seconds=None)  # fmt: skip
    assert progress_line(early).startswith("[######------------------]   25%")
    assert "/s" not in progress_line(early) and "left" not in progress_line(early)
    steady = TransferProgress(bytes_done=3 * 10**6, bytes_total=6 * 10**6,
                              bytes_per_second=10**6, eta_seconds=3.0)  # fmt: skip
    assert "3.0 MB of 6.0 MB" in progress_line(steady)
    assert "1.0 MB/s" in progress_line(steady) and "about 3 s left" in progress_line(steady)


def test_terminal_gets_a_redrawn_bar_that_is_cleared_before_step_lines() -> None:
    stderr = Terminal()
    progress = SubmitProgress(Console(json_mode=False, stdout=io.StringIO(), stderr=stderr))
    progress.handle(StepStarted(Step.UPLOAD))
    progress.handle(TotalProgress(TransferProgress(10, 100, None, None)))
    progress.handle(TotalProgress(TransferProgress(100, 100, 50.0, 0.0)))
    progress.handle(StepFinished(Step.UPLOAD, "done", 1.25))
    text = stderr.getvalue()
    assert text.startswith("Uploading…\n\r[")
    assert text.count("\r[") == 2
    assert text.endswith("\r\x1b[KUploading: done (1.2 s)\n")


def test_log_output_has_one_line_per_step_and_no_redraws() -> None:
    stderr = io.StringIO()
    progress = SubmitProgress(Console(json_mode=False, stdout=io.StringIO(), stderr=stderr))
    progress.handle(StepStarted(Step.CREATE))
    progress.handle(TotalProgress(TransferProgress(10, 100, None, None)))
    progress.handle(Notice("retrying"))
    progress.handle(StepFinished(Step.CREATE, "failed", 0.5, "Runway said no."))
    assert stderr.getvalue() == (
        "Note: retrying\nCreating the job: failed (0.5 s) — Runway said no.\n"
    )


def test_exit_codes_follow_the_error_types() -> None:
    assert exit_code_for(ValidationFailed("x", status=400)) == 3
    assert exit_code_for(NotFound("x", status=404)) == 3
    assert exit_code_for(ServerError("x", status=503)) == 4
    assert exit_code_for(NetworkError("x", kind="dns")) == 4
    assert exit_code_for(DiskFull("x")) == 5
    assert exit_code_for(RunwayError("x", status=409)) == 3


def test_table_columns_line_up() -> None:
    table = render_table(["A", "Long header"], [["wide cell", "b"]])
    assert table.splitlines() == ["A          Long header", "wide cell  b"]


def test_a_redrawn_line_is_cleaned_like_every_other_line() -> None:
    # The bar writes through the Console, so the only escape on the line is the Console's own
    # erase-to-end; anything in the text itself (a file name, say) is shown, never obeyed.
    stderr = Terminal()
    console = Console(json_mode=False, stdout=io.StringIO(), stderr=stderr)
    console.redraw("uploading \x1b]0;owned\x07scores\x1b[2J.csv")
    console.clear_line()
    text = stderr.getvalue()
    assert text.count("\x1b") == 2 and text.count("\x1b[K") == 2
    assert "\x07" not in text and "scores" in text
