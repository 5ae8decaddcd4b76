"""One stylesheet for the whole app, in light or dark colours to match the system."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from runway_desktop.base.resources import resource_path

LIGHT = {
    "muted": "#5f6368",
    "button_bg": "#f8f9fb",
    "sidebar": "#eef1f5",
    "hover": "#e1e6ee",
    "accent": "#1a5fb4",
    "on_accent": "#ffffff",
    # Keyboard focus rings: on ordinary controls, and on the accent-filled Submit button.
    "focus": "#1a5fb4",
    "focus_on_accent": "#0b1f3a",
    "border": "#c4c9d0",
    "track": "#e8ebef",
    "practice_bg": "#fff4ce",
    "practice_fg": "#4d3800",
    "practice_border": "#e5c453",
    "info_bg": "#e8f0fe",
    "info_fg": "#0b3a78",
    "error_bg": "#fdecea",
    "error_fg": "#5f1412",
    "error_border": "#e57373",
    "error_text": "#b3261e",
    "ok_text": "#1e7b34",
    "warning_text": "#8a5300",
    "success_bg": "#e6f4ea",
    "success_fg": "#0d4a1f",
    "warning_bg": "#fff4e0",
    "warning_fg": "#5c3800",
    "disabled_bg": "#c9ced6",
    "disabled_fg": "#5f6368",
    # The edge of an unticked box: it must stand out from the field it sits on (WCAG's 3:1).
    "check_edge": "#6b7280",
}
DARK = {
    "muted": "#a8adb4",
    "button_bg": "#33373d",
    "sidebar": "#2a2d32",
    "hover": "#363a40",
    "accent": "#3584e4",
    "on_accent": "#ffffff",
    "focus": "#78aeed",
    "focus_on_accent": "#ffffff",
    "border": "#4a4f57",
    "track": "#2f3339",
    "practice_bg": "#4a3b07",
    "practice_fg": "#ffe9a8",
    "practice_border": "#8a6d12",
    "info_bg": "#1c2f4d",
    "info_fg": "#cfe0ff",
    "error_bg": "#4a1b19",
    "error_fg": "#ffd9d6",
    "error_border": "#a33a35",
    "error_text": "#ff8a80",
    "ok_text": "#81c995",
    "warning_text": "#ffcc66",
    "success_bg": "#173d23",
    "success_fg": "#c8f0d3",
    "warning_bg": "#46320c",
    "warning_fg": "#ffe2b0",
    "disabled_bg": "#3a3e45",
    "disabled_fg": "#8d939b",
    "check_edge": "#9aa0a6",
}
_TOKEN = re.compile(r"@([a-z_]+)")


def is_dark(app: QGuiApplication) -> bool:
    hints = app.styleHints()
    scheme = hints.colorScheme() if hints is not None else Qt.ColorScheme.Unknown
    if scheme != Qt.ColorScheme.Unknown:
        return scheme == Qt.ColorScheme.Dark
    # Some desktops (and the offscreen platform) name no scheme but may still hand out a
    # dark palette: light text tables on it would be unreadable.
    return app.palette().window().color().lightness() < 128


def stylesheet(dark: bool) -> str:
    colours = dict(DARK if dark else LIGHT)
    # A combo or spin box given a border by the stylesheet needs its arrows from there too.
    icons = resource_path("icons")
    for way in ("up", "down"):
        shade = "dark" if dark else "light"
        colours[f"arrow_{way}"] = (icons / f"arrow-{way}-{shade}.svg").as_posix()
        colours[f"arrow_{way}_disabled"] = (icons / f"arrow-{way}-disabled.svg").as_posix()
    colours["check"] = (icons / "check.svg").as_posix()
    colours["check_disabled"] = (icons / "check-disabled.svg").as_posix()
    text = resource_path("style.qss").read_text(encoding="utf-8")
    return _TOKEN.sub(lambda m: colours.get(m.group(1), m.group(0)), text)


def apply_theme(app: QApplication) -> None:
    app.setStyleSheet(stylesheet(is_dark(app)))
    hints = app.styleHints()
    if hints is not None and hasattr(hints, "colorSchemeChanged"):
        hints.colorSchemeChanged.connect(
            lambda _scheme: app.setStyleSheet(stylesheet(is_dark(app)))
        )


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 32, 48, 64, 128, 256):
        png = resource_path("icons", f"runway-desktop-{size}.png")
        if png.exists():
            icon.addFile(str(png))
    svg = resource_path("icons", "runway-desktop.svg")
    if svg.exists():
        icon.addFile(str(svg))
    return icon
