"""The Qt half of ``runway-desktop --self-test``: start Qt, theme it, draw the icon.

Without a display (CI, support over SSH) the offscreen platform is used, so the check means
"Qt and its plugins load", not "a window can appear on this desktop".
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

from runway_desktop.base.selftest_report import Check, Status

_DISPLAY_VARIABLES = {"xcb": "DISPLAY", "wayland": "WAYLAND_DISPLAY"}


def choose_platform(environ: dict[str, str] | os._Environ[str]) -> str | None:
    """The platform to force, if any: offscreen on Linux when there is no display at all."""
    if not sys.platform.startswith("linux") or environ.get("QT_QPA_PLATFORM"):
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return "offscreen"


def platform_plugin_problem(plugins_dir: Path, platform: str) -> str | None:
    """Linux: load the platform plugin by hand first, because Qt aborts the whole process when
    a plugin's system libraries are missing; this way the report names the missing library."""
    if not sys.platform.startswith("linux"):
        return None
    name = platform.split(":")[0]
    plugin = plugins_dir / "platforms" / f"libq{name}.so"
    if not plugin.is_file():
        available = sorted(p.name for p in (plugins_dir / "platforms").glob("*.so"))
        return f"platform plugin {plugin} is missing (have: {', '.join(available) or 'none'})"
    try:
        ctypes.CDLL(str(plugin))
    except OSError as exc:
        return f"platform plugin cannot load: {exc}"
    variable = _DISPLAY_VARIABLES.get(name)
    if variable and not os.environ.get(variable):
        return f"platform {name} needs {variable}; run with QT_QPA_PLATFORM=offscreen"
    return None


def run_qt_checks() -> list[Check]:
    forced = choose_platform(os.environ)
    if forced:
        os.environ["QT_QPA_PLATFORM"] = forced
    try:
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import QLibraryInfo, qVersion
        from PySide6.QtGui import QImageReader
        from PySide6.QtWidgets import QApplication
    except ImportError as exc:
        return [Check("Qt", Status.FAILURE, f"cannot import PySide6: {exc}")]

    plugins_dir = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    requested = os.environ.get("QT_QPA_PLATFORM") or ("xcb" if os.environ.get("DISPLAY") else "")
    if requested:
        problem = platform_plugin_problem(plugins_dir, requested)
        if problem:
            return [Check(f"Qt {qVersion()}", Status.FAILURE, problem)]

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    checks = [
        Check(
            f"Qt {qVersion()} (platform {app.platformName()})",
            Status.OK,
            f"PySide6 {pyside_version}",
        )
    ]
    checks.append(_check_theme(app))
    formats = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
    checks.append(_check_icon("svg" in formats))
    checks.append(_check_modules())
    return checks


def _check_theme(app: object) -> Check:
    from PySide6.QtWidgets import QApplication

    from runway_desktop.ui.theme import apply_theme, is_dark

    assert isinstance(app, QApplication)
    apply_theme(app)
    if not app.styleSheet():
        return Check("stylesheet applied", Status.FAILURE, "empty after apply_theme()")
    return Check("stylesheet applied", Status.OK, "dark" if is_dark(app) else "light")


def _check_icon(svg_reader: bool) -> Check:
    from PySide6.QtGui import QIcon

    from runway_desktop.base.resources import resource_path
    from runway_desktop.ui.theme import app_icon

    if app_icon().pixmap(64, 64).isNull():
        return Check("icon", Status.FAILURE, "the app icon does not render")
    svg = QIcon(str(resource_path("icons", "runway-desktop.svg")))
    if svg.pixmap(96, 96).isNull() or not svg_reader:
        # PNG sizes still give every window an icon; only large sizes get blurry.
        return Check("icon", Status.WARNING, "PNG only (the SVG plugins are missing)")
    return Check("icon", Status.OK, "PNG and SVG")


def _check_modules() -> Check:
    """The UI and single-instance modules import (a frozen build could miss one)."""
    try:
        import qasync  # noqa: F401
        from PySide6.QtNetwork import QLocalServer  # noqa: F401

        from runway_desktop.ui import main_window, single_instance  # noqa: F401
    except ImportError as exc:
        return Check("UI modules", Status.FAILURE, f"{exc.name or exc} is missing")
    return Check("UI modules", Status.OK, "main window, qasync, QLocalServer")
