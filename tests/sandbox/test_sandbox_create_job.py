"""POST /api/v1/jobs: DTO messages, the thirteen checks in order, key layout (CONTRACT §4.2/4.3)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sandbox_http import SandboxHttp, api_fixture, map_body, nest, psat_body  # noqa: F401

SY = 'School year must be a 4-digit end year, e.g. "2026" for the 2025-2026 school year'
FILES_ALL = ["File names must not be empty", "files should not be empty", "files must be an object"]
EMPTY_BODY_MESSAGES = [
    "partner should not be empty",
    "partner must be a string",
    "tenant should not be empty",
    "tenant must be a string",
    "bundle should not be empty",
    "bundle must be a string",
    SY,
    "schoolYear should not be empty",
    "schoolYear must be a string",
    *FILES_ALL,
]


def dto_messages(api: SandboxHttp, body: Any) -> list[str]:
    response = api.create(body)
    assert response.status_code == 400, response.text
    assert list(response.json()) == ["message", "error", "statusCode"]
    assert response.json()["error"] == "Bad Request"
    messages = response.json()["message"]
    assert isinstance(messages, list)
    return messages


def test_empty_object_lists_every_violation_in_order(api: SandboxHttp) -> None:
    response = api.create({})
    expected = json.dumps(
        {"message": EMPTY_BODY_MESSAGES, "error": "Bad Request", "statusCode": 400},
        separators=(",", ":"),
    )
    assert response.text == expected
    assert response.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize("body", [[], "text", 5, None])
def test_non_object_bodies_fail_like_empty_object(api: SandboxHttp, body: Any) -> None:
    assert dto_messages(api, body) == EMPTY_BODY_MESSAGES


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"schoolYear": 2026}, [SY, "schoolYear must be a string"]),
        ({"schoolYear": "26"}, [SY]),
        ({"schoolYear": "2025-2026"}, [SY]),
        ({"schoolYear": "２０２６"}, [SY]),  # JS \d is ASCII only
        ({"schoolYear": ""}, [SY, "schoolYear should not be empty"]),
        ({"partner": ""}, ["partner should not be empty"]),
        ({"partner": 7}, ["partner must be a string"]),
        ({"tenant": None}, ["tenant should not be empty", "tenant must be a string"]),
        ({"bundle": ["x"]}, ["bundle must be a string"]),
        ({"files": None}, FILES_ALL),
        ({"files": "x.csv"}, ["File names must not be empty", "files must be an object"]),
        ({"files": {"INPUT_FILE": "   "}}, ["File names must not be empty"]),
        ({"files": {"INPUT_FILE": ""}}, ["File names must not be empty"]),
        ({"files": {"INPUT_FILE": 5}}, ["File names must not be empty"]),
        ({"files": ["a.csv", " "]}, ["File names must not be empty"]),
        ({"params": "x"}, ["params must be an object"]),
        ({"params": 5}, ["params must be an object"]),
        ({"params": True}, ["params must be an object"]),
    ],
)
def test_single_field_violations(
    api: SandboxHttp, overrides: dict[str, Any], expected: list[str]
) -> None:
    assert dto_messages(api, psat_body(**overrides)) == expected


def test_dto_failure_precedes_handler_checks(api: SandboxHttp) -> None:
    # Partner not in the token (check 2) would be 403; the DTO's 400 comes first.
    assert dto_messages(api, psat_body(partner="globex", schoolYear=2026))[0] == SY


def test_params_null_and_unknown_top_level_fields_pass(api: SandboxHttp) -> None:
    assert api.create(map_body(params=None, extra="ignored")).status_code == 201


def test_array_files_become_numbered_keys_then_unexpected(api: SandboxHttp) -> None:
    response = api.create(psat_body(files=["a.csv", "b.csv"]))
    assert response.text == nest(400, "Unexpected files: 0, 1", "Bad Request")
    response = api.create(psat_body(files=[]))
    assert response.text == nest(400, "Missing required files: INPUT_FILE", "Bad Request")


def test_empty_files_object_passes_validation(api: SandboxHttp) -> None:
    response = api.create(psat_body(files={}))
    assert response.text == nest(400, "Missing required files: INPUT_FILE", "Bad Request")


# -- handler checks (built-in seed), each reached with everything before it passing ----------
def bad(message: str) -> tuple[int, str]:
    return 400, nest(400, message, "Bad Request")


CHECKS: list[tuple[str, dict[str, Any], tuple[int, str]]] = [
    (
        "2 partner not in token",
        {"partner": "globex", "tenant": "globex-east"},
        (403, nest(403, "Invalid partner code: globex", "Forbidden")),
    ),
    (
        "3 unknown tenant",
        {"tenant": "district-z"},
        bad("Invalid tenant. acme/district-z does not exist"),
    ),
    (
        "3 tenant of another partner",
        {"tenant": "tenant1"},
        bad("Invalid tenant. acme/tenant1 does not exist"),
    ),
    (
        "4 bundle not enabled",
        {"partner": "ea", "tenant": "tenant1", "bundle": "assessments/ACT"},
        bad("Bundle not found or not enabled for partner: assessments/ACT"),
    ),
    (
        "4 bundle path is case-sensitive",
        {"bundle": "assessments/psat_sat"},
        bad("Bundle not found or not enabled for partner: assessments/psat_sat"),
    ),
    ("5 unknown year", {"schoolYear": "2040"}, bad("Invalid school year: 2040")),
    ("6 disabled year", {"schoolYear": "2021"}, bad("School year is not enabled: 2021")),
    ("6 unconfigured year", {"schoolYear": "2028"}, bad("School year is not enabled: 2028")),
    ("7a ODS missing", {"schoolYear": "2027"}, bad("No ODS found for school year: 2027")),
    (
        "7b no roster",
        {"schoolYear": "2022"},
        bad("No roster file found and cross-year matching not enabled for school year: 2022"),
    ),
    (
        "8 bundle missing from registry",
        {"bundle": "assessments/Retired_Assessment"},
        (
            500,
            nest(500, "Bundle not found: assessments/Retired_Assessment", "Internal Server Error"),
        ),
    ),
    ("9 missing param", {"params": {}}, bad("Missing required params: TEST_TYPE")),
    ("9 null param", {"params": {"TEST_TYPE": None}}, bad("Missing required params: TEST_TYPE")),
    ("9 params null", {"params": None}, bad("Missing required params: TEST_TYPE")),
    ("10 wrong case", {"params": {"TEST_TYPE": "sat"}}, bad("Invalid param values: TEST_TYPE")),
    ("10 a number", {"params": {"TEST_TYPE": 10}}, bad("Invalid param values: TEST_TYPE")),
    ("10 empty string", {"params": {"TEST_TYPE": ""}}, bad("Invalid param values: TEST_TYPE")),
    (
        "11 unexpected params",
        {"params": {"TEST_TYPE": "SAT", "FORMAT": "x", "OTHER": "y"}},
        bad("Unexpected params: FORMAT, OTHER"),
    ),
    (
        "12 unexpected files",
        {"files": {"INPUT_FILE": "a.csv", "INPUT_FILE_DS": "b.csv"}},
        bad("Unexpected files: INPUT_FILE_DS"),
    ),
    (
        "12 keys are not trimmed",
        {"files": {" INPUT_FILE": "a.csv"}},
        bad("Unexpected files:  INPUT_FILE"),
    ),
    ("13 missing files", {"files": {}}, bad("Missing required files: INPUT_FILE")),
]


@pytest.mark.parametrize(
    ("overrides", "expected"), [c[1:] for c in CHECKS], ids=[c[0] for c in CHECKS]
)
def test_handler_checks(
    api: SandboxHttp, overrides: dict[str, Any], expected: tuple[int, str]
) -> None:
    response = api.create(psat_body(**overrides))
    assert (response.status_code, response.text) == expected


def test_check_1_token_without_client_id_or_azp(api: SandboxHttp) -> None:
    token = api.fetch_token("anonymous-client")
    response = api.create(psat_body(partner="nobody", tenant="x"), token=token)
    assert response.status_code == 403
    assert response.text == nest(403, "Token must include a client_id or azp claim", "Forbidden")
    # Only POST /jobs cares: the same token verifies.
    assert api.verify(token).status_code == 201


def test_azp_identifies_the_client(api: SandboxHttp) -> None:
    token = api.fetch_token("keycloak-style")
    assert api.create(psat_body(), token=token).status_code == 201


def test_partner_check_with_no_partner_scopes(api: SandboxHttp) -> None:
    response = api.create(psat_body(), token=api.fetch_token("no-partner"))
    assert response.text == nest(403, "Invalid partner code: acme", "Forbidden")


@pytest.mark.parametrize("year", ["2026", "2025", "2024", "2023"])
def test_enabled_year_kinds_pass(api: SandboxHttp, year: str) -> None:
    response = api.create(psat_body(schoolYear=year))
    assert response.status_code == 201, response.text


def test_other_partner_seed_passes(api: SandboxHttp) -> None:
    body = psat_body(partner="ea", tenant="tenant1", schoolYear="2025")
    assert api.create(body).status_code == 201


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        ({"tenant": "nope"}, {"schoolYear": "2040"}, "Invalid tenant. acme/nope does not exist"),
        ({"schoolYear": "2040"}, {"params": {}}, "Invalid school year: 2040"),
        ({"params": {}}, {"files": {}}, "Missing required params: TEST_TYPE"),
        (
            {"params": {"TEST_TYPE": "x"}},
            {"params": {"TEST_TYPE": "x", "NOPE": "1"}},
            "Invalid param values: TEST_TYPE",
        ),
        (
            {"params": {"TEST_TYPE": "SAT", "NOPE": "1"}},
            {"files": {"X": "a"}},
            "Unexpected params: NOPE",
        ),
        ({"files": {"X": "a"}}, {"files": {"X": "a"}}, "Unexpected files: X"),
    ],
)
def test_earlier_check_wins(
    api: SandboxHttp, first: dict[str, Any], second: dict[str, Any], message: str
) -> None:
    response = api.create(psat_body(**{**second, **first}))
    assert response.json()["message"] == message


def test_two_failures_tenant_and_bundle(api: SandboxHttp) -> None:
    body = psat_body(tenant="nope", bundle="assessments/ACT", schoolYear="2021", files={})
    response = api.create(body)
    assert response.json()["message"] == "Invalid tenant. acme/nope does not exist"


def test_api_year_is_never_required_and_accepted_when_declared(api: SandboxHttp) -> None:
    assert api.create(psat_body()).status_code == 201
    both = psat_body(params={"TEST_TYPE": "PSAT 10", "API_YEAR": "1999"})
    assert api.create(both).status_code == 201


def test_api_year_unexpected_when_not_declared(api: SandboxHttp) -> None:
    response = api.create(map_body(params={"API_YEAR": "2026"}))
    assert response.text == nest(400, "Unexpected params: API_YEAR", "Bad Request")


def test_optional_files_may_be_declared(api: SandboxHttp) -> None:
    body = psat_body(
        bundle="assessments/STAR",
        params=None,
        files={"INPUT_FILE": "a.csv", "INPUT_FILE_SA": "c.csv"},
    )
    created = api.create_ok(body)
    assert list(created["uploadUrls"]) == ["INPUT_FILE", "INPUT_FILE_SA"]


def test_success_shape_and_key_layout(api: SandboxHttp) -> None:
    body = psat_body(files={"INPUT_FILE": "  my scores (1).csv \t"})
    response = api.create(body)
    assert response.status_code == 201
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-cache"
    created = response.json()
    assert list(created) == ["uid", "uploadUrls"]
    assert list(created["uploadUrls"]) == ["INPUT_FILE"]
    url = urlsplit(created["uploadUrls"]["INPUT_FILE"])
    bucket, _, key = unquote(url.path).lstrip("/").partition("/")
    assert bucket
    job = api.sandbox.call(lambda: api.sandbox.server.state.find_job(created["uid"]))
    assert job is not None
    job_id = job.id
    assert key == f"acme/district-a/2526/{job_id}/input/INPUT_FILE__my scores (1).csv"
    query = parse_qs(url.query)
    assert query["X-Amz-SignedHeaders"] == ["host"]
    assert query["X-Amz-Expires"] == ["3600"]
    assert query["x-id"] == ["PutObject"]
    assert query["x-amz-checksum-crc32"] == ["AAAAAA=="]


def test_key_segments_are_uri_encoded_and_year_id_maps(api: SandboxHttp) -> None:
    created = api.create_ok(psat_body(schoolYear="2023", files={"INPUT_FILE": "a b.csv"}))
    job = api.sandbox.call(lambda: api.sandbox.server.state.find_job(created["uid"]))
    assert job is not None
    assert job.files[0].key == f"acme/district-a/2223/{job.id}/input/INPUT_FILE__a b.csv"
    assert job.api_client_id == "runway-desktop-sandbox"
    assert job.api_client_name == "Runway Desktop (sandbox)"
    assert job.api_issuer == api.profile["issuer"]


def test_create_is_not_idempotent(api: SandboxHttp) -> None:
    first = api.create_ok(psat_body())
    second = api.create_ok(psat_body())
    assert first["uid"] != second["uid"]
    assert first["uploadUrls"]["INPUT_FILE"] != second["uploadUrls"]["INPUT_FILE"]
    jobs = api.control("GET", "/state").json()["jobs"]
    assert {j["uid"] for j in jobs} == {first["uid"], second["uid"]}
