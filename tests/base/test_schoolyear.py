from datetime import date

from runway_desktop.base.schoolyear import (
    current_school_year,
    school_year_choices,
    school_year_label,
)


def test_current_school_year_cuts_over_in_july() -> None:
    assert current_school_year(date(2025, 11, 23)) == 2026
    assert current_school_year(date(2026, 6, 30)) == 2026
    assert current_school_year(date(2026, 7, 1)) == 2027


def test_label_uses_end_year_semantics() -> None:
    assert school_year_label(2026) == "2025–26"
    assert school_year_label("2000") == "1999–00"


def test_choices_are_newest_first_around_current() -> None:
    assert school_year_choices(date(2026, 11, 23), back=2, ahead=1) == [2028, 2027, 2026, 2025]
