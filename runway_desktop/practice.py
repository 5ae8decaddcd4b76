"""Practice files for sandbox mode: the real anonymized vendor samples shipped in resources/,
offered in the slots of the bundle they belong to."""

from __future__ import annotations

from pathlib import Path

from runway_desktop.resources import samples_dir

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
