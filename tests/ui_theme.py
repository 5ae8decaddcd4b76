"""The app's stylesheet in light or dark for one GUI test, as the app applies it at start.

Import the fixture by name into a test module (tests/ is not a package):

    from ui_theme import theme_fixture  # noqa: F401  (the pytest fixture "theme")

``screenshot(widget, name)`` saves what the widget shows to $RUNWAY_SCREENSHOTS (nothing when
it is unset), for a person to look at; at 200 % (QT_SCALE_FACTOR=2) the name ends in @2x.

The offscreen platform names no colour scheme, so "dark" also hands Qt a dark palette, as a
dark desktop would; the stylesheet's palette(...) colours need it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from runway_desktop.ui.theme import DARK, LIGHT, stylesheet

THEMES = ("light", "dark")


def dark_palette() -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2b2d31",
        QPalette.ColorRole.WindowText: "#e8e8e8",
        QPalette.ColorRole.Base: "#1f2023",
        QPalette.ColorRole.AlternateBase: "#2f3136",
        QPalette.ColorRole.Text: "#e8e8e8",
        QPalette.ColorRole.Button: "#35373c",
        QPalette.ColorRole.ButtonText: "#e8e8e8",
        QPalette.ColorRole.Highlight: "#3584e4",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Mid: "#5a5d63",
        QPalette.ColorRole.Midlight: "#45484e",
        QPalette.ColorRole.Dark: "#18191b",
        QPalette.ColorRole.Light: "#55585e",
        QPalette.ColorRole.PlaceholderText: "#9a9ea5",
        QPalette.ColorRole.ToolTipBase: "#35373c",
        QPalette.ColorRole.ToolTipText: "#e8e8e8",
        QPalette.ColorRole.Link: "#78aeed",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7d8188"))
    return palette


def colours(theme: str) -> dict[str, str]:
    """The theme's token table (theme.py), e.g. ``colours("dark")["focus"]``."""
    return DARK if theme == "dark" else LIGHT


@pytest.fixture(name="theme", params=THEMES)
def theme_fixture(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    """Light or dark for this test only; request it before the window is built, as the app
    applies its theme before building any widget."""
    name = str(request.param)
    qapp.setPalette(dark_palette() if name == "dark" else qapp.style().standardPalette())
    qapp.setStyleSheet(stylesheet(name == "dark"))
    try:
        yield name
    finally:
        qapp.setStyleSheet("")
        qapp.setPalette(qapp.style().standardPalette())


def screenshot(widget: QWidget, name: str) -> None:
    folder = os.environ.get("RUNWAY_SCREENSHOTS")
    if not folder:
        return
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    high = widget.devicePixelRatioF() > 1
    widget.grab().save(str(out / f"{name}{'@2x' if high else ''}.png"))
