"""The Submit screen's happy paths, driven through real widgets against the sandbox over HTTP.

Files arrive the way a clerk delivers them: real QDragEnterEvent/QDropEvent sequences, or the
Browse button with the file dialog replaced.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from ui_app_helpers import (  # noqa: F401  (app_fixture: the fixture "app")
    DONE_MARK,
    AppUnderTest,
    app_fixture,
    choose_school_year,
    click,
    fill_basics,
    left_click,
    param_combo,
    press,
    slot,
    step_marks,
    submit,
    type_into,
    type_keys,
    wait_checked,
    wait_success,
)
from ui_dnd import drop_files

import runway_desktop.ui.submit.upload_slot as upload_slot_module
from runway_desktop.ui.submit.assessment_picker import AssessmentPicker
from runway_desktop.ui.submit.page import SubmitPage

STAR_FILES = {
    "INPUT_FILE": "SR_sample_anonymized_file.csv",
    "INPUT_FILE_DS": "SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
    "INPUT_FILE_SA": "SR_SkillArea_v1_sample_anonymized_file.csv",
}


def pick_from_popup(qtbot: QtBot, picker: AssessmentPicker, text: str) -> None:
    """Open the picker's list and click the entry, as with the mouse."""
    picker.showPopup()
    view = picker.view()
    qtbot.waitUntil(view.isVisible, timeout=5000)
    row = picker.findText(text)
    assert row >= 0, f"the picker offers no {text!r}"
    index = picker.model().index(row, 0)
    view.scrollTo(index)
    viewport = view.viewport()
    assert viewport is not None
    left_click(viewport, view.visualRect(index).center())
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=5000)


def type_assessment(qtbot: QtBot, page: SubmitPage, text: str) -> None:
    """Type into the picker's search box and press Enter."""
    editor = page.form.assessment.lineEdit()
    type_into(qtbot, editor, text)
    assert editor is not None
    press(editor, Qt.Key.Key_Return)


def test_psat_sent_end_to_end_then_submit_another(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path
) -> None:
    page, form = app.page, app.page.form
    assert not page.submit_button.isEnabled()
    fill_basics(qtbot, page, assessment=None)
    pick_from_popup(qtbot, form.assessment, "PSAT/SAT")
    assert form.assessment.current_path() == "assessments/PSAT_SAT"
    # Keyboard search in the closed combo, as a clerk tabbing through would do.
    test_type = param_combo(page, "TEST_TYPE")
    type_keys(test_type, "SAT")
    assert test_type.currentText() == "SAT"
    assert page.why_disabled.text() == "Add the assessment data file."

    sat = samples_dir / "PSAT_SAT" / "sample_anonymized_file_sat.csv"
    result = drop_files(slot(page), [sat])
    assert result.enter_accepted and result.drop_accepted
    wait_checked(qtbot, page)
    assert slot(page).path() == sat
    assert slot(page).report() is not None and slot(page).report().ok  # type: ignore[union-attr]
    assert page.why_disabled.text() == ""

    submit(qtbot, page)
    assert page.stack.currentWidget() is page.panel
    assert page.panel.title.text().startswith("Sending PSAT/SAT for acme / district-a / 2025–26")
    outcome = wait_success(qtbot, page)
    assert outcome.startswith("Sent. Runway is processing your file.")
    assert page.panel.title.text().startswith("Sent PSAT/SAT")
    assert set(step_marks(page).values()) == {DONE_MARK}

    job_uid = page.panel.job_id.text()
    assert page.panel.job_id.isVisible() and job_uid
    job = app.job(job_uid)
    assert (job.partner, job.tenant, job.school_year, job.bundle) == (
        "acme",
        "district-a",
        "2026",
        "assessments/PSAT_SAT",
    )
    assert job.params == {"TEST_TYPE": "SAT"}
    assert [f.name for f in job.files] == [sat.name]
    assert len(job.runs) == 1
    assert app.object_size(job.files[0].key) is not None
    assert app.uploaded_keys().count(job.files[0].key) == 1

    # The form is locked while sending and back for the next batch with its values kept.
    assert page.panel.another_button.isVisible() and page.panel.outputs_button.isVisible()
    assert not page.panel.cancel_button.isVisible()
    click(qtbot, page.panel.outputs_button)
    assert app.window.pages.currentWidget() is app.window.outputs_page
    app.window.show_page("Submit")
    assert page.stack.currentWidget() is page.panel  # still showing the result
    click(qtbot, page.panel.another_button)
    assert page.stack.currentIndex() == 0
    values = form.values()
    assert (values.partner, values.tenant, values.school_year) == ("acme", "district-a", "2026")
    assert values.bundle is not None and values.bundle.path == "assessments/PSAT_SAT"
    assert values.files == {}
    assert slot(page).path() is None
    assert form.tenant.isEnabled() and slot(page).browse_button.isEnabled()
    assert page.why_disabled.text() == "Add the assessment data file."
    assert not page.submit_button.isEnabled()
    # Remembered for next time: the tenant is offered in the list now.
    assert app.services.recent.tenants("acme") == ["district-a"]


@pytest.mark.parametrize(
    ("typed", "path"),
    [("PSAT", "assessments/PSAT_SAT"), ("map growth", "assessments/MAP_Growth")],
)
def test_typing_in_the_picker_and_pressing_enter_selects_the_one_match(
    app: AppUnderTest, qtbot: QtBot, typed: str, path: str
) -> None:
    type_assessment(qtbot, app.page, typed)
    assert app.page.form.assessment.current_path() == path
    assert app.page.form.slots.slot("INPUT_FILE") is not None


def test_typing_in_the_picker_is_not_undone_when_a_file_check_finishes(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path
) -> None:
    page = app.page
    fill_basics(qtbot, page)
    sample = samples_dir / "PSAT_SAT" / "sample_anonymized_file_sat.csv"
    assert drop_files(slot(page), [sample]).accepted
    editor = page.form.assessment.lineEdit()
    assert editor is not None
    # The clerk starts searching for another assessment while the file is still checked.
    type_into(qtbot, editor, "MAP Growth")
    wait_checked(qtbot, page)
    assert editor.text() == "MAP Growth"
    press(editor, Qt.Key.Key_Return)
    assert page.form.assessment.current_path() == "assessments/MAP_Growth"


def test_star_three_files_dropped_at_once_and_one_browsed(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, form = app.page, app.page.form
    fill_basics(qtbot, page, tenant="district-b", assessment=None)
    choose_school_year(page, "2024")  # the samples' test dates are in 2023–24
    type_assessment(qtbot, page, "Star")
    assert form.assessment.current_path() == "assessments/STAR"
    assert [s.env_var for s in form.slots.slots()] == list(STAR_FILES)
    assert page.why_disabled.text() == "Add the overall assessment data file."

    # All three dropped together on the list (over its first slot): each goes to its own slot.
    star = {env: samples_dir / "STAR" / name for env, name in STAR_FILES.items()}
    shuffled = [star["INPUT_FILE_SA"], star["INPUT_FILE"], star["INPUT_FILE_DS"]]
    result = drop_files(slot(page, "INPUT_FILE"), shuffled)
    assert result.accepted
    wait_checked(qtbot, page)
    assert form.slots.files() == star
    assert form.slots.message_text() == "3 files placed."

    # The skill-area file is removed and chosen again with Browse.
    click(qtbot, slot(page, "INPUT_FILE_SA").remove_button)
    assert slot(page, "INPUT_FILE_SA").path() is None
    asked: list[tuple[QWidget, str, str]] = []

    def fake_dialog(parent: QWidget, title: str, name_filter: str, start_in: str = "") -> str:
        asked.append((parent, title, name_filter))
        return str(star["INPUT_FILE_SA"])

    monkeypatch.setattr(upload_slot_module, "choose_file", fake_dialog)
    click(qtbot, slot(page, "INPUT_FILE_SA").browse_button)
    wait_checked(qtbot, page)
    assert asked == [
        (
            slot(page, "INPUT_FILE_SA"),
            "Choose the file for “Skill area”",
            "CSV files (*.csv *.CSV);;All files (*)",
        )
    ]
    assert form.slots.files() == star

    submit(qtbot, page)
    assert wait_success(qtbot, page).startswith("Sent. Runway is processing your files.")
    assert set(step_marks(page).values()) == {DONE_MARK}
    # Several files: one bar each plus a total, all full.
    assert set(page.panel._bars) == {*STAR_FILES, "__total__"}
    assert all(bar.value() == bar.maximum() for bar, _ in page.panel._bars.values())

    job = app.job(page.panel.job_id.text())
    assert (job.tenant, job.school_year, job.bundle) == ("district-b", "2024", "assessments/STAR")
    assert {f.env_var: f.name for f in job.files} == STAR_FILES
    assert job.params == {}
    assert len(job.runs) == 1
    inputs = [k for k in app.uploaded_keys() if k.startswith(f"{job.prefix}/input/")]
    assert sorted(inputs) == sorted(f.key for f in job.files)
    assert len(inputs) == 3
