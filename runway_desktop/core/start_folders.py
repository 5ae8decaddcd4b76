"""Where a file dialog starts: the folder a clerk last took a file from for that slot, else
the last folder used for any slot, else Documents (never the folder the app was started from,
which for an installed app is somewhere under Program Files or /usr).

Kept for the life of the process; a drop counts as using a folder, as a Browse does.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs


class StartFolders:
    def __init__(self, documents: Path | None = None) -> None:
        self._documents = documents
        self._by_slot: dict[str, Path] = {}
        self._last: Path | None = None

    def start_for(self, slot: str) -> Path:
        return self._by_slot.get(slot) or self._last or self.documents()

    def remember(self, slot: str, chosen: Path) -> None:
        folder = chosen.parent
        self._by_slot[slot] = folder
        self._last = folder

    def documents(self) -> Path:
        if self._documents is None:
            found = Path(platformdirs.user_documents_dir())
            self._documents = found if found.is_dir() else Path.home()
        return self._documents


# The process's one memory of them (every Submit slot, every assessment).
START_FOLDERS = StartFolders()
