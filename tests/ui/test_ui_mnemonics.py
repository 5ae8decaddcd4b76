"""Alt+letter on every screen: each button and tick box a clerk can see has its own letter
(a label's letter moves to the field it names), and no two things visible at once share one.

Left without a letter, on purpose (``REPEATED``): buttons that repeat once per row or slot (a
letter would name several at once; Tab, Space and the slot's own keys reach them), and the
second "Clear filters" shown under an empty list (the bar's button above has the letter).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialogButtonBox, QLabel, QWidget
from pytestqt.qtbot import QtBot
from ui_app_helpers import WAIT_MS, AppUnderTest, app_fixture  # noqa: F401  (the fixture "app")

from runway_desktop.ui.history.linked_sets import LinkedSets
from runway_desktop.ui.main_window import MainWindow
from runway_desktop.ui.settings.connection_dialog import ConnectionDialog
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


def _closes_with_escape(widget: QWidget) -> bool:
    """A dialog's Cancel: Esc is its key."""
    box = widget.parentWidget()
    return (
        isinstance(box, QDialogButtonBox)
        and isinstance(widget, QAbstractButton)
        and box.buttonRole(widget) == QDialogButtonBox.ButtonRole.RejectRole
    )


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
        if _closes_with_escape(widget):
            continue
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


def test_the_connection_dialog_gives_each_field_and_button_a_letter(
    app: AppUnderTest, qtbot: QtBot
) -> None:
    dialog = ConnectionDialog(app.services, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.advanced_button.setChecked(True)  # its fields shown too
    QApplication.processEvents()
    taken, missing = letters(dialog, dialog)
    assert not missing, missing
    for letter in ("Alt+N", "Alt+A", "Alt+O", "Alt+C", "Alt+E", "Alt+T", "Alt+V"):
        assert letter in taken, letter
    # A label's letter lands in its field, not in the box around it (and its notes).
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=WAIT_MS)
    for key, field in ((Qt.Key.Key_E, dialog.secret_edit), (Qt.Key.Key_O, dialog.token_url_edit)):
        dialog.name_edit.setFocus()
        qtbot.waitUntil(dialog.name_edit.hasFocus, timeout=WAIT_MS)
        # Where a key goes: to the widget with the focus, as the keyboard delivers it.
        QTest.keyClick(dialog.name_edit, key, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(field.hasFocus, timeout=WAIT_MS)
