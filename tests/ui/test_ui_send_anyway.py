"""Files that look wrong stop Submit until the user decides: the Submit screen says why,
offers "Send anyway…", asks first, and History records the choice (real widgets, real
samples, the sandbox over HTTP)."""

from __future__ import annotations

import os
from pathlib import Path

from pytestqt.qtbot import QtBot
from ui_app_helpers import (  # noqa: F401  (app_fixture: the fixture "app")
    AppUnderTest,
    app_fixture,
    choose_school_year,
    click,
    drop_on_slot,
    fill_basics,
    wait_finished,
    wait_success,
)

from runway_desktop.ui.submit.page import SubmitPage

STAR_FILES = {
    "INPUT_FILE": "SR_sample_anonymized_file.csv",
    "INPUT_FILE_DS": "SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
    "INPUT_FILE_SA": "SR_SkillArea_v1_sample_anonymized_file.csv",
}
SCREENSHOT_DIR = Path(__file__).resolve().parents[1] / "screenshots" / "out"


def star_with_files(qtbot: QtBot, page: SubmitPage, samples_dir: Path, year: str) -> None:
    fill_basics(qtbot, page, assessment="Star Assessments", school_year=year)
    for env, name in STAR_FILES.items():
        drop_on_slot(qtbot, page, samples_dir / "STAR" / name, env)


def check_message(app: AppUnderTest, submission_id: int) -> str:
    record = app.services.history.get(submission_id)
    assert record is not None
    return next(s.message or "" for s in record.steps if s.step == "CHECK")


def test_a_wrong_school_year_disables_submit_and_send_anyway_asks_then_sends(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path
) -> None:
    page = app.page
    star_with_files(qtbot, page, samples_dir, "2026")
    assert not page.submit_button.isEnabled()
    why = page.why_disabled.text()
    assert "The test dates in this file are in 2023–24; you chose 2025–26" in why or (
        "This file's school year is 2023–24; you chose 2025–26" in why
    ), why
    assert "Send anyway" in why
    assert page.send_anyway_button.isVisible() and page.send_anyway_button.isEnabled()
    if os.environ.get("RUNWAY_SCREENSHOTS"):
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        app.window.resize(1366, 768)
        qtbot.wait(100)
        app.window.grab().save(str(SCREENSHOT_DIR / "submit_send_anyway.png"))

    # "Go back" sends nothing.
    click(qtbot, page.send_anyway_button)
    box = page.confirm
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    assert box.defaultButton() is box.back_button
    assert all(name in box.informativeText() for name in STAR_FILES.values())
    assert "you chose 2025–26" in box.informativeText()
    click(qtbot, box.back_button)
    shown = box
    qtbot.waitUntil(lambda: not shown.isVisible())
    assert app.jobs() == [] and page.stack.currentIndex() == 0

    click(qtbot, page.send_anyway_button)
    box = page.confirm
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    click(qtbot, box.send_button)
    wait_success(qtbot, page)
    [job] = app.jobs()
    assert job.school_year == "2026"
    result = page._last_result
    assert result is not None
    message = check_message(app, result.submission_id)
    assert message.startswith("Sent anyway: ") and "you chose 2025–26" in message


def test_the_right_year_needs_no_decision(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path
) -> None:
    page = app.page
    star_with_files(qtbot, page, samples_dir, "2024")
    assert page.submit_button.isEnabled(), page.why_disabled.text()
    assert not page.send_anyway_button.isVisible()
    # Changing the year back makes it a mismatch again, and the year fixes it again.
    choose_school_year(page, "2026")
    assert not page.submit_button.isEnabled() and page.send_anyway_button.isVisible()
    choose_school_year(page, "2024")
    assert page.submit_button.isEnabled() and not page.send_anyway_button.isVisible()


def test_another_bundles_file_says_the_run_will_fail_and_history_keeps_the_choice(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path
) -> None:
    page = app.page
    fill_basics(qtbot, page, assessment="Star Assessments", school_year="2024")
    map_file = samples_dir / "MAP_Growth" / "sample_anonymized_file.csv"
    drop_on_slot(qtbot, page, map_file, "INPUT_FILE")
    assert not page.submit_button.isEnabled()
    assert "This looks like a MAP Growth" in page.why_disabled.text()
    assert page.send_anyway_button.isVisible()

    click(qtbot, page.send_anyway_button)
    box = page.confirm
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    assert map_file.name in box.informativeText()
    assert "most likely fail" in box.informativeText()
    click(qtbot, box.send_button)
    wait_finished(qtbot, page)
    [job] = app.jobs()
    # The sandbox fails the run as Runway would: no output will come.
    qtbot.waitUntil(lambda: [r.status for r in app.job(job.uid).runs] == ["error"], timeout=15000)
    result = page._last_result
    assert result is not None and result.ok
    assert "This looks like a MAP Growth" in check_message(app, result.submission_id)


def test_a_file_that_cannot_be_sent_offers_no_send_anyway(
    app: AppUnderTest, qtbot: QtBot, tmp_path: Path
) -> None:
    page = app.page
    fill_basics(qtbot, page, assessment="MAP Growth Assessment")
    empty = tmp_path / "results.csv"
    empty.write_bytes(b"TermName,StudentID\n")
    drop_on_slot(qtbot, page, empty, "INPUT_FILE")
    assert not page.submit_button.isEnabled()
    assert "no data rows" in page.why_disabled.text()
    assert not page.send_anyway_button.isVisible()
