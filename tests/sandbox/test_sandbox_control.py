"""The read-only control views ``GET /_sandbox/jobs`` and ``GET /_sandbox/objects``, over real
HTTP: what tests running Qt (which reach the sandbox in a child process) read instead of the
sandbox's memory, so each view must say exactly what the API and the bucket hold."""

from __future__ import annotations

from fitting_inputs import PSAT_INPUT
from sandbox_http import SandboxHttp, api_fixture, map_body, psat_body  # noqa: F401


def test_jobs_view_tells_files_keys_params_and_runs(api: SandboxHttp) -> None:
    assert api.control("GET", "/jobs").json() == {"jobs": []}
    created = api.create_ok(psat_body(files={"INPUT_FILE": "  scores.csv "}))
    uid = created["uid"]
    [job] = api.control("GET", "/jobs").json()["jobs"]
    assert (job["uid"], job["partner"], job["tenant"], job["schoolYear"]) == (
        uid,
        "acme",
        "district-a",
        "2026",
    )
    assert (job["bundle"], job["params"], job["sendToOds"]) == (
        "assessments/PSAT_SAT",
        {"TEST_TYPE": "SAT"},
        True,
    )
    [file] = job["files"]
    assert (file["envVar"], file["name"]) == ("INPUT_FILE", "scores.csv")  # trimmed, as stored
    # The key is the one the upload link writes to, under the job's prefix (CONTRACT §5).
    assert file["key"].startswith(f"{job['prefix']}/input/")
    assert file["key"] in created["uploadUrls"]["INPUT_FILE"]
    assert job["runs"] == []

    assert api.upload(created["uploadUrls"]["INPUT_FILE"], PSAT_INPUT["INPUT_FILE"]).is_success
    assert api.start(uid).status_code == 202
    api.wait_finished(uid)
    [job] = api.control("GET", "/jobs").json()["jobs"]
    [run] = job["runs"]
    assert (run["status"], run["errorCode"]) == ("success", None)
    assert run["outputSets"] == [s["uid"] for s in api.sets_for(uid)] != []


def test_jobs_view_lists_every_job_in_creation_order_and_reset_empties_it(
    api: SandboxHttp,
) -> None:
    first = api.create_ok(psat_body())["uid"]
    second = api.create_ok(map_body(tenant="district-b"))["uid"]
    jobs = api.control("GET", "/jobs").json()["jobs"]
    assert [j["uid"] for j in jobs] == [first, second]
    assert jobs[1]["params"] == {} and jobs[1]["tenant"] == "district-b"
    assert api.control("POST", "/reset").status_code == 200
    assert api.control("GET", "/jobs").json() == {"jobs": []}


def test_objects_view_lists_keys_and_sizes_under_a_prefix(api: SandboxHttp) -> None:
    before = api.control("GET", "/objects").json()["objects"]
    assert before and all(o["key"].endswith(".jsonl") for o in before)  # the rosters only
    data = b"StudentID,Score\n" + b"605000,10\n" * 1000
    api.create_and_upload(psat_body(), {"INPUT_FILE": data})
    [file] = api.control("GET", "/jobs").json()["jobs"][0]["files"]

    everything = api.control("GET", "/objects").json()["objects"]
    assert {o["key"] for o in everything} == {o["key"] for o in before} | {file["key"]}
    under = api.control("GET", "/objects", params={"prefix": file["key"]}).json()["objects"]
    assert [(o["key"], o["size"]) for o in under] == [(file["key"], len(data))]
    assert len(under[0]["etag"]) == 32  # hex MD5, as S3 reports a single-part upload

    assert api.control("GET", "/objects", params={"prefix": "no/such/"}).json() == {"objects": []}
    api.control("POST", "/reset")
    after = api.control("GET", "/objects").json()["objects"]
    assert after == before
