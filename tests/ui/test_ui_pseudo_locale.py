"""Every screen in the pseudo-locale (``--lang pseudo``: each text ~40 % longer and accented)
at 1280×720 (the smaller school screen, so 1366×768 as well): no visible label, button or
check box has its text cut off, and the texts shown did go through ``tr()`` (they carry the
pseudo-locale's accents), data and the core's own wording aside.

With RUNWAY_SCREENSHOTS=DIR each screen is saved there as pseudo-<screen>.png.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QRect, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStyle,
    QStyleOptionComboBox,
    QTableView,
    QToolButton,
    QWidget,
)
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
from ui_theme import screenshot

from runway_desktop.base.words import install_lookup
from runway_desktop.core.practice import practice_files
from runway_desktop.core.session import Session
from runway_desktop.core.submit.events import Step
from runway_desktop.settings import NO_KEYRING_MESSAGE, SESSION_ONLY_MESSAGE
from runway_desktop.ui.pseudo_locale import PseudoTranslator, looks_pseudo
from runway_desktop.ui.settings.connection_dialog import ConnectionDialog
from runway_desktop.ui.theme import stylesheet
from runway_desktop.ui.widgets.elided_label import ElidedLabel
from runway_desktop.ui.widgets.eliding_combo import ElidingComboBox
from runway_desktop.ui.widgets.window_fit import fits

SCREEN = QRect(0, 0, 1280, 720 - 48)  # the smaller school screen, less a 48 px taskbar
STAR_FILES = {
    "INPUT_FILE": "SR_sample_anonymized_file.csv",
    "INPUT_FILE_DS": "SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
    "INPUT_FILE_SA": "SR_SkillArea_v1_sample_anonymized_file.csv",
}
# Widgets that show data (names, ids, paths, sizes, times, Runway's answers) or the Qt-free
# core's wording (shared with the CLI, not put through Qt): their text is not the UI's own.
DATA_WIDGETS = {
    "SlotTitle",
    "SlotHint",
    "SlotOk",
    "SlotWarning",
    "SlotError",
    "BarDetail",
    "StatusBadge",
    "StatusExplanation",
    "HistorySummary",
    "DetailTitle",
    "TimelineTime",
    "TimelineNote",
    "StepTiming",
    "WhyDisabled",
    "EmptyState",
    "Notices",
}
CORE_WORDS = {step.value for step in Step} | {NO_KEYRING_MESSAGE, SESSION_ONLY_MESSAGE}
DATA_TEXT = re.compile(
    r"\S+\.csv|https?://|^[\d.,]+ (?:bytes|KB|MB|GB)$|^(?:acme|ea)(?:, ea)?$|sandbox",
    re.IGNORECASE,
)
NEEDED_SHARE = 0.9


@dataclass
class Seen:
    clipped: list[str] = field(default_factory=list)
    ours: list[str] = field(default_factory=list)  # the UI's own texts shown
    untranslated: list[str] = field(default_factory=list)  # of those, not pseudo-translated


def describe(widget: QWidget, text: str) -> str:
    name = widget.objectName() or type(widget).__name__
    return f"{name}: {text!r}"


def shown_text(text: str) -> str:
    """A label's text as drawn: mnemonic ampersands are not."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def label_clipped(label: QLabel) -> bool:
    if isinstance(label, ElidedLabel):
        return False  # shortened with "…" on purpose; the tooltip has it all
    room = label.contentsRect()
    if label.wordWrap():
        return label.heightForWidth(label.width()) > label.height()
    if label.textFormat() == Qt.TextFormat.PlainText:
        metrics = label.fontMetrics()
        lines = shown_text(label.text()).split("\n")
        wide = max(metrics.horizontalAdvance(line) for line in lines)
        extra = 2 * label.margin() + max(0, label.indent())
        return wide + extra > room.width() or label.sizeHint().height() > label.height()
    hint = label.sizeHint()
    return hint.width() > label.width() or hint.height() > label.height()


def is_data(widget: QWidget, text: str) -> bool:
    names = {widget.objectName()}
    parent = widget.parentWidget()
    if parent is not None:
        names.add(parent.objectName())
    if names & DATA_WIDGETS or text in CORE_WORDS or DATA_TEXT.search(text):
        return True
    return isinstance(widget, ElidedLabel) or not any(c.isalpha() for c in text)


def headers_clipped(table: QTableView) -> list[str]:
    """Column titles wider than their column (the stretched last or middle one aside)."""
    header = table.horizontalHeader()
    model = table.model()
    found = []
    for column in range(header.count()):
        stretched = header.sectionResizeMode(column) == QHeaderView.ResizeMode.Stretch
        if header.isSectionHidden(column) or stretched:
            continue
        if header.sectionSizeHint(column) > header.sectionSize(column):
            title = model.headerData(column, Qt.Orientation.Horizontal) if model else column
            found.append(describe(table, f"column {title}"))
    return found


def list_clipped(view: QListWidget) -> list[str]:
    """The entries of a list (the navigation) wider than the list shows."""
    room = view.viewport().width()
    found = []
    for row in range(view.count()):
        item = view.item(row)
        if item is not None and view.sizeHintForIndex(view.indexFromItem(item)).width() > room:
            found.append(describe(view, item.text()))
    return found


def combo_clipped(combo: QComboBox) -> bool:
    """The chosen entry wider than the box's text area (a closed box cuts it off, no "…")."""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    area = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    return combo.fontMetrics().horizontalAdvance(combo.currentText()) > area.width()


def look(root: QWidget, seen: Seen) -> None:
    """Every visible label and button under ``root`` (``root`` included)."""
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible() or widget.visibleRegion().isEmpty():
            continue
        if isinstance(widget, QListWidget):
            seen.clipped.extend(list_clipped(widget))
            continue
        if isinstance(widget, QTableView):
            # The UI's own column titles (History's are the core's, the preview's the file's).
            if widget.objectName() == "OutputSetsTable":
                seen.clipped.extend(headers_clipped(widget))
            continue
        if isinstance(widget, QLabel):
            text = widget.text()
            cut = bool(text) and label_clipped(widget)
        elif isinstance(widget, ElidingComboBox):
            continue  # shortened with "…" on purpose; the tooltip has it all
        elif isinstance(widget, QComboBox) and not widget.isEditable():
            # Only the box's own words ("Any status"): a long district or assessment name is
            # the server's, and the box's tooltip and open list show it whole.
            text = widget.currentText()
            if not looks_pseudo(text):
                continue
            cut = combo_clipped(widget)
        elif isinstance(widget, QPushButton | QCheckBox | QRadioButton | QToolButton):
            text = widget.text()
            cut = bool(text) and widget.sizeHint().width() > widget.width()
        else:
            continue
        if not text.strip():
            continue
        if cut:
            seen.clipped.append(describe(widget, text))
        if is_data(widget, text):
            continue
        seen.ours.append(describe(widget, text))
        if not looks_pseudo(text):
            seen.untranslated.append(describe(widget, text))


@pytest.fixture
def pseudo_app(
    qapp: QApplication, qtbot: QtBot, qloop: asyncio.AbstractEventLoop,
    sandbox_process: SandboxProcess,
) -> Iterator[AppUnderTest]:  # fmt: skip
    """The practice-mode window in the pseudo-locale, light theme, connected to the sandbox."""
    translator = PseudoTranslator()
    qapp.installTranslator(translator)
    install_lookup(QCoreApplication.translate)  # the core's state words too, as the app does
    qapp.setStyleSheet(stylesheet(False))
    services = Session.create()
    try:
        window = open_window(qtbot, services, practice=True)
        window.submit_page.form.set_practice_files(practice_files())
        window.fit_to_screen(SCREEN)
        connection = sandbox_connection(services, sandbox_process)
        window.set_connection(connection)
        wait_for_partners(qtbot, window)
        qtbot.waitUntil(lambda: window._settings_page is not None, timeout=WAIT_MS)
        yield AppUnderTest(window, services, connection, sandbox_process, qtbot)
    finally:
        close_services(services, qloop, qtbot)
        qapp.removeTranslator(translator)
        install_lookup(None)
        qapp.setStyleSheet("")


def visit(root: QWidget, name: str, seen: Seen) -> None:
    QApplication.processEvents()
    if root.isWindow() and root.parentWidget() is None:  # the main window: still on screen
        assert fits(root.size(), SCREEN.size()), f"{name}: {root.size()} is past {SCREEN}"
    look(root, seen)
    screenshot(root, f"pseudo-{name}")


def test_every_screen_fits_its_longer_texts(
    pseudo_app: AppUnderTest, qtbot: QtBot, samples_dir: Path
) -> None:
    app, page, window = pseudo_app, pseudo_app.page, pseudo_app.window
    seen = Seen()
    visit(window, "01-submit-empty", seen)

    # The tallest form: three file slots, each refused for its school year ("Send anyway…").
    fill_basics(qtbot, page, assessment="Star Assessments", school_year="2026")
    for env, name in STAR_FILES.items():
        drop_on_slot(qtbot, page, samples_dir / "STAR" / name, env)
    assert page.send_anyway_button.isVisible()
    visit(window, "02-submit-star-wrong-year", seen)
    for target in (page.form.slots, page.action_bar):  # scrolled into view, looked at
        page.form_scroll.ensureWidgetVisible(target)
        visit(window, "03-submit-star-scrolled", seen)
    page.on_send_anyway()  # its confirmation, as "Send anyway…" opens it
    box = page.confirm
    assert box is not None
    qtbot.waitExposed(box)
    visit(box, "03-send-anyway", seen)
    box.reject()

    choose_school_year(page, "2024")
    qtbot.waitUntil(page.submit_button.isEnabled, timeout=WAIT_MS)
    submit(qtbot, page)
    wait_success(qtbot, page)
    visit(window, "04-submit-sent", seen)

    window.show_page("Output sets")
    outputs = window.outputs_page
    for _ in range(40):  # until the practice server has made the STAR set
        with qtbot.waitSignal(outputs.loaded, timeout=WAIT_MS):
            outputs.refresh()
        if outputs.model.rowCount():
            break
        qtbot.wait(250)
    assert outputs.model.rowCount() > 0
    outputs.table.selectRow(0)
    visit(window, "05-output-sets", seen)

    window.show_page("History")
    history = window.history_page
    qtbot.waitUntil(lambda: history.model.total() >= 1, timeout=WAIT_MS)
    history.table.selectRow(0)
    qtbot.waitUntil(history.detail.isVisible, timeout=WAIT_MS)
    visit(window, "06-history", seen)
    detail_scroll = history.body.findChild(QScrollArea)
    assert detail_scroll is not None
    bar = detail_scroll.verticalScrollBar()
    bar.setValue(bar.maximum())  # the timeline and the details under the files
    # Longer words wrap or shorten; the pane never scrolls sideways (a file name is elided).
    assert detail_scroll.horizontalScrollBar().maximum() == 0, "History's detail scrolls sideways"
    visit(window, "06-history-detail-end", seen)

    window.show_page("Settings")
    visit(window, "07-settings", seen)

    dialog = ConnectionDialog(app.services, app.connection.profile, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    visit(dialog, "08-connection-dialog", seen)
    dialog.advanced_button.setChecked(True)
    visit(dialog, "09-connection-dialog-advanced", seen)
    dialog.reject()

    assert not seen.clipped, "cut off in the pseudo-locale:\n" + "\n".join(seen.clipped)
    share = 1 - len(seen.untranslated) / max(1, len(seen.ours))
    assert share >= NEEDED_SHARE, (
        f"only {share:.0%} of {len(seen.ours)} texts went through tr(); not:\n"
        + "\n".join(sorted(set(seen.untranslated)))
    )


def test_a_button_too_narrow_for_its_text_is_reported(qapp: QApplication, qtbot: QtBot) -> None:
    """The check itself: a fixed-width button and a one-line label cut by their room."""
    root = QWidget()
    qtbot.addWidget(root)
    button = QPushButton("A long text on a narrow button", root)
    button.setFixedWidth(60)
    label = QLabel("A long text in a narrow label", root)
    label.setGeometry(0, 40, 50, 20)
    root.resize(200, 100)
    root.show()
    qtbot.waitExposed(root)
    seen = Seen()
    look(root, seen)
    assert len(seen.clipped) == 2, seen.clipped
    assert seen.clipped[0].startswith("QPushButton") and seen.clipped[1].startswith("QLabel")
