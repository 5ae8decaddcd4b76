"""Send a folder: the plan's rows fixed before sending (another assessment or slot, a file left
out), each edit re-checked by the core, the edited item the one sent; and the "Sent" column,
which says before sending whether these exact files went to the same place, and when."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from test_ui_batch import open_batch, row_of, spring_folder, wait_done
from ui_app_helpers import (  # noqa: F401  (app_fixture: the fixture "app")
    WAIT_MS,
    AppUnderTest,
    app_fixture,
    choose_item,
    click,
    fill_basics,
)

from runway_desktop.ui.batch.batch_dialog import BatchDialog

DS, SA = 1, 2  # STAR's files in its slots' order: overall, dashboard standards, skill area


def wait_sent_column(qtbot: QtBot, dialog: BatchDialog) -> list[str]:
    tree, column = dialog.plan_tree, dialog.sent_column
    checking = column.checking_text()

    def looked() -> bool:
        texts = [tree.sent_text(i) for i in range(tree.row_count())]
        return not column.is_looking() and checking not in texts

    qtbot.waitUntil(looked, timeout=WAIT_MS)
    return [tree.sent_text(i) for i in range(tree.row_count())]


def test_rows_are_fixed_and_each_fix_is_checked_again(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    fill_basics(qtbot, app.page, tenant="district-a", school_year="2026", assessment=None)
    dialog = open_batch(app, qtbot, spring_folder(tmp_path / "spring", samples_dir), monkeypatch)
    tree = dialog.plan_tree
    star, map_growth = row_of(dialog, "assessments/STAR"), row_of(dialog, "assessments/MAP_Growth")
    assert dialog.send_button.text() == "&Send 2 submissions"  # PSAT/SAT needs its test type

    # Two files in one slot: not sent until one moves or is left out; then ticked again.
    slot = tree.slot_editor(star, DS)
    assert [slot.itemText(i) for i in range(slot.count())] == [
        "Overall assessment data", "Dashboard standards", "Skill area",
    ]  # fmt: skip
    choose_item(slot, "Overall assessment data")
    assert tree.check_text(star).startswith("Two files are in the “Overall assessment data” slot")
    assert not tree.is_chosen(star)
    assert dialog.send_button.text() == "&Send 1 submission"
    choose_item(slot, "Dashboard standards")
    assert tree.is_chosen(star) and tree.check_text(star).startswith("Ready to send.")

    # An optional file left out: still ready, and the item is sent without it.
    tree.set_file_included(star, SA, False)
    assert tree.check_text(star).startswith("Ready to send.")
    assert set(tree.item(star).files) == {"INPUT_FILE", "INPUT_FILE_DS"}
    # The required one left out: the core's check says what is missing; put back, it's ready.
    tree.set_file_included(star, 0, False)
    assert not tree.is_chosen(star)
    assert tree.check_text(star) == "Add the overall assessment data file."
    tree.set_file_included(star, 0, True)
    assert tree.is_chosen(star)

    # Another assessment: its slots and its settings; back again, as planned.
    assessment = tree.assessment_editor(map_growth)
    assert assessment.currentText() == "MAP Growth Assessment"
    assert assessment.findText("Star Assessments") >= 0  # every assessment the registry has
    choose_item(assessment, "PSAT/SAT")
    assert tree.item(map_growth).bundle == "assessments/PSAT_SAT"
    assert tree.check_text(map_growth) == "needs Test Type" and not tree.is_chosen(map_growth)
    test_type = tree.editor(map_growth, "TEST_TYPE")
    assert test_type is not None
    choose_item(test_type, "PSAT 10")
    assert tree.item(map_growth).params == {"TEST_TYPE": "PSAT 10"}
    assert tree.is_chosen(map_growth)
    choose_item(assessment, "MAP Growth Assessment")
    assert tree.editor(map_growth, "TEST_TYPE") is None
    item = tree.item(map_growth)
    assert (item.bundle, dict(item.params)) == ("assessments/MAP_Growth", {})
    assert tree.slot_editor(map_growth, 0).currentText() == "Assessment data"

    # Nothing was sent before: the Sent column says so.
    assert set(wait_sent_column(qtbot, dialog)) == {"not sent yet"}


def test_the_sent_column_says_what_went_before_and_the_edited_item_is_sent(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    fill_basics(qtbot, app.page, tenant="district-a", school_year="2026", assessment=None)
    dialog = open_batch(app, qtbot, spring_folder(tmp_path / "spring", samples_dir), monkeypatch)
    tree = dialog.plan_tree
    star = row_of(dialog, "assessments/STAR")
    wait_sent_column(qtbot, dialog)
    tree.set_file_included(star, SA, False)
    tree.set_chosen(row_of(dialog, "assessments/MAP_Growth"), False)
    click(qtbot, dialog.send_button)
    wait_done(qtbot, dialog)
    (outcome,) = dialog.progress.outcomes().values()
    assert outcome.status.value == "sent", dialog.progress.text(1)
    assert set(outcome.item.files) == {"INPUT_FILE", "INPUT_FILE_DS"}  # as edited
    assert tree.sent_text(star) == f"sent now (submission #{outcome.submission_id})"
    assert len(app.jobs()) == 1

    # The folder planned again: STAR's three files were never sent together; its two were.
    click(qtbot, dialog.choose_button)
    qtbot.waitUntil(lambda: tree.sent_text(star) == "not sent yet", timeout=WAIT_MS)
    tree.set_file_included(star, SA, False)
    assert tree.sent_text(star) == "checking…"
    texts = wait_sent_column(qtbot, dialog)
    assert texts[star].startswith(
        "These files were already sent for Star Assessments, district-a, 2023–24 on "
    ), texts
    assert texts[star].endswith(f"(submission #{outcome.submission_id}).")
    assert texts.count("not sent yet") == 2
    tree.set_file_included(star, SA, True)
    assert wait_sent_column(qtbot, dialog)[star] == "not sent yet"


def test_a_file_name_that_looks_like_markup_is_shown_as_it_is(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    fill_basics(qtbot, app.page, tenant="district-a", school_year="2026", assessment=None)
    folder = spring_folder(tmp_path / "spring", samples_dir)
    (folder / "district-b" / "map.csv").rename(folder / "district-b" / "<b>map<br>.csv")
    dialog = open_batch(app, qtbot, folder, monkeypatch)
    row = dialog.plan_tree.row(row_of(dialog, "assessments/MAP_Growth"))
    (file,) = row.files
    assert file.row.text(0) == "<b>map<br>.csv"
    tip = file.row.toolTip(0)
    assert "&lt;b&gt;map&lt;br&gt;.csv" in tip and "<b>" not in tip
