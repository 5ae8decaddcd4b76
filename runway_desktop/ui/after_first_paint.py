"""What the main window does once it is on screen: knowing when its first paint is over, and
building the screens it left out of that first paint one per event-loop turn.

Building a screen takes tens of milliseconds. Built one per turn, input and painting are served
in between; and none of them is built while the sign-in is under way (for at most
``SIGN_IN_HEAD_START_MS``), since its answer fills the partner list that makes the window usable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

# How long the screens built after the first paint wait for a sign-in under way (a slow or
# unreachable server must not keep History from polling for long).
SIGN_IN_HEAD_START_MS = 2000


class _Once:
    """Calls ``action`` the first time it is called, never again."""

    def __init__(self, action: Callable[[], None]) -> None:
        self._action: Callable[[], None] | None = action

    def __call__(self) -> None:
        action, self._action = self._action, None
        if action is not None:
            action()


class FirstPaintWatch(QObject):
    """Emits ``painted`` once, just after the watched window's first paint pass."""

    painted = Signal()

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            # Queued: the rest of this synchronous paint pass (the children) comes first.
            QTimer.singleShot(0, self.painted.emit)
        return False


def build_one_per_turn(
    builders: Sequence[Callable[[], object]],
    *,
    stopped: Callable[[], bool],
    sign_in: Callable[[], asyncio.Future[None] | None],
    done: Callable[[], None],
) -> None:
    """Call ``builders`` in order, each in an event-loop turn of its own, then ``done``.

    ``stopped`` and ``sign_in`` are asked before each step, since both change meanwhile: once
    ``stopped`` is true nothing more is built (nor is ``done`` called); while ``sign_in``
    returns an unfinished sign-in, the next step waits for it once, up to
    ``SIGN_IN_HEAD_START_MS``.
    """
    pending = list(builders)
    waited = False

    def build_next() -> None:
        nonlocal waited
        if stopped():
            return
        signing_in = sign_in()
        if not waited and signing_in is not None and not signing_in.done():
            # The sign-in's answer fills the partner list (the window is usable then): a
            # page build now would hold that answer up by its tens of milliseconds. Go on
            # when it is done, or after SIGN_IN_HEAD_START_MS if it takes longer.
            waited = True
            resume = _Once(build_next)
            signing_in.add_done_callback(lambda _task: QTimer.singleShot(0, resume))
            QTimer.singleShot(SIGN_IN_HEAD_START_MS, resume)
            return
        if not pending:
            done()
            return
        pending.pop(0)()
        QTimer.singleShot(0, build_next)

    QTimer.singleShot(0, build_next)
