"""Alt+letter on every screen: each button and tick box a clerk can see has its own letter
(a label's letter moves to the field it names), and no two things visible at once share one.

Left without a letter, on purpose (``REPEATED``): buttons that repeat once per row or slot (a
letter would name several at once; Tab, Space and the slot's own keys reach them), and the
second "Clear filters" shown under an empty list (the bar's button above has the letter).
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot
from ui_app_helpers import WAIT_MS, AppUnderTest, app_fixture  # noqa: F401  (the fixture "app")

from runway_desktop.ui.history.linked_sets import LinkedSets
from runway_desktop.ui.main_window import MainWindow
from runway_desktop.ui.submit.upload_slot import UploadSlot

REPEATED = (UploadSlot, LinkedSets)
NO_MATCH_CLEAR = "HistoryNoMatchClear"


def _repeated(widget: QWidget) -> bool:
    if widget.objectName() == NO_MATCH_CLEAR:
        return True
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, REPEATED):
            return True
        parent = parent.parentWidget()
    return False


def letters(root: QWidget, visible_in: QWidget) -> tuple[dict[str, str], list[str]]:
    """The Alt letters of what is visible in ``visible_in`` under ``root``, and the texts of
    buttons that have none."""
    taken: dict[str, str] = {}
    missing: list[str] = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(visible_in) or _repeated(widget):
            continue
        if not isinstance(widget, QAbstractButton | QLabel):
            continue
        if isinstance(widget, QLabel) and widget.buddy() is None:
            continue  # a label that names no field has no letter to give
        text = widget.text()
        if not text.strip() or text in ("…", "?"):
            continue  # an icon or a one-character button; its accessible name names it
        letter = QKeySequence.mnemonic(text).toString()
        if not letter:
            if isinstance(widget, QAbstractButton):
                missing.append(text)
            continue
        assert letter not in taken, f"{letter} is both {taken[letter]!r} and {text!r}"
        taken[letter] = text
    return taken, missing


def test_every_screen_gives_each_button_its_own_letter(app: AppUnderTest, qtbot: QtBot) -> None:
    window: MainWindow = app.window
    window.show()
    report: dict[str, list[str]] = {}
    for name in ("Submit", "Output sets", "History", "Settings"):
        window.show_page(name)
        QApplication.processEvents()
        page = window.pages.currentWidget()
        assert page is not None
        _, missing = letters(window, window)
        if missing:
            report[name] = missing
    assert not report, report


def all_letters(root: QWidget) -> dict[str, list[str]]:
    """Every button's Alt letter under ``root``, shown or not, with the texts that use it."""
    found: dict[str, list[str]] = {}
    for button in root.findChildren(QAbstractButton):
        letter = QKeySequence.mnemonic(button.text()).toString()
        found.setdefault(letter, []).append(button.text())
    return found


def test_the_progress_panel_and_the_history_detail_give_each_button_a_letter(
    app: AppUnderTest,
) -> None:
    """Their buttons come and go with the state: each has a letter none of the others uses,
    whichever are shown together."""
    panel = app.page.panel
    panel.retry_button.setText(panel.tr("Submit a&gain"))  # its other text ("&Resume")
    for root in (panel, app.window.history_page.detail):
        found = all_letters(root)
        assert "" not in found, found[""]
        shared = {letter: texts for letter, texts in found.items() if len(texts) > 1}
        assert not shared, shared
