from datetime import date

from runway_desktop.base.formatting import (
    count_text,
    current_school_year,
    duration_text,
    human_duration,
    human_size,
    school_year_choices,
    school_year_folder,
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


def test_sizes_are_decimal_and_exact_below_a_kilobyte() -> None:
    assert human_size(1) == "1 byte"
    assert human_size(999) == "999 bytes"
    assert human_size(1000) == "1.0 KB"
    assert human_size(1_234_567) == "1.2 MB"
    assert human_size(3 * 10**12) == "3.0 TB"


def test_gui_and_cli_show_one_size_for_one_file() -> None:
    # The CLI's progress bar and the GUI's progress panel word the same speed the same way.
    from runway_desktop.api.progress import TransferProgress
    from runway_desktop.cli.progress import progress_line
    from runway_desktop.core.progress_text import describe_progress

    progress = TransferProgress(
        bytes_done=1_500_000, bytes_total=3_000_000, bytes_per_second=1_234_567, eta_seconds=2.0
    )
    assert "1.2 MB/s" in progress_line(progress)
    assert "1.2 MB/s" in describe_progress(progress)
    assert "1.5 MB of 3.0 MB" in progress_line(progress)


def test_school_year_forms() -> None:
    assert school_year_label("2026") == "2025–26"
    assert school_year_folder(2026) == "2025-26"
    assert school_year_label("n/a") == "n/a"


def test_count_and_duration_words() -> None:
    assert count_text(1, "file") == "1 file"
    assert count_text(12000, "row") == "12,000 rows"
    assert duration_text(0.014) == "14 ms"
    assert duration_text(125) == "2 min 5 s"
    assert human_duration(5400) == "1.5 h"
