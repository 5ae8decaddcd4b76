"""A district's folder made of the shipped vendor samples, for the batch tests.

Only the samples the batch tests rely on are used (PSAT_SAT, STAR, MAP_Growth, FastBridge_*):
others are being added to resources/samples/ and may change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from runway_desktop.base.resources import samples_dir

STAR = {
    "INPUT_FILE": "SR_sample_anonymized_file.csv",
    "INPUT_FILE_DS": "SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
    "INPUT_FILE_SA": "SR_SkillArea_v1_sample_anonymized_file.csv",
}
PSAT_10 = "sample_anonymized_file_psat_10.csv"
SAT = "sample_anonymized_file_sat.csv"
MAP = "sample_anonymized_file.csv"
# Its rows are of 2023–24, as are STAR's (acme's 2024 sends to no ODS: the sandbox runs it).
FASTBRIDGE_MATH = "FastBridge_Math/sample_anonymized_file.csv"


def sample(relative: str) -> Path:
    return samples_dir() / relative


def copy_sample(relative: str, to: Path, name: str | None = None) -> Path:
    to.mkdir(parents=True, exist_ok=True)
    target = to / (name or Path(relative).name)
    shutil.copyfile(sample(relative), target)
    return target


def district_folder(root: Path) -> Path:
    """district-a: STAR's three files; district-b: the two PSAT/SAT exports, MAP Growth's
    sample (2021–22) and FastBridge Early Math's (2023–24)."""
    for name in STAR.values():
        copy_sample(f"STAR/{name}", root / "district-a")
    copy_sample(f"PSAT_SAT/{PSAT_10}", root / "district-b")
    copy_sample(f"PSAT_SAT/{SAT}", root / "district-b")
    copy_sample(f"MAP_Growth/{MAP}", root / "district-b", "map_growth.csv")
    copy_sample(FASTBRIDGE_MATH, root / "district-b", "fastbridge_math.csv")
    return root
