"""Screen-reader helpers: names for the parts Qt builds inside composite widgets, and spoken
announcements of what changes away from the keyboard focus (progress, a submission's result).

A combo box's drop-down list, an editable combo's line edit and a line edit's clear button are
made by Qt with no name, so a screen reader says only "list" or "button" there. They take their
owner's name here. Announcements use ``QAccessibleAnnouncementEvent`` (Qt 6.8+, which the
pinned PySide6 has): a live message that does not move the focus, as a web page's live region.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QComboBox, QLineEdit, QToolButton, QWidget

# The QAction QLineEdit makes for its clear button (setClearButtonEnabled).
_CLEAR_ACTION = "_q_qlineeditclearaction"


def spoken_name(widget: QWidget) -> str:
    """What a screen reader says for ``widget``: its accessible name, else its buddy label's
    text or its own text, as Qt works it out."""
    interface = QAccessible.queryAccessibleInterface(widget)
    if interface is None or not interface.isValid():
        return widget.accessibleName()
    return interface.text(QAccessible.Text.Name).replace("&", "").strip().rstrip(":")


def name_parts(root: QWidget) -> None:
    """Name the unnamed inner parts of every combo box and line edit under ``root`` (and
    ``root`` itself) after their owner. Call it once the owners have their names, and again
    when new fields are added."""
    combos = root.findChildren(QComboBox)
    edits = root.findChildren(QLineEdit)
    if isinstance(root, QComboBox):
        combos.append(root)
    if isinstance(root, QLineEdit):
        edits.append(root)
    for combo in combos:
        name = spoken_name(combo)
        if not name:
            continue  # the owner itself is the offender: nothing to pass on
        view = combo.view()
        if view is not None and not view.accessibleName():
            view.setAccessibleName(
                QCoreApplication.translate("Accessible", "{name}: choices").format(name=name)
            )
        edit = combo.lineEdit()
        if edit is not None and not edit.accessibleName():
            edit.setAccessibleName(name)
    for edit in edits:
        for button in edit.findChildren(QToolButton):
            if button.accessibleName():
                continue
            action = button.defaultAction()
            if action is not None and action.objectName() == _CLEAR_ACTION:
                owner = spoken_name(edit)
                button.setAccessibleName(
                    QCoreApplication.translate("Accessible", "Clear {field}").format(field=owner)
                    if owner
                    else QCoreApplication.translate("Accessible", "Clear")
                )
            elif action is not None and action.text():
                button.setAccessibleName(action.text())


def announce(widget: QWidget, message: str, *, assertive: bool = False) -> None:
    """Have a screen reader say ``message`` now, wherever the focus is. ``assertive``
    interrupts what it is saying (a result, an error); polite waits its turn (progress)."""
    if not message.strip():
        return
    event = QAccessibleAnnouncementEvent(widget, message)
    politeness = (
        QAccessible.AnnouncementPoliteness.Assertive
        if assertive
        else QAccessible.AnnouncementPoliteness.Polite
    )
    event.setPoliteness(politeness)
    QAccessible.updateAccessibility(event)


class ProgressAnnouncer:
    """Says a long transfer's progress in steps (every ``step`` per cent), not at every
    update: a screen reader that read each of them would never be quiet."""

    def __init__(self, widget: QWidget, step: int = 25) -> None:
        self._widget = widget
        self._step = step
        self._last = -1

    def reset(self) -> None:
        self._last = -1

    def update(self, percent: float, what: str) -> None:
        reached = int(percent) // self._step * self._step
        if reached <= self._last:
            return
        self._last = reached
        announce(
            self._widget,
            QCoreApplication.translate("Accessible", "{what}: {percent} per cent").format(
                what=what, percent=reached
            ),
        )
