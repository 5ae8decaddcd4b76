"""Tick boxes a clerk can see: an unticked box's edge stands out from the window (3:1, WCAG's
figure for the parts of a control), in light and dark, in a form and in the batch list; a
ticked one is the accent. The platform's own unticked box in dark was a dark square on a
dark window."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QStyle,
    QStyleOptionButton,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot
from ui_theme import colours, screenshot, theme_fixture  # noqa: F401  (theme_fixture: "theme")


def luminance(colour: QColor) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.red())
        + 0.7152 * channel(colour.green())
        + 0.0722 * channel(colour.blue())
    )


def contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def indicator_rect(box: QCheckBox) -> QRect:
    option = QStyleOptionButton()
    box.initStyleOption(option)
    return box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)


def pixel(image: QImage, point: QPoint) -> QColor:
    ratio = image.devicePixelRatio()
    return image.pixelColor(int(point.x() * ratio), int(point.y() * ratio))


def test_an_unticked_box_stands_out_and_a_ticked_one_is_the_accent(
    theme: str, qtbot: QtBot
) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    unticked, ticked = QCheckBox("Created after", window), QCheckBox("Ticked", window)
    ticked.setChecked(True)
    layout.addWidget(unticked)
    layout.addWidget(ticked)
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()
    screenshot(window, f"tick-boxes-{theme}")

    image = unticked.grab().toImage()
    edge = indicator_rect(unticked)
    assert edge.width() >= 12, edge  # a box, not a dot
    background = window.palette().window().color()
    # The left edge, at mid height: the darkest (light) or lightest (dark) pixel across it.
    mid = edge.center().y()
    across = [pixel(image, QPoint(x, mid)) for x in range(edge.left(), edge.left() + 3)]
    best = max(contrast(colour, background) for colour in across)
    assert best >= 3.0, (theme, [c.name() for c in across], background.name())

    image = ticked.grab().toImage()
    corner = indicator_rect(ticked).topLeft() + QPoint(3, 3)  # inside the box, off the tick
    fill = pixel(image, corner)
    accent = QColor(colours(theme)["accent"])
    assert abs(fill.red() - accent.red()) + abs(fill.blue() - accent.blue()) < 40, fill.name()
