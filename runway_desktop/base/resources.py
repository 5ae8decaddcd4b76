"""Where the files under the top-level ``resources/`` folder live at run time.

Three layouts exist: a source checkout or editable install (``<repo>/resources``), a wheel
(``runway_desktop/_resources`` mapped in by pyproject.toml) and a frozen app
(``<bundle>/resources``). Callers only ever ask for a path below the folder.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # runway_desktop/


@cache
def resources_dir() -> Path:
    candidates: list[Path] = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root) / "resources")
    candidates.append(_PACKAGE_DIR / "_resources")
    candidates.append(_PACKAGE_DIR.parent / "resources")
    for candidate in candidates:
        if (candidate / "registry.json").is_file():
            return candidate
    raise FileNotFoundError(
        "The app's resources folder is missing; reinstall Runway Desktop. Looked in: "
        + ", ".join(str(c) for c in candidates)
    )


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def samples_dir() -> Path:
    """Real anonymized vendor files offered as practice files in sandbox mode."""
    return resource_path("samples")
