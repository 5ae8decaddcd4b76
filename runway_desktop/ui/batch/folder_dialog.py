"""The folder dialog, behind a plain function so tests can replace it."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QWidget


def choose_folder(parent: QWidget, title: str, start_in: str = "") -> str:
    """The chosen folder, or "" when cancelled."""
    return QFileDialog.getExistingDirectory(parent, title, start_in)
