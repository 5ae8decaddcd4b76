"""Send a folder with the keyboard alone, against the sandbox: Tab through the plan's editors,
fix a row, leave one out with Space, send with Alt+S, pause and resume the queue by their
mnemonics; and Stop while paused leaves the rest unsent."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from test_ui_batch import open_batch, row_of, spring_folder, wait_done
from ui_app_helpers import (  # noqa: F401  (app_fixture: the fixture "app")
    WAIT_MS,
    AppUnderTest,
    app_fixture,
    click,
    fill_basics,
)

import runway_desktop.ui.batch.batch_dialog as batch_dialog
from runway_desktop.ui.batch.batch_dialog import BatchDialog

ALT = Qt.KeyboardModifier.AltModifier
PAUSED = "Paused: the ones under way finish; the rest wait."


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the focus"
    return widget


def key(code: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A real key press where the focus is, as the keyboard would deliver it."""
    QTest.keyClick(focused(), code, modifier)


def ready_dialog(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> BatchDialog:  # fmt: skip
    fill_basics(qtbot, app.page, tenant="district-a", school_year="2026", assessment=None)
    dialog = open_batch(app, qtbot, spring_folder(tmp_path / "spring", samples_dir), monkeypatch)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=WAIT_MS)
    return dialog


def test_the_plan_is_fixed_sent_paused_and_resumed_by_keyboard(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    dialog = ready_dialog(app, qtbot, samples_dir, tmp_path, monkeypatch)
    tree = dialog.plan_tree
    sat, map_growth = (
        row_of(dialog, "assessments/PSAT_SAT"),
        row_of(dialog, "assessments/MAP_Growth"),
    )
    tree.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(tree.hasFocus, timeout=WAIT_MS)

    # Tab goes from the plan through its drop-downs, row after row.
    editors = [e for i in range(tree.row_count()) for e in tree.row(i).editors()]
    test_type = tree.editor(sat, "TEST_TYPE")
    assert test_type is not None and test_type in editors
    reached = []
    while focused() is not test_type:
        key(Qt.Key.Key_Tab)
        reached.append(focused())
        assert len(reached) <= len(editors), reached
    assert reached == editors[: len(reached)]
    assert tree.currentItem() is not tree.row(sat).row  # the setting's own row is current
    # The test type, typed: the row can be sent now.
    QTest.keyClicks(test_type, "SAT")
    assert test_type.currentText() == "SAT"
    assert tree.is_chosen(sat) and dialog.send_button.text() == "&Send 3 submissions"

    # Back to the plan, down to MAP Growth's row, and Space leaves it out.
    while focused() is not tree:
        key(Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
        assert focused() in (tree, *editors)
    for _ in range(10):
        if tree.currentItem() is tree.row(map_growth).row:
            break
        key(Qt.Key.Key_Down)
    assert tree.currentItem() is tree.row(map_growth).row
    key(Qt.Key.Key_Space)
    assert not tree.is_chosen(map_growth)
    assert dialog.send_button.text() == "&Send 2 submissions"

    # Alt+S sends; Alt+P holds the queue before it begins: nothing goes while paused.
    # (One at a time, Runway answering slowly: the first is under way when the pause lands.)
    monkeypatch.setattr(batch_dialog, "DEFAULT_JOBS", 1)
    app.sandbox.faults.set("api_delay", {"seconds": 0.5})
    # A mnemonic "clicks" the button as Space does: the click lands a moment later.
    key(Qt.Key.Key_S, ALT)
    qtbot.waitUntil(dialog.is_sending, timeout=WAIT_MS)
    assert dialog.pause_button.isVisible() and dialog.pause_button.text() == "&Pause"
    key(Qt.Key.Key_P, ALT)
    qtbot.waitUntil(dialog.run.is_paused, timeout=WAIT_MS)
    assert dialog.summary.text() == PAUSED and dialog.pause_button.text() == "&Resume"
    app.sandbox.faults.set("api_delay", None)
    # The one under way finishes; the next waits, and goes on waiting.
    qtbot.waitUntil(lambda: dialog.progress.status(1) == "sent", timeout=WAIT_MS)
    qtbot.wait(600)
    assert dialog.progress.status(2) == "waiting" and len(app.jobs()) == 1
    # Alt+R resumes: the rest is sent.
    key(Qt.Key.Key_R, ALT)
    qtbot.waitUntil(lambda: not dialog.run.is_paused(), timeout=WAIT_MS)
    assert dialog.summary.text() == "Sending 2 submissions, 1 at a time…"
    assert dialog.pause_button.text() == "&Pause"
    wait_done(qtbot, dialog)
    assert [dialog.progress.status(n) for n in (1, 2)] == ["sent", "sent"]
    by_bundle = {o.item.bundle: o for o in dialog.progress.outcomes().values()}
    assert by_bundle["assessments/PSAT_SAT"].item.params == {"TEST_TYPE": "SAT"}
    assert len(app.jobs()) == 2
    assert not dialog.pause_button.isVisible() and not dialog.stop_button.isVisible()


def test_stop_works_while_paused(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    dialog = ready_dialog(app, qtbot, samples_dir, tmp_path, monkeypatch)
    click(qtbot, dialog.send_button)
    click(qtbot, dialog.pause_button)
    assert dialog.summary.text() == PAUSED
    click(qtbot, dialog.stop_button)
    assert not dialog.pause_button.isEnabled()
    wait_done(qtbot, dialog)
    assert [dialog.progress.status(n) for n in (1, 2)] == ["not sent", "not sent"]
    assert app.jobs() == []
    assert not dialog.pause_button.isVisible()
