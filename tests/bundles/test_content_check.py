"""Preflight's content check, per slot, with the real vendor samples the app ships (and variants
made from them): every sample fits its own slot; in any other slot it is an error that names
what it looks like; the school year is read from the rows. Run with -s for the accuracy line."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Literal

import pytest

from runway_desktop.bundles.content_check import check_content, school_year_note
from runway_desktop.bundles.identify import Verdict
from runway_desktop.bundles.model import InputFile
from runway_desktop.bundles.preflight import PreflightReport, inspect_file
from runway_desktop.bundles.registry import load_snapshot
from runway_desktop.core.practice import practice_files

DATA = Path(__file__).parent / "data"
MAP_IN_STAR = (
    "This looks like a MAP Growth Assessment file, not Star Assessments. Choose MAP Growth "
    "Assessment as the assessment, or pick the Star Assessments export."
)


def _slot(bundle: str, env_var: str) -> InputFile:
    found = load_snapshot().get(bundle)
    assert found is not None
    slot = found.file(env_var)
    assert slot is not None
    return slot


def _practice() -> list[tuple[str, str, Path]]:
    return [
        (bundle, env, path)
        for bundle, slots in practice_files().items()
        for env, paths in slots.items()
        for path in paths
    ]


def _rewrite(
    source: Path,
    target: Path,
    *,
    delimiter: str = ",",
    bom: bool = False,
    quote_all: bool = False,
    rename: dict[str, str] | None = None,
    drop: tuple[str, ...] = (),
    reverse: bool = False,
    edit_row: dict[str, str] | None = None,
) -> Path:
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"))))
    header = rows[0]
    keep = [i for i, name in enumerate(header) if name not in drop]
    if reverse:
        keep.reverse()
    out = io.StringIO()
    quoting: Literal[0, 1, 2, 3] = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
    writer.writerow([(rename or {}).get(header[i], header[i]) for i in keep])
    for number, row in enumerate(rows[1:]):
        row = row + [""] * (len(header) - len(row))
        if edit_row and number == 0:
            row = [edit_row.get(header[i], row[i]) for i in range(len(header))]
        writer.writerow([row[i] for i in keep])
    target.write_text(("\ufeff" if bom else "") + out.getvalue(), encoding="utf-8")
    return target


@pytest.mark.parametrize(("bundle", "env_var", "path"), _practice(), ids=lambda v: str(v)[-40:])
def test_every_practice_sample_fits_its_own_slot_without_a_column_warning(
    bundle: str, env_var: str, path: Path
) -> None:
    report = inspect_file(path, _slot(bundle, env_var))
    assert report.ok, report.errors
    assert report.content is not None and report.content.verdict is Verdict.FITS
    assert report.content.message == ""
    # The MAP Growth sample's last row leaves out its trailing empty cell; that is no problem.
    assert not [w for w in report.warnings if "values than there are column names" in w]
    assert not [w for w in report.warnings if "left empty" in w]


def test_every_practice_sample_in_every_other_slot_is_an_error_naming_what_it_is() -> None:
    samples = _practice()
    judged = wrong = 0
    for bundle, env_var, path in samples:
        for other_bundle, slots in practice_files().items():
            for other_env in slots:
                if (other_bundle, other_env) == (bundle, env_var):
                    continue
                if other_bundle == "assessments/PSAT_SAT" and bundle == other_bundle:
                    continue  # one slot takes both PSAT 10 and SAT files
                if not _slot(other_bundle, other_env).accepts_extension(path.suffix):
                    continue  # refused for its extension (a .txt in a .csv slot) before content
                report = inspect_file(path, _slot(other_bundle, other_env))
                judged += 1
                content = report.content
                assert content is not None and content.verdict is Verdict.OTHER_BUNDLE, path
                assert content.message in report.errors and not report.ok
                assert content.message.startswith("This looks like"), content.message
                if bundle != other_bundle:
                    assert content.other_bundle == bundle
                else:
                    assert content.other_env_var == env_var
                wrong += 1
    print(f"\nwrong-slot files refused: {wrong}/{judged}")
    assert judged >= 80 and wrong == judged


def test_a_map_file_in_the_star_slot_says_so_in_plain_words(samples_dir: Path) -> None:
    path = samples_dir / "MAP_Growth" / "sample_anonymized_file.csv"
    report = inspect_file(path, _slot("assessments/STAR", "INPUT_FILE"))
    assert report.errors == (MAP_IN_STAR,)
    skill_area = samples_dir / "STAR" / "SR_SkillArea_v1_sample_anonymized_file.csv"
    report = inspect_file(skill_area, _slot("assessments/STAR", "INPUT_FILE"))
    assert report.errors[0].startswith(
        "This looks like the “Skill area” file of Star Assessments, not “Overall assessment data”"
    )


@pytest.mark.parametrize(
    "variant",
    [
        {"bom": True},
        {"delimiter": ";"},
        {"delimiter": "\t"},
        {"quote_all": True},
        {"reverse": True},
        {"rename": {"SchoolYear": "school year", "AssessmentID": '"ASSESSMENT_ID"'}},
        {"drop": ("StudentEmail", "StudentMiddleName", "Gender")},
    ],
    ids=["bom", "semicolon", "tab", "quoted", "reordered", "recased", "columns-dropped"],
)
def test_a_star_export_as_vendors_vary_it_still_fits(
    samples_dir: Path, tmp_path: Path, variant: dict[str, object]
) -> None:
    source = samples_dir / "STAR" / "SR_sample_anonymized_file.csv"
    path = _rewrite(source, tmp_path / "export (3).csv", **variant)  # type: ignore[arg-type]
    report = inspect_file(path, _slot("assessments/STAR", "INPUT_FILE"))
    assert report.ok, report.errors
    assert report.content is not None and report.content.fits
    assert report.content.school_years == (2024,)


def test_a_file_without_the_columns_the_bundle_needs_is_an_error_naming_them(
    samples_dir: Path, tmp_path: Path
) -> None:
    source = samples_dir / "STAR" / "SR_SkillArea_v1_sample_anonymized_file.csv"
    path = _rewrite(source, tmp_path / "skills.csv", drop=("SkillAreaName", "FamilyName"))
    report = inspect_file(path, _slot("assessments/STAR", "INPUT_FILE_SA"))
    assert report.content is not None and report.content.verdict is Verdict.MISSING_REQUIRED
    assert not report.ok
    assert "Star Assessments cannot run without" in report.errors[0]
    assert "“FamilyName”" in report.errors[0] and "“SkillAreaName”" in report.errors[0]


def test_a_file_lacking_columns_the_bundle_reads_is_a_warning_naming_them(
    samples_dir: Path, tmp_path: Path
) -> None:
    source = samples_dir / "MAP_Growth" / "sample_anonymized_file.csv"
    path = _rewrite(source, tmp_path / "map.csv", drop=("TestType",))
    report = inspect_file(path, _slot("assessments/MAP_Growth", "INPUT_FILE"))
    assert report.ok, report.errors
    assert report.content is not None and report.content.verdict is Verdict.FITS_BUT_MISSING
    assert report.content.missing_columns == ("TestType",)
    assert "This file has no “TestType” column" in " ".join(report.warnings)


def test_a_file_of_no_known_layout_is_a_warning_not_a_tick(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("StudentID,Score,Teacher\n1,3,Ms A\n2,4,Mr B\n", encoding="utf-8")
    report = inspect_file(path, _slot("assessments/STAR", "INPUT_FILE"))
    assert report.ok
    assert report.content is not None and report.content.verdict is Verdict.UNKNOWN
    assert "This does not look like the “Overall assessment data” file" in report.warnings[0]


def test_other_bundles_files_including_one_runway_does_not_list() -> None:
    star = _slot("assessments/STAR", "INPUT_FILE")
    iready = inspect_file(DATA / "i-Ready_sample_anonymized_file_math.csv", star)
    assert iready.content is not None and iready.content.other_bundle == "assessments/i-Ready"
    assert "Choose i-Ready" in iready.errors[0]
    idel = inspect_file(DATA / "IDEL_sample_anonymized_file.csv", star)
    assert idel.content is not None and idel.content.other_bundle == "assessments/IDEL"
    assert "Runway has no assessment for it" in idel.errors[0]


def test_a_hand_made_slot_is_checked_for_form_only(samples_dir: Path) -> None:
    path = samples_dir / "MAP_Growth" / "sample_anonymized_file.csv"
    report = inspect_file(path, InputFile("Assessment data", "INPUT_FILE", True, ("csv",)))
    assert report.ok and report.content is None


# --- the school year ----------------------------------------------------------------------


def _content(path: Path, bundle: str, env_var: str) -> PreflightReport:
    return inspect_file(path, _slot(bundle, env_var))


def test_the_school_year_is_read_from_the_rows_and_held_against_the_chosen_one(
    samples_dir: Path,
) -> None:
    star = _content(
        samples_dir / "STAR" / "SR_sample_anonymized_file.csv", "assessments/STAR", "INPUT_FILE"
    )
    assert star.content is not None and star.content.school_years == (2024,)
    assert school_year_note(star.content, "2024") is None
    note = school_year_note(star.content, "2026")
    assert note is not None and note.mismatch
    assert note.message == (
        "This file's school year is 2023–24; you chose 2025–26. Choose 2023–24 as the school "
        "year, or pick the file for 2025–26."
    )
    fastbridge = samples_dir / "FastBridge_CBMreading"
    comp = _content(
        fastbridge / "sample_anonymized_file_fastbridge_comprehension_recall.csv",
        "assessments/FastBridge_CBMreading",
        "INPUT_FILE_COMP_RECALL",
    )
    note = school_year_note(comp.content, "2026")
    assert note is not None and note.message.startswith(
        "The test dates in this file are in 2022–23; you chose 2025–26."
    )


def test_a_file_spanning_several_years_is_reported_as_such(
    samples_dir: Path, tmp_path: Path
) -> None:
    source = samples_dir / "MAP_Growth" / "sample_anonymized_file.csv"
    path = _rewrite(source, tmp_path / "map.csv", edit_row={"TermName": "Spring 2023-2024"})
    report = inspect_file(path, _slot("assessments/MAP_Growth", "INPUT_FILE"))
    assert report.content is not None and report.content.school_years == (2022, 2024)
    note = school_year_note(report.content, "2024")
    assert note is not None and not note.mismatch
    assert "span several school years (2021–22, 2023–24)" in note.message
    note = school_year_note(report.content, "2026")
    assert note is not None and note.mismatch and "none of them the 2025–26" in note.message


def test_check_content_reads_only_a_prefix_of_a_big_file(samples_dir: Path, tmp_path: Path) -> None:
    source = (samples_dir / "STAR" / "SR_sample_anonymized_file.csv").read_bytes()
    header, _, rows = source.partition(b"\n")
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.write(header + b"\n")
        for _ in range(3000):  # about 10 MB
            handle.write(rows)
    finding = check_content(big, "assessments/STAR", "INPUT_FILE")
    assert finding is not None and finding.verdict is Verdict.FITS
    assert finding.school_years == (2024,)
