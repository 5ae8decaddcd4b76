"""Tooltips that show their text as it is, whatever a server put in it.

A QLabel can be told ``Qt.TextFormat.PlainText``; a tooltip cannot: QToolTip renders rich text
whenever ``Qt.mightBeRichText`` guesses so (a tag-like ``<b>`` near the start is enough). Text
that would be guessed rich (a file name or message from a server) is therefore handed over
escaped, which the renderer shows literally; any other text is left exactly as it was.
"""

from __future__ import annotations

from PySide6.QtGui import Qt


def plain_tooltip(text: str | None) -> str | None:
    """``text`` as a tooltip that shows it literally (line breaks kept); None stays None."""
    if not text or not Qt.mightBeRichText(text):
        return text  # shown as plain text already: the same string, not a copy in HTML
    return Qt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)
