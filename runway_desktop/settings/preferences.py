"""App preferences that are not connection details: where downloads go, automatic downloads,
and how long to wait for a result before saying "No result yet".

Plain JSON in the config folder. A damaged file falls back to defaults (nothing here is
precious), and unknown keys from a newer version are kept when saving.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from runway_desktop.base.atomic_files import atomic_write_json
from runway_desktop.base.paths import config_dir

PREFERENCES_FILE_NAME = "preferences.json"
DEFAULT_NO_RESULT_HOURS = 2.0


@dataclass(frozen=True)
class Preferences:
    # None: the platform's Downloads/Runway folder, decided by the GUI (QStandardPaths).
    download_root: str | None = None
    download_new_automatically: bool = False
    no_result_after_hours: float = DEFAULT_NO_RESULT_HOURS
    # The clerk chose "Keep for this session only" where no password store exists: the
    # connection dialog then says so in one line instead of asking at every start.
    secret_session_only: bool = False

    def with_changes(self, **changes: Any) -> Preferences:
        return replace(self, **changes)


class PreferencesStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / PREFERENCES_FILE_NAME
        self._extra: dict[str, Any] = {}

    def load(self) -> Preferences:
        data: Any = {}
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(self.path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
        known = Preferences.__dataclass_fields__
        self._extra = {k: v for k, v in data.items() if k not in known}
        defaults = Preferences()
        root = data.get("download_root")
        hours = data.get("no_result_after_hours")
        return Preferences(
            download_root=root if isinstance(root, str) and root else None,
            download_new_automatically=data.get("download_new_automatically") is True,
            no_result_after_hours=float(hours)
            if isinstance(hours, int | float) and hours > 0
            else defaults.no_result_after_hours,
            secret_session_only=data.get("secret_session_only") is True,
        )

    def save(self, preferences: Preferences) -> None:
        atomic_write_json(
            self.path,
            {
                **self._extra,
                "download_root": preferences.download_root,
                "download_new_automatically": preferences.download_new_automatically,
                "no_result_after_hours": preferences.no_result_after_hours,
                "secret_session_only": preferences.secret_session_only,
            },
        )
