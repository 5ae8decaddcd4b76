"""Where a main window opens: as large as it likes to be, but never past the part of the screen
that the taskbar (or dock, or panel) leaves free.

A school office laptop is often 1366×768 or 1280×720 at 100 %, with a 40–48 px taskbar: a
fixed 1120×780 window opened with its bottom edge, and the Submit button, under the taskbar.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize

# What the window would like on a large screen.
PREFERRED_SIZE = QSize(1120, 780)
# The title bar and borders the window manager adds around the client area (Windows 10/11 at
# 100 %: ~31 px title + 8 px edges; GNOME and KDE are close). A guess made before the window
# is shown, when Qt cannot tell the real frame yet; a few pixels too many cost nothing.
FRAME_ALLOWANCE = QSize(16, 40)
# The smallest screen the app promises to fit: 1280×720 less a 48 px taskbar, less the frame.
SMALLEST_AVAILABLE = QSize(1280, 720 - 48)


def fitted_size(
    available: QRect,
    preferred: QSize = PREFERRED_SIZE,
    frame: QSize = FRAME_ALLOWANCE,
) -> QSize:
    """The client size to open with: ``preferred``, shrunk so that it and its frame fit in
    ``available`` (the screen's availableGeometry)."""
    return QSize(
        max(1, min(preferred.width(), available.width() - frame.width())),
        max(1, min(preferred.height(), available.height() - frame.height())),
    )


def centred_frame_origin(available: QRect, size: QSize, frame: QSize = FRAME_ALLOWANCE) -> QPoint:
    """Where the frame's top-left corner goes so the window sits in the middle of
    ``available`` (QWidget.move positions a window by its frame)."""
    outer_width = size.width() + frame.width()
    outer_height = size.height() + frame.height()
    return QPoint(
        available.x() + max(0, (available.width() - outer_width) // 2),
        available.y() + max(0, (available.height() - outer_height) // 2),
    )


def fits(size: QSize, available: QSize, frame: QSize = FRAME_ALLOWANCE) -> bool:
    """Whether a window of client ``size`` fits, frame included, in ``available``."""
    return (
        size.width() + frame.width() <= available.width()
        and size.height() + frame.height() <= available.height()
    )
