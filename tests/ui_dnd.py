"""Real drag-and-drop events for widget tests (STACK-NOTES §7).

A real OS drag cannot be automated headless, so tests deliver the same QDragEnterEvent,
QDragMoveEvent and QDropEvent objects Qt would, through QApplication.sendEvent. That goes
through QApplication.notify, which also forwards an ignored drag to parent widgets, as a real
drag does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

_ACTION = Qt.DropAction.CopyAction
_BUTTON = Qt.MouseButton.LeftButton
_NO_MODIFIER = Qt.KeyboardModifier.NoModifier


@dataclass
class DragResult:
    """Whether each event was accepted, read at once (the events themselves are not kept)."""

    enter_accepted: bool
    moved: bool = False
    dropped: bool = False
    drop_accepted: bool = False

    @property
    def accepted(self) -> bool:
        return self.enter_accepted and (not self.dropped or self.drop_accepted)


def file_mime(paths: Sequence[Path]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def url_mime(urls: Sequence[str]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl(u) for u in urls])
    return mime


def text_mime(text: str) -> QMimeData:
    mime = QMimeData()
    mime.setText(text)
    return mime


def drag_enter_event(pos: QPointF, mime: QMimeData) -> QDragEnterEvent:
    # PySide 6.12 wants a QPointF here (the QPoint form is deprecated); 6.11 takes only a QPoint
    # and raises TypeError for a QPointF. The stubs of each know only their own form.
    factory: Any = QDragEnterEvent
    try:
        return cast(QDragEnterEvent, factory(pos, _ACTION, mime, _BUTTON, _NO_MODIFIER))
    except TypeError:
        return cast(QDragEnterEvent, factory(pos.toPoint(), _ACTION, mime, _BUTTON, _NO_MODIFIER))


def drag_move_event(pos: QPointF, mime: QMimeData) -> QDragMoveEvent:
    factory: Any = QDragMoveEvent
    try:
        return cast(QDragMoveEvent, factory(pos, _ACTION, mime, _BUTTON, _NO_MODIFIER))
    except TypeError:
        return cast(QDragMoveEvent, factory(pos.toPoint(), _ACTION, mime, _BUTTON, _NO_MODIFIER))


def drag(
    widget: QWidget, mime: QMimeData, *, drop: bool = True, at: QPoint | None = None
) -> DragResult:
    """Enter, move over and (if the enter was accepted and ``drop``) drop ``mime`` on ``widget``."""
    pos = QPointF(at if at is not None else widget.rect().center())
    enter = drag_enter_event(pos, mime)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        # Qt never delivers a move or drop to a target that refused the enter.
        return DragResult(enter_accepted=False)
    QApplication.sendEvent(widget, drag_move_event(pos, mime))
    if not drop:
        return DragResult(enter_accepted=True, moved=True)
    event = QDropEvent(pos, _ACTION, mime, _BUTTON, _NO_MODIFIER)
    QApplication.sendEvent(widget, event)
    return DragResult(True, moved=True, dropped=True, drop_accepted=event.isAccepted())


def drop_files(widget: QWidget, paths: Sequence[Path]) -> DragResult:
    return drag(widget, file_mime(paths))
