"""Practice files for sandbox mode: the real anonymized vendor samples shipped in resources/,
offered in the slots of the bundle they belong to.

Which file goes in which slot, and the value each parameter takes in practice, is the manifest
``resources/practice.json``, derived from the bundle snapshot with the samples themselves by
tools/build_practice_samples.py (only files the app identifies as their slot's are listed).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from runway_desktop.base.resources import resource_path, samples_dir

MANIFEST = "practice.json"


@cache
def practice_manifest() -> dict[str, Any]:
    """The shipped manifest's ``bundles``: bundle path -> its folder, files by slot, params."""
    data = json.loads(resource_path(MANIFEST).read_text(encoding="utf-8"))
    bundles: dict[str, Any] = data["bundles"]
    return bundles


def practice_files(root: Path | None = None) -> dict[str, dict[str, list[Path]]]:
    """Existing sample files by bundle and slot (missing files are left out, not invented)."""
    base = root or samples_dir()
    found: dict[str, dict[str, list[Path]]] = {}
    for bundle_path, entry in practice_manifest().items():
        folder = base / str(entry["folder"])
        for env_var, names in entry["files"].items():
            paths = [folder / name for name in names if (folder / name).is_file()]
            if paths:
                found.setdefault(bundle_path, {})[env_var] = paths
    return found


def practice_params() -> dict[str, dict[str, str]]:
    """The value each parameter (API_YEAR aside) takes in practice, by bundle: Runway accepts
    it, and it is the bundle's own default where the bundle has one."""
    return {
        bundle_path: {env: str(param["value"]) for env, param in entry["params"].items()}
        for bundle_path, entry in practice_manifest().items()
    }


def practice_world(seed: Mapping[str, Any]) -> tuple[dict[str, list[str]], str | None]:
    """From the practice server's printed ``seed``: its districts per partner, and the newest
    school year that sends to an ODS (a newcomer's first submission should just work)."""
    tenants: dict[str, list[str]] = {}
    ods_years: list[str] = []
    for partner, world in seed.items():
        if not isinstance(world, Mapping):
            continue
        tenants[str(partner)] = [str(t) for t in world.get("tenants") or []]
        years = world.get("school_years") or {}
        ods_years.extend(str(y) for y, kind in years.items() if kind == "ods")
    return tenants, max(ods_years) if ods_years else None
