"""Submission progress on stderr: a redrawn bar on a terminal, plain step lines in logs.

A log file or CI console must not fill up with carriage-return redraws, so the bar is drawn
only when stderr is a terminal; otherwise each step prints one line when it ends.
"""

from __future__ import annotations

from runway_desktop.api.progress import TransferProgress
from runway_desktop.base.formatting import human_duration, human_size
from runway_desktop.cli.output import Console
from runway_desktop.core.submit.events import (
    Notice,
    PipelineEvent,
    StepFinished,
    StepStarted,
    TotalProgress,
)

BAR_WIDTH = 24


def progress_line(progress: TransferProgress) -> str:
    """``[#######-----]  45%  1.2 MB of 2.6 MB  3.4 MB/s  about 5 s left``."""
    fraction = progress.fraction
    if fraction is None:
        return f"{human_size(progress.bytes_done)} sent"
    filled = round(fraction * BAR_WIDTH)
    parts = [
        f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}]",
        f"{fraction * 100:3.0f}%",
        f"{human_size(progress.bytes_done)} of {human_size(progress.bytes_total or 0)}",
    ]
    if progress.bytes_per_second:
        parts.append(f"{human_size(progress.bytes_per_second)}/s")
    if progress.eta_seconds is not None:  # withheld by the meter until the rate is stable
        parts.append(f"about {human_duration(progress.eta_seconds)} left")
    if progress.attempt > 1:
        parts.append(f"(attempt {progress.attempt})")
    return "  ".join(parts)


class SubmitProgress:
    """The pipeline's listener for the CLI."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.interactive = console.interactive
        self._bar_shown = False

    def handle(self, event: PipelineEvent) -> None:
        if isinstance(event, StepStarted) and self.interactive:
            self._clear_bar()
            self.console.note(f"{event.step.value}…")
        elif isinstance(event, StepFinished):
            self._clear_bar()
            self.console.note(self._finished_line(event))
        elif isinstance(event, TotalProgress) and self.interactive:
            self._draw_bar(progress_line(event.progress))
        elif isinstance(event, Notice):
            self._clear_bar()
            self.console.note(f"Note: {event.text}")

    def close(self) -> None:
        self._clear_bar()

    @staticmethod
    def _finished_line(event: StepFinished) -> str:
        line = f"{event.step.value}: {event.status} ({event.seconds:.1f} s)"
        if event.status != "done" and event.message:
            line += f" — {event.message}"
        return line

    def _draw_bar(self, text: str) -> None:
        self.console.redraw(text)
        self._bar_shown = True

    def _clear_bar(self) -> None:
        if self._bar_shown:
            self.console.clear_line()
            self._bar_shown = False
