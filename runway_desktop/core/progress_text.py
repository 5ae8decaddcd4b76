"""A transfer's progress in one line of words, for the progress panel and History's Resume."""

from __future__ import annotations

from runway_desktop.api.progress import TransferProgress
from runway_desktop.base.formatting import human_duration, human_size


def describe_progress(progress: TransferProgress) -> str:
    parts = []
    fraction = progress.fraction
    if fraction is not None:
        parts.append(f"{fraction * 100:.0f} %")
    else:
        parts.append(human_size(progress.bytes_done))
    if progress.bytes_per_second:
        parts.append(f"{human_size(progress.bytes_per_second)}/s")
    if progress.eta_seconds is not None and fraction is not None and fraction < 1:
        parts.append(f"{human_duration(progress.eta_seconds)} left")
    if progress.attempt > 1:
        parts.append(f"try {progress.attempt}")
    return " · ".join(parts)
