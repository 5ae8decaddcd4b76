"""Identifies dropped files in a worker thread, one drop at a time, for the Submit screen.

Reading a header is quick, but a file on a network share or a sleeping disk can take seconds;
the window must not freeze meanwhile, so the UI thread never opens the files itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, Signal

from runway_desktop.bundles.file_identity import FileIdentity, identify_file


@dataclass(frozen=True)
class IdentifiedDrop:
    """The files of one drop, what each looks like (None: could not tell), and the slot a single
    file was dropped on (None: dropped on the list or the form)."""

    paths: list[Path]
    identities: dict[Path, FileIdentity | None] = field(default_factory=dict)
    target: str | None = None


def identify_all(paths: Sequence[Path]) -> dict[Path, FileIdentity | None]:
    """Runs in a worker thread. A file that cannot be identified is None: the drop then places it
    by name as before, and its slot's own check says what is wrong with it."""
    found: dict[Path, FileIdentity | None] = {}
    for path in paths:
        try:
            found[path] = identify_file(path)
        except Exception:  # a folder, a vanished file, a bug: never lose the drop over it
            found[path] = None
    return found


class DropIdentifier(QObject):
    identified = Signal(object)  # IdentifiedDrop
    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._task: asyncio.Future[None] | None = None
        self._generation = 0

    def is_busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def identify(self, paths: Sequence[Path], target: str | None = None) -> None:
        """Start on ``paths``; a drop still being identified is forgotten (the newer one wins)."""
        was_busy = self._forget()
        drop = IdentifiedDrop(list(paths), target=target)
        self._task = asyncio.ensure_future(self._run(drop, self._generation))
        if not was_busy:
            self.busyChanged.emit(True)

    def cancel(self) -> None:
        if self._forget():
            self.busyChanged.emit(False)

    def _forget(self) -> bool:
        self._generation += 1
        task, self._task = self._task, None
        if task is None or task.done():
            return False
        task.cancel()  # the thread finishes on its own; its answer is dropped
        return True

    async def _run(self, drop: IdentifiedDrop, generation: int) -> None:
        identities = await asyncio.to_thread(identify_all, drop.paths)
        if generation != self._generation or not shiboken6.isValid(self):
            return
        self._task = None
        # Placed first, then "no longer busy": Submit is never enabled between the two.
        self.identified.emit(IdentifiedDrop(drop.paths, identities, drop.target))
        self.busyChanged.emit(False)
