"""Every interactive widget on every screen has a name a screen reader can say.

The walk goes through Qt's own accessibility tree (``QAccessible.queryAccessibleInterface``
and ``child(i)``), the tree a screen reader reads, not the QObject tree: a name that only a
QObject property holds, or a buddy that Qt does not pick up, fails here as it would for a
blind clerk. Hidden widgets are walked too: the Submit form's later parts and the dialog's
advanced settings are hidden at first, and they must be named when they show.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QAccessibleEvent,
    QAccessibleInterface,
)
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from ui_app_helpers import AppUnderTest, app_fixture, close_services  # noqa: F401

from runway_desktop.api.progress import TransferProgress
from runway_desktop.core.session import Session
from runway_desktop.core.submit.events import Step
from runway_desktop.ui.settings.connection_dialog import ConnectionDialog
from runway_desktop.ui.submit.progress_panel import ProgressPanel
from runway_desktop.ui.submit.upload_slot import UploadSlot

Role = QAccessible.Role
# What a clerk can tab to, type in, pick from or press: each must say what it is.
INTERACTIVE_ROLES = frozenset(
    {
        Role.PushButton,
        Role.ButtonMenu,
        Role.ButtonDropDown,
        Role.CheckBox,
        Role.RadioButton,
        Role.ComboBox,
        Role.SpinBox,
        Role.Slider,
        Role.EditableText,
        Role.List,
        Role.Table,
        Role.Tree,
        Role.PageTab,
        Role.PageTabList,
        Role.Link,
    }
)
# Inner parts Qt builds into a composite widget (a spin box's line edit, a table's scroll
# bars, the header's sections) are named through their owner or are not reachable by Tab.
SKIPPED_ROLES = frozenset({Role.ScrollBar, Role.Row, Role.Cell, Role.ColumnHeader, Role.RowHeader})
MAX_DEPTH = 40


@dataclass(frozen=True)
class Offender:
    path: str
    role: str

    def __str__(self) -> str:
        return f"{self.path} ({self.role})"


def _step(interface: QAccessibleInterface) -> str:
    widget = interface.object()
    name = widget.objectName() if widget is not None else ""
    kind = type(widget).__name__ if widget is not None else "?"
    return f"{kind}#{name}" if name else kind


def unnamed_interactive(root: QWidget) -> tuple[list[Offender], int]:
    """The interactive nodes under ``root`` with an empty accessible name, and how many
    interactive nodes there were in all (so a walk that finds nothing is not taken for a
    pass)."""
    top = QAccessible.queryAccessibleInterface(root)
    assert top is not None and top.isValid()
    offenders: list[Offender] = []
    seen = 0

    def walk(node: QAccessibleInterface, path: str, depth: int) -> None:
        nonlocal seen
        if depth > MAX_DEPTH:
            return
        for index in range(node.childCount()):
            child = node.child(index)
            if child is None or not child.isValid():
                continue
            role = child.role()
            if role in SKIPPED_ROLES:
                continue
            here = f"{path}/{_step(child)}"
            if role in INTERACTIVE_ROLES:
                seen += 1
                if not child.text(QAccessible.Text.Name).strip():
                    offenders.append(Offender(here, role.name))
            walk(child, here, depth + 1)

    walk(top, _step(top), 0)
    return offenders, seen


def assert_all_named(root: QWidget, *, at_least: int) -> None:
    offenders, seen = unnamed_interactive(root)
    print(f"{root.objectName()}: {seen} interactive, {len(offenders)} without a name")
    for offender in offenders:
        print("  unnamed:", offender)
    assert seen >= at_least, f"the walk found only {seen} interactive widgets"
    assert not offenders, "\n".join(str(o) for o in offenders)


def test_submit_screen_is_named(app: AppUnderTest) -> None:
    assert_all_named(app.window.submit_page, at_least=5)


def test_navigation_list_is_named(app: AppUnderTest) -> None:
    nav = QAccessible.queryAccessibleInterface(app.window.nav)
    assert nav is not None
    items = [nav.child(i) for i in range(nav.childCount())]
    assert [i.text(QAccessible.Text.Name) for i in items if i is not None][:2] == [
        "Submit",
        "Output sets",
    ]
    assert nav.text(QAccessible.Text.Name).strip(), "the screen list has no name"


def test_file_slots_are_named_and_described(app: AppUnderTest) -> None:
    page = app.page
    form = page.form
    form.assessment.setCurrentIndex(form.assessment.findText("PSAT/SAT"))
    slots = page.findChildren(UploadSlot)
    assert slots, "choosing an assessment gives it file slots"
    for slot in slots:
        interface = QAccessible.queryAccessibleInterface(slot)
        assert interface is not None
        assert interface.text(QAccessible.Text.Name).strip(), slot.objectName()
        assert interface.text(QAccessible.Text.Description).strip(), slot.objectName()
    assert_all_named(page, at_least=5)


def test_output_sets_screen_is_named(app: AppUnderTest) -> None:
    assert_all_named(app.window.outputs_page, at_least=3)


def test_history_screen_is_named(app: AppUnderTest) -> None:
    assert_all_named(app.window.history_page, at_least=3)


def test_settings_screen_is_named(app: AppUnderTest) -> None:
    assert_all_named(app.window.settings_page, at_least=2)


@pytest.fixture
def services(qloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> Iterator[Session]:
    created = Session.create()
    yield created
    close_services(created, qloop, qtbot)


def test_connection_dialog_is_named(qtbot: QtBot, services: Session) -> None:
    dialog = ConnectionDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.advanced_button.setChecked(True)
    assert_all_named(dialog, at_least=8)


def test_progress_and_result_are_announced(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a screen reader is told while a submission runs: each step, the sent share in
    quarters (not at every report), and the result at once (assertive)."""
    heard: list[tuple[str, QAccessible.AnnouncementPoliteness]] = []
    real_update = QAccessible.updateAccessibility

    def record(event: QAccessibleEvent) -> None:
        if isinstance(event, QAccessibleAnnouncementEvent):
            heard.append((event.message(), event.politeness()))
        real_update(event)

    monkeypatch.setattr(QAccessible, "updateAccessibility", staticmethod(record))
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.begin("Sending PSAT/SAT", {"INPUT_FILE": "scores.csv"})
    panel.on_step_started(Step.UPLOAD)
    for done in range(0, 101, 5):
        panel.on_file_progress("INPUT_FILE", TransferProgress(done, 100, None, None))
    panel.show_success("job-123", already_started=False, new_job=False)

    polite = QAccessible.AnnouncementPoliteness.Polite
    said = [message for message, _ in heard]
    assert f"{Step.UPLOAD.value}…" in said
    assert [m for m in said if "per cent" in m] == [
        f"Sent: {n} per cent" for n in (0, 25, 50, 75, 100)
    ]
    last, politeness = heard[-1]
    assert last.startswith("Sent PSAT/SAT. Sent. Runway is processing your file.")
    assert politeness is not polite
