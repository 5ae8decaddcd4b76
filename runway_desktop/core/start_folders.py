"""Where a file dialog starts: the folder a clerk last took a file from for that slot, else
the last folder used for any slot, else Documents (never the folder the app was started from,
which for an installed app is somewhere under Program Files or /usr).

Kept across restarts in ``start_folders.json`` in the config folder; a drop counts as using a
folder, as a Browse does. The file is read and written on a thread of its own, never on the
caller's (the Qt thread asks on every Browse): ``preload()`` starts the read (the Submit
screen calls it as it builds its slots, long before a Browse); until it is done the folders
are those remembered since, or Documents. A folder that has gone since is skipped.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import platformdirs

from runway_desktop.base.atomic_files import atomic_write_json
from runway_desktop.base.paths import config_dir

FILE_NAME = "start_folders.json"


class StartFolders:
    def __init__(
        self, documents: Path | None = None, *, path: Callable[[], Path] | None = None
    ) -> None:
        """``path``: where they are kept (called on the file thread); None: not kept."""
        self._documents = documents
        self._by_slot: dict[str, Path] = {}
        self._last: Path | None = None
        self._path = path
        # One thread, so the read comes before any write and the writes keep their order.
        self._file_thread: ThreadPoolExecutor | None = None

    def preload(self) -> None:
        """Start reading the kept folders, once (later calls do nothing)."""
        if self._path is not None and self._file_thread is None:
            self._file_thread = ThreadPoolExecutor(1, thread_name_prefix="start-folders")
            self._file_thread.submit(self._read)

    def start_for(self, slot: str) -> Path:
        self.preload()
        for folder in (self._by_slot.get(slot), self._last):
            if folder is not None and folder.is_dir():
                return folder
        return self.documents()

    def remember(self, slot: str, chosen: Path) -> None:
        self.preload()
        folder = chosen.parent
        self._by_slot[slot] = folder
        self._last = folder
        if self._file_thread is not None:
            snapshot = self._snapshot()
            self._file_thread.submit(self._write, snapshot)

    def flush(self) -> None:
        """Wait for the file thread's work (tests; the process's exit waits by itself)."""
        if self._file_thread is not None:
            self._file_thread.submit(lambda: None).result()

    def documents(self) -> Path:
        if self._documents is None:
            found = Path(platformdirs.user_documents_dir())
            self._documents = found if found.is_dir() else Path.home()
        return self._documents

    # -- the file (on the file thread) -----------------------------------------------------
    def _snapshot(self) -> dict[str, Any]:
        return {
            "last": str(self._last) if self._last else None,
            "by_slot": {slot: str(folder) for slot, folder in self._by_slot.items()},
        }

    def _read(self) -> None:
        assert self._path is not None
        data: Any = {}
        with contextlib.suppress(OSError, ValueError):
            data = json.loads((self._path()).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            return  # damaged or absent: nothing here is precious
        by_slot = data.get("by_slot")
        if isinstance(by_slot, dict):
            kept = {str(k): Path(v) for k, v in by_slot.items() if isinstance(v, str) and v}
            # What was remembered while the file was read wins over what the file says.
            self._by_slot = {**kept, **self._by_slot}
        last = data.get("last")
        if self._last is None and isinstance(last, str) and last:
            self._last = Path(last)

    def _write(self, snapshot: dict[str, Any]) -> None:
        assert self._path is not None
        with contextlib.suppress(OSError):
            atomic_write_json(self._path(), snapshot)


def _kept_file() -> Path:
    return config_dir() / FILE_NAME


# The process's one memory of them (every Submit slot, every assessment).
START_FOLDERS = StartFolders(path=_kept_file)
