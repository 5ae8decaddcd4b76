"""School years as Runway names them: by the calendar year they end in ("2026" = 2025–26)."""

from __future__ import annotations

from datetime import date

# A new school year starts being "current" on July 1st.
CUTOVER_MONTH = 7


def current_school_year(today: date | None = None) -> int:
    """End year of the school year in progress: Nov 2025 → 2026, Jul 2026 → 2027."""
    today = today or date.today()
    return today.year + 1 if today.month >= CUTOVER_MONTH else today.year


def school_year_label(end_year: int | str) -> str:
    """2026 → "2025–26" (en dash), the way people write it."""
    end = int(end_year)
    return f"{end - 1}–{end % 100:02d}"


def school_year_choices(today: date | None = None, *, back: int = 4, ahead: int = 1) -> list[int]:
    """End years to offer, newest first, around the current one."""
    current = current_school_year(today)
    return list(range(current + ahead, current - back - 1, -1))
