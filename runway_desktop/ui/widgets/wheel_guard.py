"""Turning the mouse wheel over a form scrolls the form; it never changes a pick list or a
number the pointer happens to pass over.

Qt's combo and spin boxes take wheel turns whether or not they have the focus, so a clerk
scrolling down the Submit form to reach the file slots could silently switch the school year
or the test type on the way. Once guarded, a box changes by wheel only after it was clicked or
tabbed into; otherwise the turn goes to the scroll area around it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QWidget,
)


class WheelGuard(QObject):
    def guard(self, root: QWidget) -> None:
        """Guard every combo and spin box in ``root`` (``root`` included). Call again when
        boxes are added (guarding one twice is harmless)."""
        for widget in (root, *root.findChildren(QWidget)):
            if isinstance(widget, QComboBox | QAbstractSpinBox):
                # StrongFocus: Tab and click still focus it, a wheel turn alone does not.
                widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
                widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(event, QWheelEvent) or not isinstance(watched, QWidget):
            return False
        focus = QApplication.focusWidget()
        if focus is not None and (focus is watched or watched.isAncestorOf(focus)):
            return False  # the box the clerk is in: the wheel steps through its values
        area = _scroll_area_around(watched)
        if area is None:
            event.ignore()  # nothing to scroll here: Qt offers the turn to the parents
            return True
        # Handed to the scroll area ourselves: Qt passes a wheel turn on to the parents only
        # when it came from the device, and this must hold for every turn.
        viewport = area.viewport()
        global_pos = event.globalPosition()
        forwarded = QWheelEvent(
            QPointF(viewport.mapFromGlobal(global_pos.toPoint())),
            global_pos,
            event.pixelDelta(),
            event.angleDelta(),
            event.buttons(),
            event.modifiers(),
            event.phase(),
            event.inverted(),
            event.source(),
        )
        QApplication.sendEvent(viewport, forwarded)
        return True


def _scroll_area_around(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None
