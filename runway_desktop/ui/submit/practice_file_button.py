"""A file slot's "Use practice file ▾": a menu of the anonymized vendor sample files that fit
the slot, offered on the sandbox so the app can be tried without real data.

Hidden while it has no files to offer (always, on a real connection); choosing one is told by
``chosen`` and the slot takes it as if it had been dropped. Its own widget: the slot's file is
about the clerk's files, and this button is the one thing on it that is not.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMenu, QToolButton, QWidget


class PracticeFileButton(QToolButton):
    chosen = Signal(object)  # Path: the practice file picked in the menu

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setText(self.tr("Use practice file ▾"))
        self.setToolTip(self.tr("Fill this slot with a sample file, to try the app"))
        # Not setMenu(): its own arrow would overlap the text; the ▾ in the text says "menu".
        self.menu_of_files = QMenu(self)
        self.clicked.connect(self.on_clicked)
        self.setVisible(False)

    def set_files(self, paths: list[Path]) -> None:
        self.menu_of_files.clear()
        for path in paths:
            action = self.menu_of_files.addAction(path.name)
            action.setToolTip(str(path))
            action.triggered.connect(lambda _checked=False, p=path: self.chosen.emit(p))
        self.setVisible(bool(paths))

    def on_clicked(self) -> None:
        self.menu_of_files.popup(self.mapToGlobal(self.rect().bottomLeft()))
