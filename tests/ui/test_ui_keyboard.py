"""A clerk's day without the mouse: a focus ring on whatever has the focus (light and dark),
Ctrl+1…4 for the screens, Ctrl+Enter to submit when Submit may be pressed, F5 to refresh,
Esc to close a question, Alt+letters on the Submit screen, and a mouse wheel that scrolls the
form rather than changing a pick list the pointer passes over. Real key and wheel events,
against the sandbox over HTTP.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QKeySequence, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QLabel, QWidget
from pytestqt.qtbot import QtBot
from ui_app_helpers import (  # noqa: F401  (app_fixture: the fixture "app")
    WAIT_MS,
    AppUnderTest,
    app_fixture,
    choose_item,
    click,
    drop_on_slot,
    fill_basics,
    param_combo,
    slot,
    wait_success,
)
from ui_theme import colours, screenshot, theme_fixture  # noqa: F401  (theme_fixture: "theme")

from runway_desktop.ui.main_window import PAGES, MainWindow
from runway_desktop.ui.settings.connection_dialog import ConnectionDialog
from runway_desktop.ui.submit.page import SubmitPage

CTRL = Qt.KeyboardModifier.ControlModifier
SAT = Path("PSAT_SAT") / "sample_anonymized_file_sat.csv"
STAR_FILES = {
    "INPUT_FILE": "SR_sample_anonymized_file.csv",
    "INPUT_FILE_DS": "SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
    "INPUT_FILE_SA": "SR_SkillArea_v1_sample_anonymized_file.csv",
}


def activate(qtbot: QtBot, window: QWidget) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)


def focus(qtbot: QtBot, widget: QWidget) -> None:
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=WAIT_MS)


def key(combo: Qt.Key, modifier: Qt.KeyboardModifier = CTRL) -> None:
    """A real key press where the focus is, as the keyboard would deliver it."""
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the focus"
    QTest.keyClick(target, combo, modifier)


def sat_ready(qtbot: QtBot, page: SubmitPage, samples_dir: Path) -> None:
    fill_basics(qtbot, page)
    choose_item(param_combo(page, "TEST_TYPE"), "SAT")
    drop_on_slot(qtbot, page, samples_dir / SAT)
    assert page.submit_button.isEnabled(), page.why_disabled.text()


# --- the screens -----------------------------------------------------------------------------


def test_ctrl_number_goes_to_each_screen_from_any_field(app: AppUnderTest, qtbot: QtBot) -> None:
    window = app.window
    activate(qtbot, window)
    editor = app.page.form.tenant.lineEdit()
    assert editor is not None
    focus(qtbot, editor)
    key(Qt.Key.Key_2)
    assert window.nav.currentRow() == PAGES.index("Output sets")
    assert window.pages.currentWidget() is window.outputs_page
    key(Qt.Key.Key_3)
    assert window.pages.currentWidget() is window.history_page
    key(Qt.Key.Key_4)
    assert window.pages.currentWidget() is window.settings_page
    key(Qt.Key.Key_1)
    assert window.pages.currentWidget() is window.submit_page
    item = window.nav.item(PAGES.index("Output sets"))
    assert item is not None and "Ctrl+2" in item.toolTip()


def test_f5_refreshes_the_screen_that_is_shown(
    app: AppUnderTest, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    window: MainWindow = app.window
    activate(qtbot, window)
    calls: list[str] = []
    outputs, history = window.outputs_page, window.history_page
    refresh_outputs, refresh_history = outputs.refresh, history.refresh

    def outputs_refresh() -> object:
        calls.append("outputs")
        return refresh_outputs()

    def history_refresh(*, poll: bool = False) -> None:
        calls.append(f"history poll={poll}")
        refresh_history(poll=poll)

    # Recorded, then done for real: the screens list as they would.
    monkeypatch.setattr(outputs, "refresh", outputs_refresh)
    monkeypatch.setattr(history, "refresh", history_refresh)
    focus(qtbot, window.nav)
    key(Qt.Key.Key_F5, Qt.KeyboardModifier.NoModifier)  # on Submit: nothing to refresh
    assert calls == []

    key(Qt.Key.Key_2)
    # The screen lists once by itself when first shown; F5 is what comes after.
    qtbot.waitUntil(outputs.refresh_button.isEnabled, timeout=WAIT_MS)
    calls.clear()
    with qtbot.waitSignal(outputs.loaded, timeout=WAIT_MS):
        key(Qt.Key.Key_F5, Qt.KeyboardModifier.NoModifier)
    assert calls == ["outputs"]

    calls.clear()
    key(Qt.Key.Key_3)
    with qtbot.waitSignal(history.listed, timeout=WAIT_MS):
        key(Qt.Key.Key_F5, Qt.KeyboardModifier.NoModifier)
    assert "history poll=True" in calls  # as "Check for results now": Runway is asked too


# --- Ctrl+Enter ------------------------------------------------------------------------------


def test_ctrl_enter_does_nothing_while_submit_is_disabled(app: AppUnderTest, qtbot: QtBot) -> None:
    page = app.page
    activate(qtbot, app.window)
    fill_basics(qtbot, page)  # no file yet
    editor = page.form.tenant.lineEdit()
    assert editor is not None
    focus(qtbot, editor)
    assert not page.submit_button.isEnabled() and page.why_disabled.text()
    for enter in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        key(enter)
    qtbot.wait(300)  # longer than the button's animated click
    assert not page.runner.is_running() and page.stack.currentIndex() == 0
    assert app.jobs() == []


def test_ctrl_enter_submits_when_submit_may_be_pressed(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path
) -> None:
    page = app.page
    activate(qtbot, app.window)
    sat_ready(qtbot, page, samples_dir)
    combo = param_combo(page, "TEST_TYPE")
    focus(qtbot, combo)  # a pick list: Ctrl+Enter must not be taken by it
    key(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.panel, timeout=WAIT_MS)
    wait_success(qtbot, page)
    jobs = app.jobs()
    assert len(jobs) == 1 and jobs[0].bundle == "assessments/PSAT_SAT"
    # The result panel shows now: Ctrl+Enter there sends nothing more.
    focus(qtbot, page.panel.another_button)
    key(Qt.Key.Key_Return)
    qtbot.wait(300)
    assert len(app.jobs()) == 1


# --- Esc and Alt+letters ---------------------------------------------------------------------


def test_esc_closes_the_send_anyway_question_without_sending(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path
) -> None:
    page = app.page
    activate(qtbot, app.window)
    fill_basics(qtbot, page, assessment="Star Assessments", school_year="2026")
    for env, name in STAR_FILES.items():
        drop_on_slot(qtbot, page, samples_dir / "STAR" / name, env)
    click(qtbot, page.send_anyway_button)
    box = page.confirm
    assert box is not None
    qtbot.waitUntil(box.isVisible, timeout=WAIT_MS)
    QTest.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=WAIT_MS)
    qtbot.wait(200)
    assert app.jobs() == [] and page.stack.currentIndex() == 0


def test_esc_closes_the_connection_dialog(app: AppUnderTest, qtbot: QtBot) -> None:
    dialog = ConnectionDialog(app.services, None, app.window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    activate(qtbot, dialog)
    key(Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    assert dialog.result() == QDialog.DialogCode.Rejected and dialog.saved_profile() is None


def test_the_submit_form_has_one_alt_letter_per_control(app: AppUnderTest) -> None:
    page = app.page
    assert QKeySequence.mnemonic(page.submit_button.text()) == QKeySequence("Alt+S")
    assert QKeySequence.mnemonic(page.send_anyway_button.text()) == QKeySequence("Alt+E")
    taken: dict[str, str] = {}
    form_page = page.stack.widget(0)  # the progress panel, shown instead of it, has its own
    assert form_page is not None
    for widget in form_page.findChildren(QWidget):
        text = widget.text() if isinstance(widget, QAbstractButton | QLabel) else ""
        letter = QKeySequence.mnemonic(text).toString()
        if not letter:
            continue
        if isinstance(widget, QLabel):
            assert widget.buddy() is not None, f"{text!r} jumps nowhere"
        assert letter not in taken, f"{letter} is both {taken[letter]!r} and {text!r}"
        taken[letter] = text
    for letter in ("Alt+P", "Alt+D", "Alt+Y", "Alt+A", "Alt+S", "Alt+E"):
        assert letter in taken, letter
    # Tab goes through the bar's buttons as they are shown, left to right.
    assert page.send_anyway_button.nextInFocusChain() is page.submit_button


# --- the mouse wheel -------------------------------------------------------------------------


def wheel(widget: QWidget, notches: int) -> None:
    """Turn the wheel over the middle of ``widget`` (negative: towards the user, down)."""
    local = QPointF(widget.rect().center())
    event = QWheelEvent(
        local,
        QPointF(widget.mapToGlobal(local.toPoint())),
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_the_form_past_a_pick_list_without_changing_it(
    app: AppUnderTest, qtbot: QtBot
) -> None:
    page, window = app.page, app.window
    activate(qtbot, window)
    fill_basics(qtbot, page)
    window.resize(window.minimumSizeHint())
    # Short: the form must scroll. Half the form's own height, so that it scrolls however
    # tall the window's minimum is (the other screens' content sets that).
    form = page.form_scroll.widget()
    assert form is not None
    page.form_scroll.setMaximumHeight(form.sizeHint().height() // 2)
    qtbot.waitUntil(lambda: page.form_scroll.verticalScrollBar().maximum() > 0, timeout=WAIT_MS)
    picker, year = page.form.assessment, page.form.school_year
    focus(qtbot, window.nav)  # the focus elsewhere, as after a click on the navigation
    chosen, chosen_year = picker.currentIndex(), year.currentIndex()
    bar = page.form_scroll.verticalScrollBar()
    bar.setValue(0)

    wheel(picker, -1)
    wheel(year, -1)
    assert picker.currentIndex() == chosen and picker.current_path() == "assessments/PSAT_SAT"
    assert year.currentIndex() == chosen_year
    assert bar.value() > 0, "the turn should have scrolled the form"

    # Once the clerk is in the box, the wheel steps through it as usual.
    focus(qtbot, year)
    wheel(year, 1)
    assert year.currentIndex() != chosen_year
    for box in (picker, year, page.form.partner, page.form.tenant, param_combo(page, "TEST_TYPE")):
        assert box.focusPolicy() == Qt.FocusPolicy.StrongFocus, box.objectName()


def test_the_wheel_leaves_the_list_filters_alone_until_one_is_chosen(
    app: AppUnderTest, qtbot: QtBot
) -> None:
    """History and Output sets: a turn over a filter the pointer only passes changes no list."""
    window = app.window
    activate(qtbot, window)
    history, outputs = window.history_page.filters, window.outputs_page.filters
    boxes = (history.status, history.period, outputs.school_year, outputs.sent_to_ods)
    for box in boxes:
        window.show_page("History" if box.parentWidget() is history else "Output sets")
        focus(qtbot, window.nav)
        before = box.currentIndex()
        wheel(box, -1)
        assert box.currentIndex() == before, box.objectName()
        focus(qtbot, box)  # chosen by Tab: now the wheel steps through it
        wheel(box, -1)
        assert box.currentIndex() != before, box.objectName()
        box.setCurrentIndex(before)


# --- the focus ring --------------------------------------------------------------------------


def edge_colour(widget: QWidget) -> QColor:
    """The colour of the widget's left edge at mid height, where a ring is straight."""
    QApplication.processEvents()
    image = widget.grab().toImage()
    ratio = image.devicePixelRatio()
    return image.pixelColor(int(1 * ratio), int(widget.height() / 2 * ratio))


def near(colour: QColor, expected: str) -> bool:
    want = QColor(expected)
    channels = (QColor.red, QColor.green, QColor.blue)
    return all(abs(channel(colour) - channel(want)) <= 40 for channel in channels)


def test_every_control_shows_a_focus_ring_not_its_own_fill(
    theme: str, app: AppUnderTest, qtbot: QtBot, samples_dir: Path
) -> None:
    page, window = app.page, app.window
    activate(qtbot, window)
    sat_ready(qtbot, page, samples_dir)
    ring, ring_on_accent = colours(theme)["focus"], colours(theme)["focus_on_accent"]
    assert ring != colours(theme)["button_bg"] and ring_on_accent != colours(theme)["accent"]
    form = page.form
    controls: list[tuple[str, QWidget, str]] = [
        ("navigation", window.nav, ring),
        ("partner", form.partner, ring),
        ("tenant", form.tenant, ring),
        ("school-year", form.school_year, ring),
        ("assessment", form.assessment, ring),
        ("test-type", param_combo(page, "TEST_TYPE"), ring),
        ("file-slot", slot(page), ring),
        ("choose-another", slot(page).replace_button, ring),
        ("submit", page.submit_button, ring_on_accent),
    ]
    for name, widget, expected in controls:
        focus(qtbot, widget)
        shown = edge_colour(widget)
        assert near(shown, expected), f"{name}: ring {shown.name()} is not {expected}"
        screenshot(widget, f"focus-{name}-{theme}")
    focus(qtbot, window.nav)
    for name, widget, expected in controls[1:]:
        shown = edge_colour(widget)
        assert not near(shown, expected), f"{name} looks focused without the focus"
