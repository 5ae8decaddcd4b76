"""Send a folder: the plan saved as the CLI's plan file, as the clerk sees it (edits kept, the
unticked rows named but not sent), and opened again; a file that is not a plan, or a folder
that cannot be written, says so and keeps the plan shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from test_ui_batch import open_batch, row_of, spring_folder, wait_done
from test_ui_batch_edits import wait_sent_column
from test_ui_mnemonics import all_letters
from ui_app_helpers import (  # noqa: F401  (app_fixture: the fixture "app")
    WAIT_MS,
    AppUnderTest,
    app_fixture,
    choose_item,
    click,
    fill_basics,
)

import runway_desktop.ui.batch.folder_dialog as folder_dialog_module
from runway_desktop.core.batch.plan_file import read_plan
from runway_desktop.ui.batch.batch_dialog import BatchDialog

NOT_TICKED = "not ticked in the batch window"


class FileDialogs:
    """QFileDialog's static functions answering with the path a test chose; what they were
    asked is kept."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.save_to: Path | None = None
        self.open_from: Path | None = None
        self.asked: list[tuple[str, str, str]] = []  # (which, start, filter)
        monkeypatch.setattr(QFileDialog, "getSaveFileName", self._save)
        monkeypatch.setattr(QFileDialog, "getOpenFileName", self._open)

    def _save(self, _parent: Any, _title: str, start: str, filter: str, *_: Any) -> tuple[str, str]:
        self.asked.append(("save", start, filter))
        return (str(self.save_to) if self.save_to else "", filter)

    def _open(self, _parent: Any, _title: str, start: str, filter: str, *_: Any) -> tuple[str, str]:
        self.asked.append(("open", start, filter))
        return (str(self.open_from) if self.open_from else "", filter)


def planned(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> BatchDialog:  # fmt: skip
    fill_basics(qtbot, app.page, tenant="district-a", school_year="2026", assessment=None)
    dialog = open_batch(app, qtbot, spring_folder(tmp_path / "spring", samples_dir), monkeypatch)
    wait_sent_column(qtbot, dialog)
    return dialog


def save(qtbot: QtBot, dialog: BatchDialog) -> str:
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: not dialog.summary.text().startswith("Saving"), timeout=WAIT_MS)
    return dialog.summary.text()


def open_plan(qtbot: QtBot, dialog: BatchDialog) -> str:
    click(qtbot, dialog.open_button)
    qtbot.waitUntil(lambda: not dialog.folder_label.text().startswith("Opening"), timeout=WAIT_MS)
    return dialog.folder_label.text()


def rows(dialog: BatchDialog) -> list[tuple[str, str, str, bool]]:
    tree = dialog.plan_tree
    return sorted(
        (tree.item(i).bundle, tree.item(i).tenant, tree.item(i).school_year, tree.is_chosen(i))
        for i in range(tree.row_count())
    )


def test_the_plan_saved_as_shown_opens_again_as_it_was(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    dialogs = FileDialogs(monkeypatch)
    dialog = planned(app, qtbot, samples_dir, tmp_path, monkeypatch)
    folder = tmp_path / "spring"
    tree = dialog.plan_tree
    # Edited: STAR goes to district-b; PSAT/SAT gets its test type; MAP Growth is unticked.
    star, sat = row_of(dialog, "assessments/STAR"), row_of(dialog, "assessments/PSAT_SAT")
    map_growth = row_of(dialog, "assessments/MAP_Growth")
    choose_item(tree.district_editor(star), "district-b")
    combo = tree.editor(sat, "TEST_TYPE")
    assert combo is not None
    choose_item(combo, "SAT")
    tree.set_chosen(map_growth, False)
    assert dialog.send_button.text() == "&Send 2 submissions"
    planned_before = dialog.plan

    plans = tmp_path / "plans"
    plans.mkdir()
    dialogs.save_to = plans / "spring-plan.toml"
    said = save(qtbot, dialog)
    assert said == f"The plan is saved in {plans / 'spring-plan.toml'}."
    # Suggested: batch-plan.toml beside the files it sends, batch plans only.
    assert dialogs.asked[-1] == ("save", str(folder / "batch-plan.toml"), "Batch plans (*.toml)")
    assert dialog.plan is planned_before and tree.row_count() == 3  # the window is unchanged
    assert not [p.name for p in plans.iterdir() if p.name != "spring-plan.toml"]  # no temp left

    # The core (and so `batch run`) reads it: the ticked rows as edited, the rest not sent.
    back = read_plan(dialogs.save_to)
    assert (back.folder, back.partner) == (folder, "acme")
    assert sorted((i.bundle, i.tenant, i.school_year, dict(i.params)) for i in back.items) == [
        ("assessments/PSAT_SAT", "district-b", "2026", {"TEST_TYPE": "SAT"}),
        ("assessments/STAR", "district-b", "2024", {}),
    ]
    star_files = next(i.files for i in back.items if i.bundle == "assessments/STAR")
    assert sorted(p.name for p in star_files.values()) == sorted(
        p.name for p in tree.item(star).files.values()
    )
    not_sent = {u.path.relative_to(folder).as_posix(): u.reason for u in back.unplaced}
    assert not_sent["district-b/map.csv"] == NOT_TICKED
    assert "district-b/readme.txt" in not_sent  # what the plan could not place stays listed

    # Planned afresh (edits gone), then the file opened: the rows are the saved ones.
    click(qtbot, dialog.choose_button)
    qtbot.waitUntil(lambda: dialog.plan is not planned_before, timeout=WAIT_MS)
    wait_sent_column(qtbot, dialog)
    assert ("assessments/MAP_Growth", "district-b", "2022", True) in rows(dialog)
    dialogs.open_from = dialogs.save_to
    shown = open_plan(qtbot, dialog)
    assert dialogs.asked[-1] == ("open", str(plans), "Batch plans (*.toml)")  # remembered
    assert shown == f"{dialogs.save_to}: 2 submissions of 4 files for acme."
    assert rows(dialog) == [
        ("assessments/PSAT_SAT", "district-b", "2026", True),
        ("assessments/STAR", "district-b", "2024", True),
    ]
    assert dialog.send_button.text() == "&Send 2 submissions"
    listed = [dialog.unplaced.item(i).text() for i in range(dialog.unplaced.count())]
    assert f"district-b/map.csv: {NOT_TICKED}" in listed and dialog.unplaced.isVisible()
    # The Sent column looks at the opened plan's rows too.
    wait_sent_column(qtbot, dialog)
    assert {tree.sent_text(i) for i in range(tree.row_count())} == {"not sent yet"}

    # Sent from the opened plan: exactly its two rows, as edited.
    click(qtbot, dialog.send_button)
    assert not dialog.save_button.isEnabled() and not dialog.open_button.isEnabled()
    wait_done(qtbot, dialog)
    assert dialog.save_button.isEnabled() and dialog.open_button.isEnabled()
    sent = {o.item.bundle: o.item for o in dialog.progress.outcomes().values()}
    assert set(sent) == {"assessments/STAR", "assessments/PSAT_SAT"}
    assert sent["assessments/STAR"].tenant == "district-b"


def test_a_file_that_is_not_a_plan_keeps_the_plan_shown(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    dialogs = FileDialogs(monkeypatch)
    dialog = planned(app, qtbot, samples_dir, tmp_path, monkeypatch)
    before, shown_rows = dialog.plan, rows(dialog)
    sent_texts = [dialog.plan_tree.sent_text(i) for i in range(dialog.plan_tree.row_count())]

    cases = {
        "settings.toml": ('title = "not a plan"\n', "settings.toml was not opened: The plan has "
                          "no folder (text in quotes)."),
        "broken.toml": ("[[item]\n", f"broken.toml was not opened: {tmp_path / 'broken.toml'} "
                        "is not valid TOML: "),
        "other.toml": (f'folder = "{tmp_path}"\npartner = "globex"\n',
                       "other.toml was not opened: the plan is for partner globex; this window "
                       "sends for acme. Choose globex on the Submit screen, then open the plan "
                       "again."),
    }  # fmt: skip
    for name, (text, message) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        dialogs.open_from = path
        said = open_plan(qtbot, dialog)
        assert said.startswith(message), said
        assert dialog.plan is before and rows(dialog) == shown_rows
        texts = [dialog.plan_tree.sent_text(i) for i in range(dialog.plan_tree.row_count())]
        assert texts == sent_texts
        assert dialog.open_button.isEnabled() and dialog.save_button.isEnabled()
    # Shown as plain text: a path is data.
    assert dialog.folder_label.textFormat().name == "PlainText"
    # Cancelled: nothing happens.
    dialogs.open_from = None
    click(qtbot, dialog.open_button)
    assert dialog.plan is before and not dialog.folder_label.text().startswith("Opening")


def test_a_folder_that_cannot_be_written_says_so_and_keeps_the_plan(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    dialogs = FileDialogs(monkeypatch)
    dialog = planned(app, qtbot, samples_dir, tmp_path, monkeypatch)
    before, shown_rows = dialog.plan, rows(dialog)
    blocker = tmp_path / "a-file"
    blocker.write_text("a file, not a folder\n", encoding="utf-8")
    dialogs.save_to = blocker / "batch-plan.toml"
    said = save(qtbot, dialog)
    assert said.startswith(f"The plan could not be saved as {dialogs.save_to} (Not a directory)")
    assert said.endswith("Choose another folder and save again; the plan here is kept.")
    assert dialog.plan is before and rows(dialog) == shown_rows
    assert blocker.read_text(encoding="utf-8") == "a file, not a folder\n"
    assert dialog.summary.textFormat().name == "PlainText"
    # Saved elsewhere, it works.
    dialogs.save_to = tmp_path / "batch-plan.toml"
    assert save(qtbot, dialog) == f"The plan is saved in {dialogs.save_to}."
    assert len(read_plan(dialogs.save_to).items) == dialog.chosen_count()


def test_the_plan_buttons_wait_for_a_plan_and_are_idle_while_planning_or_sending(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    fill_basics(qtbot, app.page, tenant="district-a", school_year="2026", assessment=None)
    folder = spring_folder(tmp_path / "spring", samples_dir)
    monkeypatch.setattr(folder_dialog_module, "choose_folder", lambda *_: str(folder))
    click(qtbot, app.page.folder_button)
    dialog = app.window.batch_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    save_button, open_button = dialog.save_button, dialog.open_button
    assert (save_button.text(), open_button.text()) == ("Sa&ve plan…", "&Open plan…")
    assert save_button.accessibleName() == "Save the plan to a file"
    assert open_button.accessibleName() == "Open a plan file"
    assert not save_button.isEnabled() and open_button.isEnabled()  # no plan yet
    shared = {k: v for k, v in all_letters(dialog).items() if k and len(v) > 1}
    assert not shared, shared  # each button its own Alt letter
    click(qtbot, dialog.choose_button)
    assert not save_button.isEnabled() and not open_button.isEnabled()  # planning
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=WAIT_MS)
    assert save_button.isEnabled() and open_button.isEnabled()
    click(qtbot, dialog.send_button)
    assert not save_button.isEnabled() and not open_button.isEnabled()  # sending
    click(qtbot, dialog.stop_button)
    wait_done(qtbot, dialog)
    assert save_button.isEnabled() and open_button.isEnabled()
