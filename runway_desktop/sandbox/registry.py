"""The sandbox's own reading of the bundle registry snapshot (independent of ``bundles/``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runway_desktop.base.resources import resource_path


def load_registry(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Registry entries by exact ``path``; the first entry wins, as in Runway's lookup."""
    data = json.loads((path or resource_path("registry.json")).read_text(encoding="utf-8"))
    bundles: dict[str, dict[str, Any]] = {}
    for entry in data["assessments"]:
        bundles.setdefault(entry["path"], entry)
    return bundles


def declared_params(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    # Absent, null and [] all mean "no params".
    return list(bundle.get("input_params") or [])


def declared_files(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return list(bundle.get("input_files") or [])
