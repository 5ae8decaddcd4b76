"""Per-user folders of the app, from platformdirs, or all under one folder for tests and demos.

Setting RUNWAY_DESKTOP_HOME puts config, data and cache under that folder (``config/``,
``data/``, ``cache/``), so a test run or a sandbox demo never touches the user's real settings.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from runway_desktop import APP_ID

HOME_ENV_VAR = "RUNWAY_DESKTOP_HOME"


def config_dir() -> Path:
    """Connection profiles and recent values; created on first use."""
    return _ensure(_override("config") or platformdirs.user_config_path(APP_ID, appauthor=False))


def data_dir() -> Path:
    """History database and other records worth keeping; created on first use."""
    return _ensure(_override("data") or platformdirs.user_data_path(APP_ID, appauthor=False))


def cache_dir() -> Path:
    """Things that can be fetched again (the refreshed bundle registry); created on first use."""
    return _ensure(_override("cache") or platformdirs.user_cache_path(APP_ID, appauthor=False))


def _override(kind: str) -> Path | None:
    home = os.environ.get(HOME_ENV_VAR, "").strip()
    return Path(home).expanduser() / kind if home else None


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
