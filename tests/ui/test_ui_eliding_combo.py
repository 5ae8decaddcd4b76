"""The drop-down that shortens its entry with "…": cut where the box is narrow, whole where it
has room, and its tooltip then gives the whole entry before what the box is for."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot

from runway_desktop.ui.widgets.eliding_combo import ElidingComboBox

ENTRY = "Any assessment of the whole district, every school"


def box(qtbot: QtBot, width: int) -> ElidingComboBox:
    combo = ElidingComboBox()
    qtbot.addWidget(combo)
    combo.addItem(ENTRY)
    combo.addItem("<b>Bold</b>")
    combo.setToolTip("Show only submissions with this assessment")
    combo.setFixedWidth(width)
    combo.show()
    qtbot.waitExposed(combo)
    return combo


def tooltip(combo: ElidingComboBox) -> str:
    QToolTip.hideText()
    centre = combo.rect().center()
    event = QHelpEvent(QEvent.Type.ToolTip, centre, combo.mapToGlobal(centre))
    QApplication.sendEvent(combo, event)
    return QToolTip.text()


def test_a_narrow_box_elides_and_its_tooltip_has_the_whole_entry(qtbot: QtBot) -> None:
    narrow = box(qtbot, 120)
    assert narrow.is_elided() and 0 < narrow.text_room() < 120
    assert tooltip(narrow) == f"{ENTRY}\nShow only submissions with this assessment"
    narrow.grab()  # paints through the elided path without error

    wide = box(qtbot, 600)
    assert not wide.is_elided()
    # Its tooltip is its own: QComboBox's handling (shown by Qt, not replaced here).
    QToolTip.hideText()
    centre = wide.rect().center()
    handled = QApplication.sendEvent(
        wide, QHelpEvent(QEvent.Type.ToolTip, centre, wide.mapToGlobal(centre))
    )
    assert handled and ENTRY not in QToolTip.text()


def test_server_text_in_an_elided_entry_stays_plain(qtbot: QtBot) -> None:
    narrow = box(qtbot, 70)
    narrow.setCurrentIndex(1)
    narrow.setToolTip("")
    assert narrow.is_elided()
    shown = tooltip(narrow)
    assert "Bold" in shown and not shown.startswith("<b>")  # escaped, not rich text
