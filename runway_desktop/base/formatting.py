"""Numbers as people read them: sizes, speeds, remaining time."""

from __future__ import annotations

from runway_desktop.api.progress import TransferProgress


def human_size(count: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} TB"  # pragma: no cover - loop always returns


def human_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    minutes = seconds / 60
    if minutes < 60:
        return f"{round(minutes)} min"
    return f"{minutes / 60:.1f} h"


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


def duration_text(seconds: float | None) -> str:
    """How long a step took, precise for short steps: "14 ms", "1.3 s", "2 min 5 s"."""
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"
