"""Re-apply the stylesheet to a widget whose dynamic property changed."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def restyle(widget: QWidget) -> None:
    # Qt evaluates [property="value"] selectors only when a widget is polished.
    style = widget.style()
    if style is not None:
        style.unpolish(widget)
        style.polish(widget)
