"""The Submit screen's form page: the form, scrolling above the action bar that says why Submit
is disabled, with Runway's banner and the notices around it, and the keys that send.

The screen stacks two pages, this one and the progress panel shown instead of it while a
submission runs. The panel has a file of its own; this is the other page, so the screen itself
keeps what happens between them (checking, sending, the outcome). The buttons are the screen's,
made there with their words and actions (as an ``ActionBar`` is given its buttons); here they
are placed, in Tab order, and Submit is given its keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from runway_desktop.core.session import Session
from runway_desktop.ui.submit.already_sent_notice import AlreadySentNotice
from runway_desktop.ui.submit.form import SubmitForm
from runway_desktop.ui.widgets.action_bar import ActionBar

# Ctrl+Enter sends from anywhere on the Submit screen (Enter alone belongs to the field: the
# assessment search takes the typed name with it). Return is the main keyboard's, Enter the
# keypad's.
SUBMIT_KEYS = ("Ctrl+Return", "Ctrl+Enter")


class SubmitFormPage(QWidget):
    """The form page of ``SubmitPage``; ``form`` is the screen's, placed here to scroll."""

    def __init__(
        self,
        services: Session,
        form: SubmitForm,
        buttons: Sequence[QPushButton],
        parent: QWidget | None = None,
    ) -> None:
        """``buttons``: the action bar's, left to right, Submit last (the keys press it)."""
        super().__init__(parent)
        self.submit_button = buttons[-1]
        self.banner = QLabel(self)
        self.banner.setObjectName("FormBanner")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.why_disabled = QLabel(self)
        self.why_disabled.setObjectName("WhyDisabled")
        self.why_disabled.setTextFormat(Qt.TextFormat.PlainText)

        # The form scrolls, never the window: the action bar under it stays on screen.
        self.form_scroll = QScrollArea(self)
        self.form_scroll.setObjectName("SubmitScroll")
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.form_scroll.setWidget(form)
        self.action_bar = ActionBar(self.why_disabled, buttons, self)
        # Tab reaches the buttons in the order they are shown, "Send anyway…" then Submit.
        for before, after in pairwise(buttons):
            QWidget.setTabOrder(before, after)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(form.offer_bar)  # "These look like … files: use …?"
        layout.addWidget(self.form_scroll, 1)
        self.already_sent = AlreadySentNotice(services, form, self)  # same MD5s sent?
        layout.addWidget(self.already_sent)
        layout.addWidget(self.action_bar)
        for keys in SUBMIT_KEYS:
            # Anywhere in the window (the navigation too), while the form is shown: the
            # shortcut's parent is this page, hidden behind the progress panel.
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(self.on_submit_shortcut)

    def on_submit_shortcut(self) -> None:
        # What a click could do, no more: a disabled Submit (running, or a reason shown) stays
        # silent, and "Send anyway…" always needs its own click and confirmation.
        if self.submit_button.isVisible() and self.submit_button.isEnabled():
            self.submit_button.animateClick()
