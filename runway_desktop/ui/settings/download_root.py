"""Where downloads go: the saved folder or the user's Downloads/Runway, and a way to change it.

``choose_folder`` and ``open_folder`` are module-level hooks so tests can replace the native
dialog and the file manager (neither exists offscreen).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from runway_desktop.core.outputs.downloader import SetDownload
from runway_desktop.settings.preferences import PreferencesStore
from runway_desktop.ui.widgets.elided_label import ElidedLabel
from runway_desktop.ui.widgets.restyle import restyle

APP_FOLDER = "Runway"  # a folder's name: not translated


def default_download_root() -> Path:
    downloads = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
    base = Path(downloads) if downloads else Path.home() / "Downloads"
    return base / APP_FOLDER


def current_root(preferences: PreferencesStore) -> Path:
    saved = preferences.load().download_root
    return Path(saved) if saved else default_download_root()


def save_root(preferences: PreferencesStore, root: Path) -> None:
    prefs = preferences.load()
    # Keep "default" as None so the folder follows the platform if the user never chose one.
    value = None if root == default_download_root() else str(root)
    preferences.save(prefs.with_changes(download_root=value))


def _native_choose_folder(parent: QWidget | None, current: Path) -> Path | None:
    title = QCoreApplication.translate("DownloadRootLine", "Save downloaded results in")
    chosen = QFileDialog.getExistingDirectory(parent, title, str(current))
    return Path(chosen) if chosen else None


def _desktop_open_folder(folder: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


choose_folder: Callable[[QWidget | None, Path], Path | None] = _native_choose_folder
open_folder: Callable[[Path], bool] = _desktop_open_folder


class DownloadRootLine(QWidget):
    """The "Save to: <folder> [Change…]" line; a change is saved in Preferences at once."""

    rootChanged = Signal(object)  # Path

    def __init__(self, preferences: PreferencesStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DownloadRootLine")
        self.preferences = preferences
        self.root = current_root(preferences)
        caption = QLabel(self.tr("Save to:"), self)
        caption.setObjectName("MutedText")
        self.path_label = ElidedLabel(self)
        self.path_label.setObjectName("DownloadRootPath")
        self.change_button = QPushButton(self.tr("Chan&ge…"), self)
        self.change_button.setToolTip(self.tr("Choose the folder downloaded results are saved in"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(caption)
        layout.addWidget(self.path_label, 1)
        layout.addWidget(self.change_button)
        self.change_button.clicked.connect(self.on_change)
        self._show()

    def on_change(self) -> None:
        chosen = choose_folder(self, self.root)
        if chosen is None or chosen == self.root:
            return
        self.set_root(chosen)

    def set_root(self, root: Path) -> None:
        self.root = root
        save_root(self.preferences, root)
        self._show()
        self.rootChanged.emit(root)

    def _show(self) -> None:
        self.path_label.set_full_text(str(self.root))
        self.path_label.setToolTip(str(self.root))


class DownloadMessage(QWidget):
    """What the last downloads came to, with Open folder once something arrived."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setObjectName("DownloadMessage")
        self.label.setWordWrap(True)
        # Folder names come from the server (tenant, assessment): never read as rich text.
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Both kinds share one padding: styled from the start, a kind change cannot leave a
        # stale (padding-less) size behind.
        self.label.setProperty("kind", "success")
        self.open_button = QPushButton(self.tr("&Open folder"), self)
        # Shown when no file manager answered Open folder: the path, to paste into one.
        self.copy_button = QPushButton(self.tr("Copy pa&th"), self)
        self.copy_button.hide()
        self.folder: Path | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignTop)
        self.open_button.clicked.connect(self.on_open_clicked)
        self.copy_button.clicked.connect(self.on_copy_clicked)
        self.hide()

    def show_text(self, text: str, folder: Path | None = None, *, error: bool = False) -> None:
        self.label.setText(text)
        self.label.setProperty("kind", "error" if error else "success")
        restyle(self.label)
        self.folder = folder
        self.open_button.setVisible(folder is not None)
        self.copy_button.hide()
        self.copy_button.setText(self.tr("Copy pa&th"))
        self.show()

    def show_results(self, results: list[SetDownload]) -> None:
        done = [r for r in results if r.ok]
        failed = [r for r in results if not r.ok]
        if failed:
            error = failed[0].error
            detail = f"{error.message} {error.next_step}" if error else ""  # the core's words
            ok = self.tr(" ({count} others arrived.)").format(count=len(done)) if done else ""
            text = self.tr("Could not download {sets}: {detail}{ok}")
            text = text.format(sets=self._sets(len(failed)), detail=detail, ok=ok)
            self.show_text(text.strip(), error=True)
        elif done:
            folders = [r.folder for r in done]
            where = folders[0] if len(folders) == 1 else Path(os.path.commonpath(folders))
            files = sum(len(r.files) for r in done)
            one, many = self.tr("{count} file"), self.tr("{count} files")
            text = self.tr("Downloaded {sets} ({files}) to {folder}").format(
                sets=self._sets(len(done)),
                files=(one if files == 1 else many).format(count=files),
                folder=where,
            )
            self.show_text(text, where)

    def _sets(self, count: int) -> str:
        if count == 1:
            return self.tr("1 output set")
        return self.tr("{count} output sets").format(count=count)

    def open(self, folder: Path) -> None:
        if not folder.is_dir():
            text = self.tr(
                "The folder {folder} is no longer there. Download the set again to get it back."
            )
            self.show_text(text.format(folder=folder), error=True)
            return
        if not open_folder(folder):
            # No file manager answered (a bare Linux desktop, a locked-down PC): the path.
            text = self.tr("No file manager opened the folder. It is: {folder}")
            self.show_text(text.format(folder=folder), folder)
            self.copy_button.show()

    def on_open_clicked(self) -> None:
        if self.folder is not None:
            self.open(self.folder)

    def on_copy_clicked(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None and self.folder is not None:
            clipboard.setText(str(self.folder))
            self.copy_button.setText(self.tr("Copied"))
