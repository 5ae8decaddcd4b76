"""What stops a submission: Submit says why it is disabled, and Runway's refusals come back
next to the field they are about, with nothing the clerk entered lost."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from ui_app_helpers import (  # noqa: F401  (app_fixture: the fixture "app")
    AppUnderTest,
    app_fixture,
    choose_item,
    drop_on_slot,
    fill_basics,
    param_combo,
    slot,
    submit,
    type_into,
    wait_checked,
)
from ui_dnd import drop_files

from runway_desktop.ui.submit.assessment_picker import NOT_ENABLED_SUFFIX
from runway_desktop.ui.submit.page import SubmitPage
from runway_desktop.ui.submit.params_form import CHOOSE
from runway_desktop.ui.widgets.field_error import FieldError

WAIT_MS = 20_000


def xlsx_named_csv(folder: Path) -> Path:
    """An Excel workbook (a zip) that someone renamed to .csv."""
    path = folder / "scores.csv"
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    return path


def header_only_csv(folder: Path) -> Path:
    path = folder / "header_only.csv"
    path.write_text("StudentID,LastName,FirstName,Score\n", encoding="utf-8")
    return path


def field_error_under(field: QWidget) -> str:
    """The text of the error line shown right under ``field`` ("" when none is shown)."""
    cell = field.parentWidget()
    assert cell is not None
    errors = [e for e in cell.findChildren(FieldError) if e.parentWidget() is cell]
    assert len(errors) == 1, "every field has one error line in its cell"
    error = errors[0]
    if error.isHidden():
        return ""
    assert error.geometry().top() >= field.geometry().bottom(), "the error sits under its field"
    return error.text()


def blocked_because(page: SubmitPage) -> str:
    assert not page.submit_button.isEnabled()
    return page.why_disabled.text()


def test_submit_says_why_it_is_disabled_until_everything_is_right(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path
) -> None:
    page, form = app.page, app.page.form
    choose_item(form.partner, "acme")
    type_into(qtbot, form.tenant.lineEdit(), "")
    assert blocked_because(page) == "Enter the district (tenant)."

    type_into(qtbot, form.tenant.lineEdit(), "district-a")
    assert blocked_because(page) == "Choose the assessment."

    choose_item(form.assessment, "PSAT/SAT")
    assert blocked_because(page) == "Choose the test type."

    test_type = param_combo(page, "TEST_TYPE")
    choose_item(test_type, "PSAT 10")
    assert blocked_because(page) == "Add the assessment data file."

    drop_on_slot(qtbot, page, xlsx_named_csv(tmp_path))
    reason = blocked_because(page)
    assert reason.startswith("“Assessment data”: This is an Excel workbook (.xlsx), not a CSV")
    assert "This is an Excel workbook" in slot(page)._errors.text()

    drop_on_slot(qtbot, page, header_only_csv(tmp_path))
    assert blocked_because(page) == (
        "“Assessment data”: This file has no data rows, only column names. Check that the "
        "export included the students' results."
    )

    drop_on_slot(qtbot, page, samples_dir / "PSAT_SAT" / "sample_anonymized_file_psat_10.csv")
    assert page.submit_button.isEnabled()
    assert page.why_disabled.text() == ""

    # Undoing any one choice blocks again, with that choice's reason.
    choose_item(test_type, CHOOSE)
    assert blocked_because(page) == "Choose the test type."
    choose_item(test_type, "PSAT 10")
    type_into(qtbot, form.tenant.lineEdit(), "   ")
    assert blocked_because(page) == "Enter the district (tenant)."
    type_into(qtbot, form.tenant.lineEdit(), "district-a")
    assert page.submit_button.isEnabled()
    # Nothing was sent while the form was incomplete.
    assert app.jobs() == []


def test_a_file_still_being_checked_blocks_submit(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path
) -> None:
    page = app.page
    fill_basics(qtbot, page)
    choose_item(param_combo(page, "TEST_TYPE"), "SAT")
    sample = samples_dir / "PSAT_SAT" / "sample_anonymized_file_sat.csv"
    assert drop_files(slot(page), [sample]).accepted
    assert blocked_because(page) == "Checking the chosen files…"
    wait_checked(qtbot, page)
    assert page.submit_button.isEnabled()


@pytest.mark.parametrize(
    ("tenant", "school_year", "assessment", "test_type", "field", "message"),
    [
        pytest.param(
            "district-z",
            "2026",
            "PSAT/SAT",
            "SAT",
            "tenant",
            "Runway has no district (tenant) 'district-z' for partner acme.",
            id="unknown-tenant",
        ),
        pytest.param(
            "tenant1",  # of partner ea, which has fewer bundles than acme
            "2026",
            "ACT",
            None,
            "assessment",
            "The assessment assessments/ACT is not turned on for this partner in Runway.",
            id="bundle-not-enabled",
        ),
        pytest.param(
            "district-a",
            "2027",
            "PSAT/SAT",
            "PSAT/NMSQT",
            "school_year",
            "This district has no ODS connected in Runway for school year 2027.",
            id="no-ods-for-year",
        ),
    ],
)
def test_runway_refusal_is_shown_under_its_field_and_nothing_is_lost(
    app: AppUnderTest,
    qtbot: QtBot,
    samples_dir: Path,
    tenant: str,
    school_year: str,
    assessment: str,
    test_type: str | None,
    field: str,
    message: str,
) -> None:
    page, form = app.page, app.page.form
    partner = "ea" if tenant == "tenant1" else "acme"
    fill_basics(
        qtbot, page, tenant=tenant, school_year=school_year, assessment=assessment, partner=partner
    )
    if test_type is not None:
        choose_item(param_combo(page, "TEST_TYPE"), test_type)
    sample = samples_dir / "PSAT_SAT" / "sample_anonymized_file_sat.csv"
    if assessment == "ACT":  # the right file for the slot: only Runway's refusal is left
        sample = Path(__file__).parents[1] / "bundles" / "data" / "ACT_sample_anonymized_file.csv"
    drop_on_slot(qtbot, page, sample)
    before = form.values()
    submit(qtbot, page)

    qtbot.waitUntil(
        lambda: page.stack.currentIndex() == 0 and not page.runner.is_running(), timeout=WAIT_MS
    )
    widgets: dict[str, QWidget] = {
        "tenant": form.tenant,
        "assessment": form.assessment,
        "school_year": form.school_year,
    }
    shown = field_error_under(widgets[field])
    assert shown.startswith(message), shown
    for other, widget in widgets.items():
        if other != field:
            assert field_error_under(widget) == "", other
    assert page.banner.isVisible()
    assert page.banner.text() == f"Runway did not accept this yet. {message}"
    # Everything entered is still there, unlocked, and can be sent again as soon as it is fixed.
    after = form.values()
    assert after == before
    assert slot(page).path() == sample and slot(page).report() is not None
    assert form.tenant.isEnabled() and slot(page).browse_button.isEnabled()
    assert page.submit_button.isEnabled()
    # Runway refused at create time: no job exists.
    assert app.jobs() == []

    if field == "assessment":
        # The picker keeps the refused bundle in its list, marked, so the clerk sees why.
        marked = f"ACT{NOT_ENABLED_SUFFIX}"
        assert form.assessment.currentText() == marked
        assert form.assessment.findText(marked) >= 0
        assert form.assessment.findText("PSAT/SAT") >= 0


def test_fixing_the_refused_field_sends_without_choosing_the_file_again(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path
) -> None:
    page, form = app.page, app.page.form
    fill_basics(qtbot, page, tenant="district-z")
    choose_item(param_combo(page, "TEST_TYPE"), "SAT")
    drop_on_slot(qtbot, page, samples_dir / "PSAT_SAT" / "sample_anonymized_file_sat.csv")
    submit(qtbot, page)
    qtbot.waitUntil(lambda: page.banner.isVisible(), timeout=WAIT_MS)
    assert field_error_under(form.tenant)

    assert field_error_under(form.school_year) == ""
    # Changing the refused field takes its error away at once; other fields keep theirs.
    form.set_field_error("school_year", "an earlier complaint")
    type_into(qtbot, form.tenant.lineEdit(), "district-b")
    assert field_error_under(form.tenant) == ""
    assert field_error_under(form.school_year) == "an earlier complaint"
    submit(qtbot, page)
    qtbot.waitUntil(lambda: page.panel.outcome.property("kind") == "success", timeout=WAIT_MS)
    assert not page.banner.isVisible()
    assert field_error_under(form.school_year) == ""
    job = app.job(page.panel.job_id.text())
    assert job.tenant == "district-b" and len(job.runs) == 1
