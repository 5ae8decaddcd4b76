"""The window fits a school office laptop: 1366×768 and 1280×720 at 100 % with a 48 px taskbar,
in light and dark. Its default size comes from the screen's free area, its minimum fits the
smaller screen, and on the Submit screen the Submit button and the reason it is disabled stay
in view (the form scrolls above them), however long the form.

With RUNWAY_SCREENSHOTS=DIR each state is also saved as a PNG there, to be looked at; run with
QT_SCALE_FACTOR=2 for the same logical sizes at 200 % (files named …@2x.png).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot
from sandbox_process import SandboxProcess
from ui_app_helpers import (
    WAIT_MS,
    AppUnderTest,
    choose_school_year,
    close_services,
    drop_on_slot,
    fill_basics,
    open_window,
    sandbox_connection,
    submit,
    wait_for_partners,
    wait_success,
)
from ui_theme import screenshot, theme_fixture  # noqa: F401  (theme_fixture: "theme")

from runway_desktop.core.practice import practice_files
from runway_desktop.core.session import Session
from runway_desktop.ui.main_window import MainWindow
from runway_desktop.ui.widgets.window_fit import (
    FRAME_ALLOWANCE,
    PREFERRED_SIZE,
    SMALLEST_AVAILABLE,
    centred_frame_origin,
    fits,
    fitted_size,
)

TASKBAR = 48
# The screens' free areas: the whole screen less a taskbar along the bottom.
SCREENS = {
    "1366x768": QRect(0, 0, 1366, 768 - TASKBAR),
    "1280x720": QRect(0, 0, 1280, 720 - TASKBAR),
}
# The bound for the minimum: 1280×720 less a taskbar, with room for the frame.
MAX_MINIMUM = QSize(1240, 660)
STAR_FILES = {
    "INPUT_FILE": "SR_sample_anonymized_file.csv",
    "INPUT_FILE_DS": "SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
    "INPUT_FILE_SA": "SR_SkillArea_v1_sample_anonymized_file.csv",
}


# --- the size arithmetic ----------------------------------------------------------------------


def test_the_default_size_is_the_preferred_one_shrunk_to_the_free_area() -> None:
    for available in SCREENS.values():
        size = fitted_size(available)
        assert fits(size, available.size()), (size, available)
        assert size.width() <= PREFERRED_SIZE.width()
        origin = centred_frame_origin(available, size)
        frame = QRect(origin, size + FRAME_ALLOWANCE)
        assert available.contains(frame), (frame, available)
    # A large screen: the preferred size, centred; a taskbar on top or left moves it along.
    large = QRect(0, 0, 2560, 1400)
    assert fitted_size(large) == PREFERRED_SIZE
    top_bar = QRect(0, 40, 1366, 728)
    assert centred_frame_origin(top_bar, fitted_size(top_bar)).y() >= 40
    left_bar = QRect(60, 0, 1306, 768)
    assert centred_frame_origin(left_bar, fitted_size(left_bar)).x() >= 60


def test_the_window_opens_inside_the_screens_free_area(qtbot: QtBot) -> None:
    services = Session.create()
    window = MainWindow(services)
    qtbot.addWidget(window)
    available = window.screen().availableGeometry()
    assert window.width() <= max(available.width(), window.minimumSizeHint().width())
    assert window.height() + FRAME_ALLOWANCE.height() <= available.height()
    for screen in SCREENS.values():
        window.fit_to_screen(screen)
        assert window.size() == fitted_size(screen)
        assert QRect(window.pos(), window.size() + FRAME_ALLOWANCE).bottom() <= screen.bottom()
    window.shutdown()


# --- the real window, light and dark ----------------------------------------------------------


@pytest.fixture
def practice_app(
    theme: str,
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    sandbox_process: SandboxProcess,
) -> Iterator[AppUnderTest]:
    """The practice-mode window (its banner takes height too), connected to the sandbox."""
    services = Session.create()
    try:
        window = open_window(qtbot, services, practice=True)
        window.submit_page.form.set_practice_files(practice_files())
        connection = sandbox_connection(services, sandbox_process)
        window.set_connection(connection)
        wait_for_partners(qtbot, window)
        yield AppUnderTest(window, services, connection, sandbox_process, qtbot)
    finally:
        close_services(services, qloop, qtbot)


def window_rect_of(window: QWidget, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def assert_fully_shown(window: QWidget, widget: QWidget, what: str) -> None:
    """On screen, inside the window, and not cut by a parent (a scroll area, a splitter)."""
    assert widget.isVisible(), f"{what} is hidden"
    rect = window_rect_of(window, widget)
    assert window.rect().contains(rect), f"{what} at {rect} is outside {window.rect()}"
    shown = widget.visibleRegion().boundingRect()
    assert shown == widget.rect(), f"{what} is clipped: {shown} of {widget.rect()}"


def assert_text_fits(label: QLabel, what: str) -> None:
    assert label.width() >= 240, f"{what} is squeezed to {label.width()} px"
    needed = label.heightForWidth(label.width()) if label.wordWrap() else label.sizeHint().height()
    assert needed <= label.height(), f"{what} needs {needed} px, has {label.height()}"


def check_every_screen(app: AppUnderTest, state: str, theme: str) -> None:
    window, page = app.window, app.page
    for screen_name, available in SCREENS.items():
        window.fit_to_screen(available)
        QApplication.processEvents()
        assert window.size() == fitted_size(available)
        assert fits(window.size(), available.size())
        assert_fully_shown(window, page.submit_button, "Submit")
        assert page.submit_button.width() >= page.submit_button.sizeHint().width()
        if page.why_disabled.text():
            assert_fully_shown(window, page.why_disabled, "the reason Submit is disabled")
            assert_text_fits(page.why_disabled, "the reason Submit is disabled")
        bar = page.action_bar  # as tall as its content: no gap left by an earlier reason
        assert bar.height() <= max(bar.heightForWidth(bar.width()), bar.sizeHint().height())
        if page.send_anyway_button.isVisible():
            assert_fully_shown(window, page.send_anyway_button, "Send anyway…")
        screenshot(window, f"{state}-{screen_name}-{theme}")


def test_submit_and_its_reason_stay_in_view_on_small_screens(
    practice_app: AppUnderTest, theme: str, qtbot: QtBot, samples_dir: Path
) -> None:
    app, page = practice_app, practice_app.page
    window = app.window
    qtbot.waitUntil(lambda: window._settings_page is not None, timeout=WAIT_MS)  # all built
    minimum = window.minimumSizeHint()
    assert minimum.width() <= MAX_MINIMUM.width() and minimum.height() <= MAX_MINIMUM.height()
    assert fits(minimum, SMALLEST_AVAILABLE), minimum

    check_every_screen(app, "01-empty", theme)

    # The tallest form: three file slots, every one refused for its school year.
    fill_basics(qtbot, page, assessment="Star Assessments", school_year="2026")
    for env, name in STAR_FILES.items():
        drop_on_slot(qtbot, page, samples_dir / "STAR" / name, env)
    why = page.why_disabled.text()
    assert page.send_anyway_button.isVisible() and "\n" in why, why
    assert all(name in why for name in ("Overall assessment", "Dashboard", "Skill area")), why
    check_every_screen(app, "02-star-wrong-year", theme)
    assert page.form_scroll.verticalScrollBar().maximum() > 0, "the form was meant to scroll"
    assert window.minimumSizeHint().height() <= MAX_MINIMUM.height()

    choose_school_year(page, "2024")  # the samples' own year: ready to send
    qtbot.waitUntil(page.submit_button.isEnabled, timeout=WAIT_MS)
    check_every_screen(app, "03-star-ready", theme)

    submit(qtbot, page)
    wait_success(qtbot, page)
    for screen_name, available in SCREENS.items():
        window.fit_to_screen(available)
        QApplication.processEvents()
        panel = page.panel
        for button, what in ((panel.another_button, "Submit another"),):
            assert_fully_shown(window, button, what)
        screenshot(window, f"04-sent-{screen_name}-{theme}")

    for name in ("Output sets", "History", "Settings"):
        window.show_page(name)
        for screen_name, available in SCREENS.items():
            window.fit_to_screen(available)
            QApplication.processEvents()
            screenshot(window, f"05-{name.lower().replace(' ', '-')}-{screen_name}-{theme}")

    # History's detail of the submission just sent: it fits the pane's width (never a sideways
    # scroll bar), and with nothing chosen the pane has nothing to scroll.
    history = window.history_page
    window.show_page("History")
    qtbot.waitUntil(lambda: history.model.rowCount() == 1, timeout=WAIT_MS)
    detail_scroll = history.body.detail_scroll
    for screen_name, available in SCREENS.items():
        window.fit_to_screen(available)
        history.table.clearSelection()
        QApplication.processEvents()
        assert history.body.detail_hint.isVisible()
        hint_scrolls = detail_scroll.isVisible() and detail_scroll.verticalScrollBar().maximum()
        assert not hint_scrolls, "the hint alone scrolls"
        history.table.selectRow(0)
        qtbot.waitUntil(lambda: history.detail.record is not None, timeout=WAIT_MS)
        QApplication.processEvents()
        assert detail_scroll.horizontalScrollBar().maximum() == 0, "the detail scrolls sideways"
        assert_text_fits(history.detail.explanation, "the state's explanation")
        screenshot(window, f"06-history-detail-{screen_name}-{theme}")
