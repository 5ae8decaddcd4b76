"""POST /api/v1/jobs/{uid}/start (CONTRACT §4.4) and the exact-body rules of §1/§2."""

from __future__ import annotations

import pytest
from fitting_inputs import PSAT_INPUT
from sandbox_http import CSV, SandboxHttp, api_fixture, nest, new_uuid, psat_body  # noqa: F401


def test_non_uuid_is_validation_failed(api: SandboxHttp) -> None:
    for uid in ("123", "not-a-uuid", "3f2b8c1e5d4a4b6f9e7d2a1c0b9f8e7d", "{" + new_uuid() + "}"):
        response = api.start(uid)
        assert response.text == nest(400, "Validation failed (uuid is expected)", "Bad Request")


def test_uuid_check_comes_after_the_guard(api: SandboxHttp) -> None:
    assert api.start("123", token=None).status_code == 401


@pytest.mark.parametrize(
    # Fixed ids, not fresh uuid4()s: pytest-xdist workers must collect the same test names.
    "uid",
    [
        "338d47d4-a2d2-47ac-971b-a186e6e4b800",
        "A77E329D-E12B-406F-99BB-2E2B24243319",
        "00000000-0000-0000-0000-000000000000",
    ],
)
def test_unknown_uid_is_job_not_found(api: SandboxHttp, uid: str) -> None:
    response = api.start(uid)
    assert response.text == nest(404, f"Job not found: {uid}", "Not Found")


def test_other_partner_job_is_not_found(api: SandboxHttp) -> None:
    uid = api.create_and_upload(psat_body(partner="ea", tenant="tenant1"))
    token = api.fetch_token("keycloak-style")  # partner:acme only
    response = api.start(uid, token=token)
    assert response.text == nest(404, f"Job not found: {uid}", "Not Found")
    assert api.runs(uid) == []


def test_upper_case_uid_finds_the_job(api: SandboxHttp) -> None:
    uid = api.create_and_upload(psat_body())
    assert api.start(uid.upper()).status_code == 202


def star_body() -> dict[str, object]:
    files = {"INPUT_FILE": "main.csv", "INPUT_FILE_DS": " ds.csv ", "INPUT_FILE_SA": "sa.csv"}
    return psat_body(bundle="assessments/STAR", params=None, files=files)


def test_files_missing_lists_every_name(api: SandboxHttp) -> None:
    created = api.create_ok(star_body())
    expected = nest(
        400,
        "Some expected files were not found. Expected files: main.csv, ds.csv, sa.csv",
        "Bad Request",
    )
    assert api.start(created["uid"]).text == expected
    urls = created["uploadUrls"]
    assert api.upload(urls["INPUT_FILE"], CSV).status_code == 200
    assert api.upload(urls["INPUT_FILE_DS"], CSV).status_code == 200
    assert api.start(created["uid"]).text == expected  # one still missing: all are listed
    assert api.upload(urls["INPUT_FILE_SA"], b"").status_code == 200
    assert api.start(created["uid"]).text == expected  # zero bytes count as missing
    assert api.upload(urls["INPUT_FILE_SA"], CSV).status_code == 200
    response = api.start(created["uid"])
    assert (response.status_code, response.content) == (202, b"")
    assert response.headers["cache-control"] == "no-cache"


def test_start_then_repeat_while_running_then_rerun(api: SandboxHttp) -> None:
    api.sandbox.set_executor(delay_seconds=0.5)
    uid = api.run_job(psat_body(), PSAT_INPUT)
    response = api.start(uid)
    assert response.text == nest(400, f"Job already in progress: {uid}", "Bad Request")
    assert api.wait_finished(uid) == [("success", None)]
    first = api.sets_for(uid)
    assert len(first) == 1
    api.sandbox.set_executor(delay_seconds=0.1)
    assert api.start(uid).status_code == 202  # not idempotent after completion
    runs = api.wait_finished(uid, runs=2)
    assert [r[0] for r in runs] == ["success", "success"]
    sets = api.sets_for(uid)
    assert len(sets) == 2
    assert sets[0]["uid"] == first[0]["uid"]  # the earlier set is still listed
    folders = api.sandbox.call(
        lambda: {s.folder for _, s in api.sandbox.server.state.listed_sets()}
    )
    assert len(folders) == 1 and next(iter(folders)).endswith("/output/ods")


def test_failed_run_can_be_restarted(api: SandboxHttp) -> None:
    api.sandbox.set_executor(outcome="fail")
    uid = api.run_job(psat_body(), PSAT_INPUT)
    assert api.wait_finished(uid)[-1][0] == "error"
    api.sandbox.set_executor(outcome="auto")
    assert api.start(uid).status_code == 202
    assert api.wait_finished(uid, runs=2)[-1] == ("success", None)
    assert len(api.sets_for(uid)) == 1


def test_start_needs_create_scope(api: SandboxHttp) -> None:
    uid = api.create_and_upload(psat_body())
    response = api.start(uid, token=api.fetch_token("read-only"))
    assert response.text == nest(403, "Insufficient scopes", "Forbidden")


# -- generic bodies and headers (CONTRACT §1, §2) ---------------------------------------------
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/nope"),
        ("GET", "/jobs"),
        ("DELETE", "/output-sets"),
        ("GET", "/token/verify"),
        ("POST", "/jobs/abc/stop"),
    ],
)
def test_unknown_route(api: SandboxHttp, method: str, path: str) -> None:
    response = api.call(method, path)
    expected = nest(404, f"Cannot {method} /api/v1{path}", "Not Found")
    assert (response.status_code, response.text) == (404, expected)
    assert response.headers["cache-control"] == "no-cache"


def test_unknown_route_without_token(api: SandboxHttp) -> None:
    response = api.call("GET", "/nope", token=None)
    assert response.text == nest(404, "Cannot GET /api/v1/nope", "Not Found")


@pytest.mark.parametrize(
    "path",
    [
        "/jobs",
        "/token/verify",
        "/jobs/5b0c2c9e-4f4e-4f0a-9d55-1b7f0e0c6a11/start",
        "/output-sets/9e4b7f7a-2a0d-4c7e-8a64-3d8f2b1c0e22/download-links",
    ],
)
@pytest.mark.parametrize("auth", [None, "Bearer garbage"])
def test_malformed_json_precedes_the_guard(api: SandboxHttp, path: str, auth: str | None) -> None:
    response = api.call(
        "POST",
        path,
        token=None,
        auth=auth,
        content=b'{"partner": "acme",',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["message", "error", "statusCode"]
    assert (body["error"], body["statusCode"]) == ("Bad Request", 400)
    assert isinstance(body["message"], str) and "JSON" in body["message"]
    assert response.headers["cache-control"] == "no-cache"


def test_non_json_content_type_is_not_parsed(api: SandboxHttp) -> None:
    response = api.call("POST", "/jobs", content=b"{", headers={"Content-Type": "text/plain"})
    assert response.json()["message"][0] == "partner should not be empty"


@pytest.mark.parametrize(
    ("scope", "text"),
    [
        (
            "create:jobs",
            "Token is valid for no partners. No scope of the form "
            '"partner:partner-code" was found on the token.',
        ),
        ("partner:ea create:jobs", "Token is valid for partner: ea"),
        ("partner:ea create:jobs partner:acme", "Token is valid for partners: ea, acme"),
    ],
)
def test_verify_sentences(api: SandboxHttp, scope: str, text: str) -> None:
    response = api.verify(api.own_token(scope=scope))
    assert response.status_code == 201
    assert response.text == text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"


def test_internal_error_body_has_no_error_key(api: SandboxHttp) -> None:
    api.sandbox.faults.set("api_error", {"count": 1, "status": 500})
    response = api.verify()
    assert response.status_code == 500
    assert response.text == '{"statusCode":500,"message":"Internal server error"}'
    assert response.headers["cache-control"] == "no-cache"


def test_every_success_has_no_cache(api: SandboxHttp) -> None:
    uid = api.create_and_upload(psat_body())
    assert api.start(uid).headers["cache-control"] == "no-cache"
    assert api.list_sets().headers["cache-control"] == "no-cache"
    set_uid = api.sandbox.inject_output_sets(
        partner="acme",
        tenant="district-a",
        school_year="2026",
        bundle="assessments/PSAT_SAT",
        count=1,
        sent_to_ods=True,
        files={"a.jsonl": b"{}\n"},
    )[0]
    assert api.links(set_uid).headers["cache-control"] == "no-cache"
