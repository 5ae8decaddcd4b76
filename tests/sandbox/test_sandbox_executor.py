"""The simulated executor: real samples in, listed output sets out (CONTRACT §5.1, §5.4)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from fitting_inputs import PSAT_INPUT, psat_roster
from sandbox_http import SAMPLES, SandboxHttp, api_fixture, psat_body  # noqa: F401


def data_rows(content: bytes) -> int:
    text = content.decode("utf-8-sig")
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    return len(rows) - 1


def jsonl(content: bytes) -> list[dict[str, Any]]:
    lines = content.decode().splitlines()
    assert lines and all(lines)
    return [json.loads(line) for line in lines]


SAMPLE_JOBS: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
    # id: (bundle, {env var: sample file}, params)
    "PSAT_SAT SAT": (
        "assessments/PSAT_SAT",
        {"INPUT_FILE": "PSAT_SAT/sample_anonymized_file_sat.csv"},
        {"TEST_TYPE": "SAT"},
    ),
    "PSAT_SAT PSAT 10": (
        "assessments/PSAT_SAT",
        {"INPUT_FILE": "PSAT_SAT/sample_anonymized_file_psat_10.csv"},
        {"TEST_TYPE": "PSAT 10"},
    ),
    "STAR": (
        "assessments/STAR",
        {
            "INPUT_FILE": "STAR/SR_sample_anonymized_file.csv",
            "INPUT_FILE_DS": "STAR/SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
            "INPUT_FILE_SA": "STAR/SR_SkillArea_v1_sample_anonymized_file.csv",
        },
        {},
    ),
    "MAP_Growth": (
        "assessments/MAP_Growth",
        {"INPUT_FILE": "MAP_Growth/sample_anonymized_file.csv"},
        {},
    ),
    "FastBridge_CBMreading": (
        "assessments/FastBridge_CBMreading",
        {
            "INPUT_FILE": "FastBridge_CBMreading/sample_anonymized_file_fastbridge_cbmreading.csv",
            "INPUT_FILE_COMP_QUESTION": "FastBridge_CBMreading/"
            "sample_anonymized_file_fastbridge_comprehension_question.csv",
            "INPUT_FILE_COMP_RECALL": "FastBridge_CBMreading/"
            "sample_anonymized_file_fastbridge_comprehension_recall.csv",
        },
        {},
    ),
    "FastBridge_CBMmath": (
        "assessments/FastBridge_CBMmath",
        {"INPUT_FILE": "FastBridge_CBMmath/sample_anonymized_file_cbmm_auto.csv"},
        {"TEST_TYPE": "Auto"},
    ),
}


def test_every_sample_file_is_used() -> None:
    # Of these five folders; every practice bundle's files: test_sandbox_practice_bundles.py.
    used = {path for _, files, _ in SAMPLE_JOBS.values() for path in files.values()}
    folders = {Path(path).parent.name for path in used}
    on_disk = {str(p.relative_to(SAMPLES)) for f in folders for p in (SAMPLES / f).glob("*.csv")}
    assert used == on_disk


@pytest.mark.parametrize("name", SAMPLE_JOBS)
def test_real_samples_process_into_output_sets(api: SandboxHttp, name: str) -> None:
    bundle, files, params = SAMPLE_JOBS[name]
    contents = {env: (SAMPLES / path).read_bytes() for env, path in files.items()}
    body = psat_body(
        bundle=bundle,
        files={env: Path(path).name for env, path in files.items()},
        params=params or None,
    )
    uid = api.run_job(body, contents)
    assert api.wait_finished(uid) == [("success", None)]
    (item,) = api.sets_for(uid)
    assert item["bundle"] == bundle and item["sentToOds"] is True
    downloaded = api.download(item["uid"])
    assert list(downloaded) == item["files"]
    assert "studentAssessments.jsonl" in downloaded
    records = jsonl(downloaded["studentAssessments.jsonl"])
    assert len(records) == data_rows(contents["INPUT_FILE"])
    assert all(r["schoolYearTypeReference"]["schoolYear"] == 2026 for r in records)
    assert all(r["studentReference"]["studentUniqueId"] for r in records)
    identifiers = {r["assessmentReference"]["assessmentIdentifier"] for r in records}
    expected_id = bundle.rsplit("/", 1)[1] + (f"-{params['TEST_TYPE']}" if params else "")
    assert identifiers == {expected_id}
    # The files the bundle's earthmover.yaml names under destinations:, not a fixed trio.
    assert sorted(downloaded) == sorted(DESTINATIONS[bundle])


# From each bundle's `destinations:` in the snapshot (read by eye, not by the derivation).
_DESCRIPTORS = ["assessmentReportingMethodDescriptors.jsonl", "performanceLevelDescriptors.jsonl"]
_COMMON = ["assessments.jsonl", "studentAssessments.jsonl", *_DESCRIPTORS]
_FASTBRIDGE = [*_COMMON, "assessmentCategoryDescriptors.jsonl", "assessmentPeriodDescriptors.jsonl"]
DESTINATIONS = {
    "assessments/PSAT_SAT": [*_COMMON, "objectiveAssessments.jsonl"],
    "assessments/STAR": [*_COMMON, "objectiveAssessments.jsonl"],
    "assessments/MAP_Growth": [*_COMMON, "objectiveAssessments.jsonl"],
    "assessments/FastBridge_CBMreading": [*_FASTBRIDGE, "objectiveAssessments.jsonl"],
    "assessments/FastBridge_CBMmath": _FASTBRIDGE,
}


def run_year(api: SandboxHttp, year: str, students: int = 30) -> tuple[str, list[dict[str, Any]]]:
    uid = api.run_job(psat_body(schoolYear=year), {"INPUT_FILE": psat_roster(students)})
    assert api.wait_finished(uid) == [("success", None)]
    return uid, api.sets_for(uid)


def folder_of(api: SandboxHttp, set_uid: str) -> str:
    def find() -> str:
        found = api.sandbox.server.state.find_set(set_uid)
        assert found is not None
        return found[1].folder

    return api.sandbox.call(find)


def test_ods_year_gives_one_ods_set(api: SandboxHttp) -> None:
    _, sets = run_year(api, "2026")
    assert [s["sentToOds"] for s in sets] == [True]
    assert folder_of(api, sets[0]["uid"]).endswith("/output/ods")
    assert folder_of(api, sets[0]["uid"]).startswith("acme/district-a/2526/")
    rows = jsonl(api.download(sets[0]["uid"])["studentAssessments.jsonl"])
    assert sorted(r["studentReference"]["studentUniqueId"] for r in rows) == [
        str(605000 + i) for i in range(30)
    ]


@pytest.mark.parametrize("year", ["2025", "2024"])
def test_no_ods_years_give_one_non_ods_set(api: SandboxHttp, year: str) -> None:
    _, sets = run_year(api, year)
    assert [s["sentToOds"] for s in sets] == [False]
    assert sets[0]["schoolYear"] == year
    assert folder_of(api, sets[0]["uid"]).endswith("/output/non-ods")


def test_ods_cross_year_splits_unmatched_students(api: SandboxHttp) -> None:
    _, sets = run_year(api, "2023")
    assert [s["sentToOds"] for s in sets] == [True, False]
    assert sets[0]["createdAt"] <= sets[1]["createdAt"]
    assert folder_of(api, sets[0]["uid"]).endswith("/output/ods")
    assert folder_of(api, sets[1]["uid"]).endswith("/output/non-ods")
    ods = jsonl(api.download(sets[0]["uid"])["studentAssessments.jsonl"])
    non_ods = jsonl(api.download(sets[1]["uid"])["studentAssessments.jsonl"])
    ids = [r["studentReference"]["studentUniqueId"] for r in ods + non_ods]
    assert sorted(ids) == [str(605000 + i) for i in range(30)]
    assert ods and non_ods


def test_rerun_lists_leftovers_in_the_shared_folder(api: SandboxHttp) -> None:
    body = psat_body(bundle="assessments/STAR", params=None, files={"INPUT_FILE": "a.csv"})
    uid = api.run_job(
        body, {"INPUT_FILE": (SAMPLES / "STAR" / "SR_sample_anonymized_file.csv").read_bytes()}
    )
    api.wait_finished(uid)
    (first,) = api.sets_for(uid)
    assert api.start(uid).status_code == 202
    api.wait_finished(uid, runs=2)
    second = api.sets_for(uid)[1]
    assert second["files"] == first["files"]
    assert folder_of(api, first["uid"]) == folder_of(api, second["uid"])


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (psat_roster(0), "earthmover_run"),  # header only
        (psat_roster(0) + b"\n  \n", "earthmover_run"),  # blank lines are no rows
        # Not PSAT/SAT's columns: earthmover stops before any roster match.
        (b"Name,Score\nAda,1\nBob,2\n", "earthmover_run"),
    ],
)
def test_unusable_input_fails_the_run(api: SandboxHttp, content: bytes, code: str) -> None:
    uid = api.run_job(psat_body(), {"INPUT_FILE": content})
    assert api.wait_finished(uid) == [("error", code)]
    assert api.sets_for(uid) == []
    state = api.control("GET", "/state").json()
    (job,) = [j for j in state["jobs"] if j["uid"] == uid]
    assert job["runs"][0]["outputSets"] == []


def test_outcome_fail_fails_good_input(api: SandboxHttp) -> None:
    api.sandbox.set_executor(outcome="fail")
    uid = api.run_job(psat_body(), PSAT_INPUT)
    assert api.wait_finished(uid)[0][0] == "error"
    assert api.list_sets().json() == []


def test_outcome_succeed_skips_input_checks(api: SandboxHttp) -> None:
    api.sandbox.set_executor(outcome="succeed")
    uid = api.run_job(psat_body(), {"INPUT_FILE": b"Name\n"})
    assert api.wait_finished(uid) == [("success", None)]
    (item,) = api.sets_for(uid)
    # No rows, no studentAssessments: empty JSONL files are not uploaded.
    expected = sorted(set(DESTINATIONS["assessments/PSAT_SAT"]) - {"studentAssessments.jsonl"})
    assert item["files"] == expected


def test_run_goes_through_new_and_running(api: SandboxHttp) -> None:
    api.sandbox.set_executor(delay_seconds=0.4)
    uid = api.run_job(psat_body(), PSAT_INPUT)
    assert api.runs(uid)[0][0] in ("new", "running")
    api.wait_until(lambda: api.runs(uid)[0][0] == "running")
    assert api.wait_finished(uid) == [("success", None)]
