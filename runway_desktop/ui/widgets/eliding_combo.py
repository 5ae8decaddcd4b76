"""A drop-down list that shortens its chosen entry with "…" when the box is narrower than it.

A closed QComboBox simply cuts its text off at the arrow ("Any assessm"), with nothing to say
more is there. In a row of filters that shares one line, a longer language would either
widen the window past a laptop's screen or cut every box; this box gives up width like the
others and shows where it cut, and its tooltip holds the whole entry.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent, QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QToolTip,
)

from runway_desktop.ui.widgets.plain_text import plain_tooltip


class ElidingComboBox(QComboBox):
    def text_room(self) -> int:
        """The width the chosen entry is drawn in, between the frame and the arrow."""
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        return (
            self.style()
            .subControlRect(
                QStyle.ComplexControl.CC_ComboBox,
                option,
                QStyle.SubControl.SC_ComboBoxEditField,
                self,
            )
            .width()
        )

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.currentText()) > self.text_room()

    def paintEvent(self, event: QPaintEvent) -> None:
        # As QComboBox paints itself, with the label's text elided to its room.
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = self.fontMetrics().elidedText(
            option.currentText, Qt.TextElideMode.ElideRight, self.text_room()
        )
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.is_elided():
            assert isinstance(event, QHelpEvent)
            # The whole entry first, then what the box is for (its own tooltip), as plain text.
            lines = [self.currentText(), self.toolTip()]
            text = plain_tooltip("\n".join(line for line in lines if line))
            QToolTip.showText(event.globalPos(), text or "", self)
            return True
        return super().event(event)
