"""Practice files for sandbox mode: the real anonymized vendor samples shipped in resources/,
offered in the slots of the bundle they belong to."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runway_desktop.base.resources import samples_dir

# bundle path -> slot env var -> sample file names (folder = the bundle's directory name)
PRACTICE_FILES: dict[str, dict[str, tuple[str, ...]]] = {
    "assessments/PSAT_SAT": {
        "INPUT_FILE": ("sample_anonymized_file_sat.csv", "sample_anonymized_file_psat_10.csv"),
    },
    "assessments/STAR": {
        "INPUT_FILE": ("SR_sample_anonymized_file.csv",),
        "INPUT_FILE_DS": ("SR_Dashboard_Standards_v2_sample_anonymized_file.csv",),
        "INPUT_FILE_SA": ("SR_SkillArea_v1_sample_anonymized_file.csv",),
    },
    "assessments/MAP_Growth": {"INPUT_FILE": ("sample_anonymized_file.csv",)},
    "assessments/FastBridge_CBMreading": {
        "INPUT_FILE": ("sample_anonymized_file_fastbridge_cbmreading.csv",),
        "INPUT_FILE_COMP_QUESTION": (
            "sample_anonymized_file_fastbridge_comprehension_question.csv",
        ),
        "INPUT_FILE_COMP_RECALL": ("sample_anonymized_file_fastbridge_comprehension_recall.csv",),
    },
    "assessments/FastBridge_CBMmath": {"INPUT_FILE": ("sample_anonymized_file_cbmm_auto.csv",)},
}


def practice_files(root: Path | None = None) -> dict[str, dict[str, list[Path]]]:
    """Existing sample files by bundle and slot (missing files are left out, not invented)."""
    base = root or samples_dir()
    found: dict[str, dict[str, list[Path]]] = {}
    for bundle_path, slots in PRACTICE_FILES.items():
        folder = base / bundle_path.rsplit("/", 1)[-1]
        for env_var, names in slots.items():
            paths = [folder / name for name in names if (folder / name).is_file()]
            if paths:
                found.setdefault(bundle_path, {})[env_var] = paths
    return found


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
