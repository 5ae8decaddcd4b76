"""The sandbox fails what Runway's executor would fail: an input without the columns the
bundle's transformation names ends the run in ``error`` and no output set appears; a run
that succeeds writes the files the bundle's ``destinations:`` name. Its data is its own,
derived from the snapshot's earthmover.yaml by tools/build_sandbox_bundles.py."""

from __future__ import annotations

import csv
import importlib.util
import io
import sys
from pathlib import Path
from types import ModuleType

import pytest
from sandbox_http import SAMPLES, SandboxHttp, api_fixture, psat_body  # noqa: F401

from runway_desktop.sandbox.bundle_inputs import SlotNeeds, bundle_needs
from runway_desktop.sandbox.executor import read_table

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT.parent / "shared" / "bundles" / "earthmover_edfi_bundles"
STAR_SAMPLES = {
    "INPUT_FILE": "SR_sample_anonymized_file.csv",
    "INPUT_FILE_DS": "SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
    "INPUT_FILE_SA": "SR_SkillArea_v1_sample_anonymized_file.csv",
}
MAP_SAMPLE = SAMPLES / "MAP_Growth" / "sample_anonymized_file.csv"


def star_job(api: SandboxHttp, contents: dict[str, bytes]) -> str:
    body = psat_body(
        bundle="assessments/STAR",
        params=None,
        schoolYear="2024",
        files={env: f"{env.lower()}.csv" for env in contents},
    )
    return api.run_job(body, contents)


def test_a_map_growth_file_in_the_star_job_fails_the_run_and_makes_no_set(
    api: SandboxHttp,
) -> None:
    uid = star_job(api, {"INPUT_FILE": MAP_SAMPLE.read_bytes()})
    assert api.wait_finished(uid) == [("error", "earthmover_run")]
    assert api.sets_for(uid) == []
    assert api.list_sets().json() == []


def test_a_map_growth_file_in_a_star_side_slot_fails_the_run_too(api: SandboxHttp) -> None:
    contents = {env: (SAMPLES / "STAR" / name).read_bytes() for env, name in STAR_SAMPLES.items()}
    contents["INPUT_FILE_DS"] = MAP_SAMPLE.read_bytes()
    uid = star_job(api, contents)
    assert api.wait_finished(uid) == [("error", "earthmover_run")]
    assert api.sets_for(uid) == []


def test_the_right_star_files_make_a_set_of_the_bundles_destinations(api: SandboxHttp) -> None:
    contents = {env: (SAMPLES / "STAR" / name).read_bytes() for env, name in STAR_SAMPLES.items()}
    uid = star_job(api, contents)
    assert api.wait_finished(uid) == [("success", None)]
    (item,) = api.sets_for(uid)
    # STAR's earthmover.yaml: destinations assessmentReportingMethodDescriptors,
    # performanceLevelDescriptors, objectiveAssessments, assessments, studentAssessments.
    assert item["files"] == [
        "assessmentReportingMethodDescriptors.jsonl",
        "assessments.jsonl",
        "objectiveAssessments.jsonl",
        "performanceLevelDescriptors.jsonl",
        "studentAssessments.jsonl",
    ]


def test_the_rule_names_what_is_missing_and_passes_re_ordered_columns() -> None:
    needs = bundle_needs("assessments/STAR")
    assert needs is not None
    header = next(csv.reader(io.StringIO(MAP_SAMPLE.read_text(encoding="utf-8-sig"))))
    problem = needs.slots["INPUT_FILE"].problem(header)
    assert problem is not None and problem.startswith("columns not present: AssessmentID")
    assert "StudentStateID or StudentSourcedID" in problem
    star = SAMPLES / "STAR" / STAR_SAMPLES["INPUT_FILE"]
    star_header = next(csv.reader(io.StringIO(star.read_text(encoding="utf-8-sig"))))
    assert needs.slots["INPUT_FILE"].problem(list(reversed(star_header))) is None
    assert needs.slots["INPUT_FILE_DS"].problem(star_header) == "expected 21 columns, found 126"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_sandbox_bundles", ROOT / "tools" / "build_sandbox_bundles.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _header(sample: Path, slot: SlotNeeds) -> list[str] | None:
    with sample.open("rb") as handle:
        return read_table(handle, slot, limit=0)[0]


needs_snapshot = pytest.mark.skipif(
    not (SNAPSHOT / "assessments").is_dir(),
    reason=f"the bundle snapshot is not at {SNAPSHOT} (only the derivation needs it)",
)


@needs_snapshot
def test_the_shipped_data_is_up_to_date_with_the_snapshot() -> None:
    tool = _tool()
    shipped = (ROOT / "resources" / "sandbox_bundles.json").read_text(encoding="utf-8")
    assert shipped == tool.render(tool.build(SNAPSHOT)), "run tools/build_sandbox_bundles.py"


@needs_snapshot
def test_every_sample_the_authors_ship_runs_in_some_slot_of_its_bundle() -> None:
    """The authors' samples run on the real executor: the derived rule must let each of them
    through in at least one slot, or it would fail files Runway accepts."""
    failing = []
    checked = 0
    for bundle_dir in sorted((SNAPSHOT / "assessments").iterdir()):
        needs = bundle_needs(f"assessments/{bundle_dir.name}")
        if needs is None:
            continue
        for sample in sorted((bundle_dir / "data").glob("*.csv")):
            checked += 1
            # Read as each slot reads it (CIRCLE's names are on its third row).
            if all(slot.problem(_header(sample, slot)) for slot in needs.slots.values()):
                failing.append(f"{bundle_dir.name}/{sample.name}")
    print(f"\nsandbox rule: {checked - len(failing)}/{checked} snapshot samples run")
    assert checked > 40 and failing == []
