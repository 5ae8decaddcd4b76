"""The connection note's colours follow the note it shows now, never the one before.

Judged by the pixels the label paints under the app's stylesheet: its ``kind`` property is set
either way, and only a re-polish makes Qt read the ``[kind="error"]`` selector again.
"""

from __future__ import annotations

from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot
from ui_theme import colours, theme_fixture  # noqa: F401  (the pytest fixture "theme")

from runway_desktop.api.errors import AuthError
from runway_desktop.ui.connection_note import ConnectionNote


def _background(note: ConnectionNote) -> str:
    # A pixel inside the rounded box, left of any text.
    image = note.grab().toImage()
    return QColor(image.pixel(3, image.height() // 2)).name()


def test_signing_in_again_after_a_failure_is_not_red(qtbot: QtBot, theme: str) -> None:
    note = ConnectionNote()
    qtbot.addWidget(note)
    note.resize(600, 40)
    tokens = colours(theme)

    note.show_signing_in()
    info = _background(note)
    note.show_sign_in_failed(AuthError("The client id or secret was refused."))
    assert _background(note) == tokens["error_bg"]
    assert info != tokens["error_bg"]

    note.show_signing_in()
    assert note.text() == "Signing in to Runway…"
    assert _background(note) == info

    note.show_note("The practice server is starting.", error=False)
    assert _background(note) == info
    note.show_note("The profiles file is damaged.", error=True)
    assert _background(note) == tokens["error_bg"]
