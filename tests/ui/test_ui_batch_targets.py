"""Send a folder: a row's district and school year picked in the plan are what is sent, and
the Sent column looks again after the change."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from test_ui_batch import open_batch, row_of, spring_folder, wait_done
from test_ui_batch_edits import wait_sent_column
from ui_app_helpers import (  # noqa: F401  (app_fixture: the fixture "app")
    AppUnderTest,
    app_fixture,
    choose_item,
    click,
    fill_basics,
)


def test_a_rows_district_and_year_are_the_ones_sent(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    fill_basics(qtbot, app.page, tenant="district-a", school_year="2026", assessment=None)
    dialog = open_batch(app, qtbot, spring_folder(tmp_path / "spring", samples_dir), monkeypatch)
    tree = dialog.plan_tree
    star = row_of(dialog, "assessments/STAR")
    wait_sent_column(qtbot, dialog)
    district, year = tree.district_editor(star), tree.year_editor(star)
    assert district.accessibleName() == f"District for submission {star + 1}"
    assert district.currentText() == "district-a" and district.findText("district-b") >= 0
    assert year.currentText() == "2023–24" and year.findText("2025–26") >= 0
    choose_item(district, "district-b")
    assert tree.sent_text(star) == "checking…"  # looked at again
    choose_item(year, "2025–26")
    item = tree.item(star)
    assert (item.tenant, item.school_year) == ("district-b", "2026")
    assert "The school year was changed to 2025–26" in tree.check_text(star)
    # The files' rows are of 2023–24: the run's file check refuses another year, so it
    # goes back to the planned one to be sent to district-b.
    choose_item(year, "2023–24")
    assert "The school year was changed" not in tree.check_text(star)
    wait_sent_column(qtbot, dialog)
    for other in range(tree.row_count()):
        tree.set_chosen(other, other == star)
    click(qtbot, dialog.send_button)
    wait_done(qtbot, dialog)
    assert dialog.progress.status(1) == "sent", dialog.progress.text(1)
    (job,) = app.jobs()
    assert (job.tenant, job.school_year, job.bundle) == ("district-b", "2024", "assessments/STAR")
