"""tools/build_practice_samples.py: the committed practice files and manifest are what the
snapshot gives; long samples are cut to whole records, byte for byte; a file the app cannot
place with certainty is left out, with the reason."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT.parent / "shared" / "bundles" / "earthmover_edfi_bundles"
RESOURCES = ROOT / "resources"
ACT_SAMPLE = RESOURCES / "samples" / "ACT" / "sample_anonymized_file.csv"
STAR_SAMPLE = RESOURCES / "samples" / "STAR" / "SR_sample_anonymized_file.csv"
needs_snapshot = pytest.mark.skipif(
    not (SNAPSHOT / "assessments").is_dir(),
    reason=f"the bundle snapshot ({SNAPSHOT}) is not beside the repository, so the committed "
    "practice files cannot be compared with it here",
)


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_practice_samples", ROOT / "tools" / "build_practice_samples.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@needs_snapshot
def test_the_committed_practice_files_are_what_the_snapshot_gives(tool: ModuleType) -> None:
    derived = tool.build(SNAPSHOT)
    assert tool.differences(derived, RESOURCES) == [], "run tools/build_practice_samples.py"
    manifest = derived.manifest
    # 50 bundles ship samples; the 8 outside the registry cannot run on Runway.
    unlisted = [k for k, why in manifest["left_out"].items() if why.startswith("not in the")]
    assert len(manifest["bundles"]) + len(unlisted) == 50
    assert len(manifest["bundles"]) == 42


@needs_snapshot
def test_the_check_notices_a_changed_a_missing_and_an_extra_file(
    tool: ModuleType, tmp_path: Path
) -> None:
    out = tmp_path / "resources"
    args = ["--snapshot", str(SNAPSHOT), "--out", str(out)]
    assert tool.main(args) == 0
    assert tool.main([*args, "--check"]) == 0
    sample = out / "samples" / "STAR" / "SR_sample_anonymized_file.csv"
    sample.write_bytes(sample.read_bytes() + b"605000\n")
    extra = out / "samples" / "STAR" / "notes.csv"
    extra.write_text("x\n", encoding="utf-8")
    (out / "samples" / "MAP_Growth" / "sample_anonymized_file.csv").unlink()
    problems = tool.differences(tool.build(SNAPSHOT), out)
    assert problems == [
        "samples/MAP_Growth/sample_anonymized_file.csv is stale",
        "samples/STAR/SR_sample_anonymized_file.csv is stale",
        "samples/STAR/notes.csv is extra",
    ]
    assert tool.main([*args, "--check"]) == 1
    assert tool.main(args) == 0 and not extra.exists()
    assert tool.main([*args, "--check"]) == 0


def _long_csv(rows: int, *, bom: bool = True) -> bytes:
    lines = [b"StudentID,Note,Score"]
    for number in range(rows):
        # Every third row holds a quoted line break and a doubled quote.
        note = b'"a ""quoted""\r\nnote"' if number % 3 == 0 else b"plain"
        lines.append(b"%d,%s,%d" % (605000 + number, note, number))
    return (b"\xef\xbb\xbf" if bom else b"") + b"\r\n".join(lines) + b"\r\n"


def test_a_long_sample_is_cut_to_whole_records_byte_for_byte(tool: ModuleType) -> None:
    import csv
    import io

    data = _long_csv(1000)
    cut = tool.trimmed(data, header_row=0)
    assert data.startswith(cut) and cut.startswith(b"\xef\xbb\xbfStudentID,")
    assert cut.endswith(b"\r\n")
    records = list(csv.reader(io.StringIO(cut.decode("utf-8-sig"), newline="")))
    assert len(records) == 1 + tool.MAX_DATA_ROWS
    assert records[1] == ["605000", 'a "quoted"\r\nnote', "0"]
    assert records[-1][0] == str(605000 + tool.MAX_DATA_ROWS - 1)


def test_rows_above_the_header_are_kept_and_short_samples_are_untouched(
    tool: ModuleType,
) -> None:
    labels = b",Reading Results,\r\n,,\r\n"
    data = labels + _long_csv(400, bom=False)
    cut = tool.trimmed(data, header_row=2, max_data_rows=10)
    assert cut.startswith(labels + b"StudentID,Note,Score\r\n")
    assert len(cut.decode().replace('\r\nnote"', "").splitlines()) == 2 + 1 + 10
    short = _long_csv(20)
    assert tool.trimmed(short, header_row=0) == short


def test_only_files_the_app_places_with_certainty_are_kept(
    tool: ModuleType, tmp_path: Path
) -> None:
    snapshot = tmp_path / "snapshot"
    snapshot.mkdir()
    shutil.copy(RESOURCES / "registry.json", snapshot / "registry.json")
    act = snapshot / "assessments" / "ACT"
    (act / "data").mkdir(parents=True)
    (act / "earthmover.yaml").write_text("config:\n  parameter_defaults:\n    X: 1\n", "utf-8")
    header, first, *_ = ACT_SAMPLE.read_bytes().splitlines(keepends=True)
    (act / "data" / "long_export.csv").write_bytes(header + first * 700)
    shutil.copy(STAR_SAMPLE, act / "data" / "star_export.csv")
    unlisted = snapshot / "assessments" / "Homegrown" / "data"
    unlisted.mkdir(parents=True)
    shutil.copy(ACT_SAMPLE, unlisted / "sample.csv")

    derived = tool.build(snapshot)

    assert derived.manifest["bundles"] == {
        "assessments/ACT": {
            "display_name": "ACT",
            "folder": "ACT",
            "files": {"INPUT_FILE": ["long_export.csv"]},
            "params": {},
        }
    }
    assert derived.manifest["left_out"] == {
        "assessments/ACT/star_export.csv": (
            "the app identifies it as assessments/STAR INPUT_FILE (100%)"
        ),
        "assessments/Homegrown": "not in the bundle registry: Runway cannot run it",
    }
    kept = derived.files["samples/ACT/long_export.csv"]
    assert kept == header + first * tool.MAX_DATA_ROWS
    assert json.loads(derived.files["practice.json"]) == derived.manifest
    readme = derived.files["samples/README.md"].decode()
    assert "| ACT | ACT | INPUT_FILE: long_export.csv | none |" in readme
    assert "`assessments/ACT/star_export.csv`: the app identifies it as" in readme
