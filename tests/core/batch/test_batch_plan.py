"""Planning a folder: identification by header, grouping into submissions, districts from
folders, years from the rows, and every file that cannot be placed listed with its reason."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from batch_helpers import FASTBRIDGE_MATH, MAP, PSAT_10, SAT, STAR, copy_sample, district_folder

from runway_desktop.bundles.model import Registry
from runway_desktop.bundles.registry import load_snapshot
from runway_desktop.core.batch.plan import (
    BatchPlan,
    PlanItem,
    WhereGiven,
    dropped_batch,
    plan_folder,
)

KNOWN = ("district-a", "district-b")
# Where each front end says the district and year are given (cli/batch.py, ui/batch/).
OPTIONS = WhereGiven(district="with --tenant", year="with --year")
FORM = WhereGiven(district="on the Submit screen", year="on the Submit screen")


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_snapshot()


def items_by(plan: BatchPlan, bundle: str) -> list[PlanItem]:
    return [item for item in plan.items if item.bundle == bundle]


def reasons(plan: BatchPlan) -> dict[str, str]:
    return {one.path.name: one.reason for one in plan.unplaced}


def test_a_district_folder_becomes_one_submission_per_assessment_district_and_year(
    tmp_path: Path, registry: Registry
) -> None:
    root = district_folder(tmp_path / "drop")
    (root / "district-b" / ".DS_Store").write_bytes(b"\x00\x01")  # hidden: not a file to send
    plan = plan_folder(
        root, registry, partner="acme", school_year="2026", known_tenants=KNOWN, where=OPTIONS
    )

    assert plan.folder == root and plan.partner == "acme"
    # STAR's three files go together, each in the slot its columns name, slots in the
    # bundle's order; the year is the rows' (2023–24), not --year's, and the plan says so.
    (star,) = items_by(plan, "assessments/STAR")
    assert star.tenant == "district-a" and star.school_year == "2024"
    assert star.files == {env: root / "district-a" / name for env, name in STAR.items()}
    assert list(star.files) == ["INPUT_FILE", "INPUT_FILE_DS", "INPUT_FILE_SA"]
    assert any(
        "2023–24" in note and "(2025–26 was given with --year)" in note for note in star.notes
    )
    # Two exports for PSAT/SAT's one slot: two submissions. Their rows name no year: --year.
    psat = items_by(plan, "assessments/PSAT_SAT")
    assert sorted(item.files["INPUT_FILE"].name for item in psat) == [PSAT_10, SAT]
    assert {(i.tenant, i.school_year) for i in psat} == {("district-b", "2026")}
    # Its required test type has no value: left empty, and a to-do says what to choose.
    for item in psat:
        assert item.params == {"TEST_TYPE": ""}
        assert any(n.startswith("To do: Choose the test type.") and "SAT" in n for n in item.notes)
    (map_growth,) = items_by(plan, "assessments/MAP_Growth")
    assert (map_growth.tenant, map_growth.school_year) == ("district-b", "2022")
    (math,) = items_by(plan, "assessments/FastBridge_Math")
    assert math.files == {"INPUT_FILE": root / "district-b" / "fastbridge_math.csv"}
    assert len(plan.items) == 5 and plan.unplaced == ()


def test_files_that_cannot_be_placed_are_listed_with_the_reason(
    tmp_path: Path, registry: Registry
) -> None:
    root = tmp_path / "drop"
    district = root / "district-a"
    district.mkdir(parents=True)
    (district / "notes.txt").write_text("Call Ms. Rivera about the spring files.\n")
    (district / "empty.csv").write_bytes(b"")
    # STAR's dashboard file without the overall file it cannot be sent without.
    copy_sample(f"STAR/{STAR['INPUT_FILE_DS']}", root / "district-b")
    # A folder that is no district's, with no --tenant to fall back on.
    copy_sample(FASTBRIDGE_MATH, root / "scans", "math.csv")
    # Two overall files and one dashboard file in one folder: which go together is unclear.
    for copy in ("a", "b"):
        copy_sample(f"STAR/{STAR['INPUT_FILE']}", root / "district-b" / "star", f"sr_{copy}.csv")
    copy_sample(f"STAR/{STAR['INPUT_FILE_SA']}", root / "district-b" / "star")
    # A PSAT/SAT export's rows name no school year, and no --year was given.
    copy_sample(f"PSAT_SAT/{SAT}", district)
    if hasattr(os, "mkfifo"):  # a named pipe: opening it to read would wait forever
        os.mkfifo(district / "pipe.csv")

    plan = plan_folder(root, registry, known_tenants=KNOWN, where=FORM)

    assert plan.items == ()
    found = reasons(plan)
    assert found["notes.txt"].startswith("No assessment's columns fit it well")
    assert "empty" in found["empty.csv"]
    assert found[STAR["INPUT_FILE_DS"]] == (
        "Star Assessments in district-b, 2023–24 also needs its “Overall assessment data” "
        "file; none was found."
    )
    assert found["math.csv"] == (
        "Its folder 'scans' is not named after one of the districts (district-a, district-b), "
        "and no district was given on the Submit screen."
    )
    for name in ("sr_a.csv", "sr_b.csv", STAR["INPUT_FILE_SA"]):
        assert found[name].startswith("Several files for “Overall assessment data” of Star")
    assert (
        found[SAT] == "Its rows name no school year: the year must be given on the Submit screen."
    )
    pipes = 1 if hasattr(os, "mkfifo") else 0
    assert found.get("pipe.csv", "It is not a regular file.") == "It is not a regular file."
    assert len(plan.unplaced) == 8 + pipes


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any folder")
def test_a_folder_that_cannot_be_read_is_listed(tmp_path: Path, registry: Registry) -> None:
    root = tmp_path / "drop"
    copy_sample(FASTBRIDGE_MATH, root / "district-a" / "locked", "math.csv")
    (root / "district-a" / "locked").chmod(0)
    try:
        plan = plan_folder(root, registry, known_tenants=KNOWN)
    finally:
        (root / "district-a" / "locked").chmod(0o755)
    assert plan.items == ()
    assert [(u.path.name, u.reason[:31]) for u in plan.unplaced] == [
        ("locked", "This folder could not be read (")
    ]


def test_the_plan_file_itself_is_left_out(tmp_path: Path, registry: Registry) -> None:
    root = tmp_path / "drop"
    copy_sample(FASTBRIDGE_MATH, root / "district-a", "math.csv")
    (root / "plan.toml").write_text('version = 1\nfolder = "."\n')
    plan = plan_folder(root, registry, known_tenants=KNOWN, leave_out=[root / "plan.toml"])
    assert len(plan.items) == 1 and plan.unplaced == ()
    assert [u.path.name for u in plan_folder(root, registry, known_tenants=KNOWN).unplaced] == [
        "plan.toml"
    ]


def test_tenant_and_year_options_are_the_defaults_and_folders_split_submissions(
    tmp_path: Path, registry: Registry
) -> None:
    root = tmp_path / "drop"
    copy_sample(f"PSAT_SAT/{SAT}", root)  # at the top: --tenant's district
    copy_sample(f"MAP_Growth/{MAP}", root / "district-b")
    # Two STAR sets of one district, each in a folder of its own: two submissions.
    for term in ("fall", "spring"):
        for name in STAR.values():
            copy_sample(f"STAR/{name}", root / "district-a" / term)

    plan = plan_folder(root, registry, tenant="district-a", school_year="2025", known_tenants=KNOWN)

    (sat,) = items_by(plan, "assessments/PSAT_SAT")
    assert (sat.tenant, sat.school_year) == ("district-a", "2025")
    (map_growth,) = items_by(plan, "assessments/MAP_Growth")
    assert map_growth.tenant == "district-b"  # its folder wins over --tenant
    star = items_by(plan, "assessments/STAR")
    assert sorted(item.files["INPUT_FILE"].parent.name for item in star) == ["fall", "spring"]
    for item in star:
        assert {path.parent for path in item.files.values()} == {item.files["INPUT_FILE"].parent}


def test_without_known_districts_any_subfolder_is_read_as_the_district(
    tmp_path: Path, registry: Registry
) -> None:
    root = tmp_path / "drop"
    copy_sample(f"MAP_Growth/{MAP}", root / "lincoln-county" / "exports")
    copy_sample(FASTBRIDGE_MATH, root, "math.csv")

    plan = plan_folder(root, registry)
    (item,) = plan.items
    assert item.tenant == "lincoln-county"
    assert reasons(plan) == {
        "math.csv": "It is not in a district's folder, and no district was given."
    }
    # With --tenant, folders are only folders: every file is that district's.
    plan = plan_folder(root, registry, tenant="district-b")
    assert sorted(i.tenant for i in plan.items) == ["district-b", "district-b"]


def test_a_drop_is_planned_in_the_folder_that_holds_it(tmp_path: Path, registry: Registry) -> None:
    """What a clerk drops on Submit: one folder is planned whole; district folders dropped
    together keep their districts; loose files are only those files."""
    root = district_folder(tmp_path / "drop")
    assert dropped_batch([root]) == (root, ())
    a, b = root / "district-a", root / "district-b"
    folder, only = dropped_batch([a, b / "map_growth.csv"])
    assert folder == root and set(only) == {a, b / "map_growth.csv"}
    plan = plan_folder(folder, registry, school_year="2026", known_tenants=KNOWN, only=only)
    assert {(i.bundle, i.tenant) for i in plan.items} == {
        ("assessments/STAR", "district-a"),
        ("assessments/MAP_Growth", "district-b"),
    }
    # Two loose files from one district's folder: the form's district, nothing else planned.
    files = [b / "map_growth.csv", b / "fastbridge_math.csv"]
    folder, only = dropped_batch(files)
    assert folder == b
    plan = plan_folder(folder, registry, tenant="district-b", school_year="2026", only=only)
    assert sorted(path.name for i in plan.items for path in i.files.values()) == sorted(
        f.name for f in files
    )
    assert plan.unplaced == ()
