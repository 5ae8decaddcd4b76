"""Desktop notifications through the system tray, when the desktop has one.

Used for things that finish while the user looks elsewhere: a watched download, a submission
that got its result. Without a tray (some Linux desktops, offscreen tests) notifications are
kept in ``history`` only, so nothing fails and tests can still see what would have shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QSystemTrayIcon

from runway_desktop import APP_NAME

SHOW_MILLISECONDS = 8000


@dataclass(frozen=True)
class Notification:
    title: str
    text: str
    error: bool = False


class Notifier(QObject):
    notified = Signal(object)  # Notification
    activated = Signal()  # the user clicked the notification or the tray icon

    def __init__(self, icon: QIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history: list[Notification] = []
        self._tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self._tray = QSystemTrayIcon(icon, self)
            self._tray.setToolTip(APP_NAME)
            self._tray.messageClicked.connect(self.activated)
            self._tray.activated.connect(lambda _reason: self.activated.emit())
            self._tray.show()

    @property
    def available(self) -> bool:
        return self._tray is not None and self._tray.supportsMessages()

    def notify(self, title: str, text: str, *, error: bool = False) -> None:
        note = Notification(title, text, error)
        self.history.append(note)
        if self._tray is not None:
            kind = (
                QSystemTrayIcon.MessageIcon.Warning
                if error
                else (QSystemTrayIcon.MessageIcon.Information)
            )
            self._tray.showMessage(title, text, kind, SHOW_MILLISECONDS)
        self.notified.emit(note)
