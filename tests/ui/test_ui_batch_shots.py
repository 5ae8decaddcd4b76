"""The batch window on a school office laptop (1366×768 and 1280×720 less a 48 px taskbar),
light and dark: the plan with its editors, then the run's outcomes. Every column header is
in view, and every drop-down as tall as it asks to be.

With RUNWAY_SCREENSHOTS=DIR each state is also saved as a PNG there, to be looked at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot
from test_ui_batch import open_batch, row_of, spring_folder, wait_done
from test_ui_batch_edits import wait_sent_column
from ui_app_helpers import (  # noqa: F401  (app_fixture: the fixture "app")
    WAIT_MS,
    AppUnderTest,
    app_fixture,
    choose_item,
    click,
    fill_basics,
)
from ui_theme import screenshot, theme_fixture  # noqa: F401  (theme_fixture: "theme")

from runway_desktop.ui.batch.batch_dialog import BatchDialog

TASKBAR = 48
SIZES = {"1366x768": (1366, 768 - TASKBAR), "1280x720": (1280, 720 - TASKBAR)}


def assert_fits(dialog: BatchDialog) -> None:
    tree = dialog.plan_tree
    header = tree.header()
    for column in range(tree.columnCount() - 1):  # the last stretches to the edge
        right = header.sectionViewportPosition(column) + header.sectionSize(column)
        assert right <= tree.viewport().width(), (column, right, tree.viewport().width())
    for combo in tree.viewport().findChildren(QComboBox):
        if combo.isVisible():
            assert combo.height() >= combo.sizeHint().height() - 2, combo.accessibleName()


@pytest.mark.parametrize("size", list(SIZES))
def test_the_batch_window_on_a_laptop(
    theme: str, size: str, app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    fill_basics(qtbot, app.page, tenant="district-a", school_year="2026", assessment=None)
    dialog = open_batch(app, qtbot, spring_folder(tmp_path / "spring", samples_dir), monkeypatch)
    dialog.resize(*SIZES[size])
    qtbot.wait(50)
    wait_sent_column(qtbot, dialog)
    assert_fits(dialog)
    screenshot(dialog, f"batch-plan-{size}-{theme}")

    tree = dialog.plan_tree
    test_type = tree.editor(row_of(dialog, "assessments/PSAT_SAT"), "TEST_TYPE")
    assert test_type is not None
    choose_item(test_type, "SAT")
    click(qtbot, dialog.send_button)
    click(qtbot, dialog.pause_button)
    qtbot.wait(50)
    screenshot(dialog, f"batch-paused-{size}-{theme}")
    click(qtbot, dialog.pause_button)
    wait_done(qtbot, dialog)
    qtbot.wait(50)
    assert_fits(dialog)
    screenshot(dialog, f"batch-sent-{size}-{theme}")

    # The folder planned again: the Sent column says what went before, and when.
    before = dialog.plan
    click(qtbot, dialog.choose_button)
    qtbot.waitUntil(lambda: dialog.plan is not before, timeout=WAIT_MS)
    texts = wait_sent_column(qtbot, dialog)
    assert texts[row_of(dialog, "assessments/STAR")].startswith("These files were already sent")
    assert_fits(dialog)
    screenshot(dialog, f"batch-again-{size}-{theme}")
