"""assign_files on the real sample names of all five sample folders, and on ambiguous drops."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from runway_desktop.bundles import Bundle, InputFile
from runway_desktop.bundles.matching import (
    assign_files,
    name_words,
    type_names,
    wrong_type_reason,
)
from runway_desktop.bundles.registry import load_snapshot

# samples/README.md: the slot each sample file belongs to.
EXPECTED = {
    "STAR": {
        "SR_sample_anonymized_file.csv": "INPUT_FILE",
        "SR_Dashboard_Standards_v2_sample_anonymized_file.csv": "INPUT_FILE_DS",
        "SR_SkillArea_v1_sample_anonymized_file.csv": "INPUT_FILE_SA",
    },
    "FastBridge_CBMreading": {
        "sample_anonymized_file_fastbridge_cbmreading.csv": "INPUT_FILE",
        "sample_anonymized_file_fastbridge_comprehension_question.csv": (
            "INPUT_FILE_COMP_QUESTION"
        ),
        "sample_anonymized_file_fastbridge_comprehension_recall.csv": "INPUT_FILE_COMP_RECALL",
    },
    "MAP_Growth": {"sample_anonymized_file.csv": "INPUT_FILE"},
    "FastBridge_CBMmath": {"sample_anonymized_file_cbmm_auto.csv": "INPUT_FILE"},
}


def _bundle(name: str) -> Bundle:
    bundle = load_snapshot().get(f"assessments/{name}")
    assert bundle is not None
    return bundle


def _files(samples_dir: Path, folder: str) -> list[Path]:
    return sorted((samples_dir / folder).glob("*.csv"))


@pytest.mark.parametrize("folder", sorted(EXPECTED))
@pytest.mark.parametrize("seed", range(6))
def test_every_sample_folder_is_placed_whatever_the_order(
    samples_dir: Path, folder: str, seed: int
) -> None:
    files = _files(samples_dir, folder)
    random.Random(seed).shuffle(files)

    result = assign_files(_bundle(folder), files)

    assert result.unassigned == []
    assert {env: p.name for env, p in result.assigned.items()} == {
        v: k for k, v in EXPECTED[folder].items()
    }


@pytest.mark.parametrize(
    "name", ["sample_anonymized_file_psat_10.csv", "sample_anonymized_file_sat.csv"]
)
def test_one_psat_file_goes_to_the_only_slot(samples_dir: Path, name: str) -> None:
    result = assign_files(_bundle("PSAT_SAT"), [samples_dir / "PSAT_SAT" / name])
    assert result.assigned == {"INPUT_FILE": samples_dir / "PSAT_SAT" / name}


def test_both_psat_files_on_the_one_slot_bundle_place_neither(samples_dir: Path) -> None:
    files = _files(samples_dir, "PSAT_SAT")
    result = assign_files(_bundle("PSAT_SAT"), files)
    assert result.assigned == {}
    assert result.unassigned == files
    for path in files:
        assert "takes one file" in result.reason(path)


@pytest.mark.parametrize(
    ("name", "env_var"),
    [
        ("SR_SkillArea_v1_sample_anonymized_file.csv", "INPUT_FILE_SA"),
        ("SR_Dashboard_Standards_v2_sample_anonymized_file.csv", "INPUT_FILE_DS"),
        ("SR_sample_anonymized_file.csv", "INPUT_FILE"),
    ],
)
def test_each_star_file_alone_finds_its_slot(samples_dir: Path, name: str, env_var: str) -> None:
    result = assign_files(_bundle("STAR"), [samples_dir / "STAR" / name])
    assert result.assigned == {env_var: samples_dir / "STAR" / name}


def test_star_leftover_goes_to_the_remaining_required_slot_only(samples_dir: Path) -> None:
    star = samples_dir / "STAR"
    # The main export, dropped after the two optional ones are in place.
    result = assign_files(
        _bundle("STAR"),
        [star / "SR_sample_anonymized_file.csv"],
        occupied={"INPUT_FILE_DS", "INPUT_FILE_SA"},
    )
    assert result.assigned == {"INPUT_FILE": star / "SR_sample_anonymized_file.csv"}

    # With the required slot filled, a nondescript name is not guessed onto an optional slot.
    odd = Path("/tmp/results.csv")
    result = assign_files(_bundle("STAR"), [odd], occupied={"INPUT_FILE"})
    assert result.unassigned == [odd]
    assert "does not say which slot" in result.reason(odd)


def test_a_distinctive_file_for_a_filled_slot_is_not_pushed_elsewhere(samples_dir: Path) -> None:
    skill = samples_dir / "STAR" / "SR_SkillArea_v1_sample_anonymized_file.csv"
    result = assign_files(_bundle("STAR"), [skill], occupied={"INPUT_FILE_SA"})
    assert result.assigned == {}
    assert "“Skill area”, which already has a file" in result.reason(skill)


def test_two_files_wanting_the_same_slot_are_both_left_out() -> None:
    a = Path("/d/SR_SkillArea_fall.csv")
    b = Path("/d/SR_SkillArea_spring.csv")
    main = Path("/d/SR_main.csv")
    result = assign_files(_bundle("STAR"), [a, main, b])
    assert result.assigned == {"INPUT_FILE": main}
    assert result.unassigned == [a, b]
    assert "SR_SkillArea_spring.csv also looks like “Skill area”" in result.reason(a)


def test_a_file_fitting_two_slots_equally_is_left_out() -> None:
    both = Path("/d/fastbridge_comprehension.csv")
    result = assign_files(_bundle("FastBridge_CBMreading"), [both])
    assert result.assigned == {}
    assert result.reason(both) == (
        "Its name fits “Comprehension Question assessment data” and "
        "“Comprehension Recall assessment data” equally well. Drop it on the right slot."
    )


def test_wrong_types_are_refused_with_what_to_do(tmp_path: Path) -> None:
    xlsx = tmp_path / "scores.xlsx"
    txt = tmp_path / "scores.txt"
    good = tmp_path / "scores.csv"
    result = assign_files(_bundle("MAP_Growth"), [xlsx, txt, good])
    assert result.assigned == {"INPUT_FILE": good}
    assert result.unassigned == [xlsx, txt]
    assert result.reason(xlsx) == (
        "This assessment takes CSV files; scores.xlsx is an Excel workbook. "
        "Open it in Excel and use File › Save As › CSV."
    )
    assert result.reason(txt).startswith("This assessment takes CSV files; scores.txt is a text")


def test_every_slot_full_says_so() -> None:
    path = Path("/d/another.csv")
    result = assign_files(_bundle("MAP_Growth"), [path], occupied={"INPUT_FILE"})
    assert result.unassigned == [path]
    assert result.reason(path).startswith("Every slot already has a file.")


def test_the_same_path_twice_counts_once(samples_dir: Path) -> None:
    path = samples_dir / "MAP_Growth" / "sample_anonymized_file.csv"
    result = assign_files(_bundle("MAP_Growth"), [path, path])
    assert result.assigned == {"INPUT_FILE": path}
    assert result.unassigned == []


def test_csv_or_txt_and_txt_only_slots() -> None:
    txt = Path("/d/cogat_results.TXT")
    assert assign_files(_bundle("CogAT"), [txt]).assigned == {"INPUT_FILE": txt}
    csv = Path("/d/map_results.csv")
    result = assign_files(_bundle("Missouri_Assessment_Program"), [csv])
    assert result.reason(csv).startswith("This assessment takes TXT files; map_results.csv is")


def test_an_empty_drop_is_an_empty_result() -> None:
    result = assign_files(_bundle("STAR"), [])
    assert (result.assigned, result.unassigned) == ({}, [])


def test_name_words_drop_common_words_and_split_names() -> None:
    assert name_words("SR_SkillArea_v1_sample_anonymized_file") == {
        "sr",
        "skillarea",
        "skill",
        "area",
    }
    assert name_words("SR_Dashboard_Standards_v2") == {"sr", "dashboard", "standard"}
    assert "cbmreading" in name_words("CBMreading assessment data")
    assert name_words("INPUT_FILE") == frozenset()
    assert name_words("Assessment data") == frozenset()


def test_type_names() -> None:
    assert type_names(("csv",)) == "CSV file"
    assert type_names(("csv", "txt")) == "CSV or TXT file"
    assert type_names(("csv", "txt"), plural=True) == "CSV or TXT files"
    assert type_names(()) == "Any file"


def test_wrong_type_reason_for_unknown_and_missing_extensions() -> None:
    slot = InputFile("Assessment data", "INPUT_FILE", True, ("csv",))
    assert wrong_type_reason(slot.file_type, Path("x.dat")) == (
        "This slot takes CSV files; x.dat is a .dat file. Choose the CSV file the vendor sent."
    )
    assert "x is a file without a type ending" in wrong_type_reason(slot.file_type, Path("x"))
