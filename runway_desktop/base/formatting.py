"""Numbers, times and school years as people read them: one wording for the GUI and the CLI.

Decided once, used everywhere:
- sizes are decimal (1 KB = 1,000 bytes, as Windows' and macOS' transfer dialogs and the vendors'
  own download pages show them), so a file reads the same size on every screen and in the CLI;
- school years are named by the year they end in ("2026" = "2025–26", with an en dash), the way
  Runway names them, with one exception: folder names use a hyphen (``school_year_folder``),
  because an en dash in a path trips up older tools and scripts;
- a count and its noun agree ("1 file", "3 files");
- a moment is local time, day before month: "2 Dec, 07:11", with the year when it is not this
  one ("2 Dec 2025, 07:11"); tables that sort by time use "2026-12-02 07:11" instead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

# A new school year starts being "current" on July 1st.
CUTOVER_MONTH = 7

_SIZE_UNITS = ("bytes", "KB", "MB", "GB", "TB")


def human_size(count: float) -> str:
    """1234567 → "1.2 MB"; below 1,000 bytes the exact count ("512 bytes", "1 byte")."""
    if count < 1000:
        whole = round(count)
        return "1 byte" if whole == 1 else f"{whole} bytes"
    for unit in _SIZE_UNITS[1:]:
        count /= 1000
        if count < 1000 or unit == _SIZE_UNITS[-1]:
            return f"{count:.1f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def human_duration(seconds: float) -> str:
    """A rough span for "… left": "5 s", "3 min", "1.5 h"."""
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    minutes = seconds / 60
    if minutes < 60:
        return f"{round(minutes)} min"
    return f"{minutes / 60:.1f} h"


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


def count_text(count: int, singular: str, plural: str | None = None) -> str:
    """1 → "1 file", 3 → "3 files", 12000 → "12,000 files"."""
    noun = singular if count == 1 else (plural or singular + "s")
    return f"{count:,} {noun}"


def day_text(moment: datetime, now: datetime | None = None, *, with_year: bool = False) -> str:
    """The local day: "2 Dec", or "2 Dec 2025" when not this year (or ``with_year``)."""
    t, today = moment.astimezone(), (now or datetime.now(UTC)).astimezone()
    year = f" {t.year}" if with_year or t.year != today.year else ""
    return f"{t.day} {t:%b}{year}"


def moment_text(moment: datetime, now: datetime | None = None, *, with_year: bool = False) -> str:
    """A local time as people say it: "2 Dec, 07:11" (see :func:`day_text` for the year)."""
    return f"{day_text(moment, now, with_year=with_year)}, {moment.astimezone():%H:%M}"


def current_school_year(today: date | None = None) -> int:
    """End year of the school year in progress: Nov 2025 → 2026, Jul 2026 → 2027."""
    today = today or date.today()
    return today.year + 1 if today.month >= CUTOVER_MONTH else today.year


def _end_year(end_year: int | str) -> int | None:
    text = str(end_year).strip()
    return int(text) if len(text) == 4 and text.isdigit() else None


def school_year_label(end_year: int | str) -> str:
    """2026 → "2025–26" (en dash), the way people write it; anything else is shown as given."""
    end = _end_year(end_year)
    return str(end_year) if end is None else f"{end - 1}–{end % 100:02d}"


def school_year_folder(end_year: int | str) -> str:
    """2026 → "2025-26" for a folder name (hyphen, see the module docstring)."""
    end = _end_year(end_year)
    return str(end_year) if end is None else f"{end - 1}-{end % 100:02d}"


def school_year_choices(today: date | None = None, *, back: int = 4, ahead: int = 1) -> list[int]:
    """End years to offer, newest first, around the current one."""
    current = current_school_year(today)
    return list(range(current + ahead, current - back - 1, -1))
