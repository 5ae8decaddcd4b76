"""GET /api/v1/output-sets and POST …/download-links (CONTRACT §4.5, §4.6, §5.5)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from fitting_inputs import PSAT_INPUT
from sandbox_http import SandboxHttp, api_fixture, nest, new_uuid, psat_body  # noqa: F401

MILLIS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
T0 = datetime(2026, 3, 15, 14, 30, 0, 123000, tzinfo=UTC)


def inject(api: SandboxHttp, **kwargs: Any) -> list[str]:
    args: dict[str, Any] = {
        "partner": "acme",
        "tenant": "district-a",
        "school_year": "2026",
        "bundle": "assessments/PSAT_SAT",
        "count": 1,
        "sent_to_ods": True,
        "files": {"studentAssessments.jsonl": b'{"a":1}\n'},
        "created_on": T0,
    }
    args.update(kwargs)
    return api.sandbox.inject_output_sets(**args)


def uids(api: SandboxHttp, **params: str) -> list[str]:
    response = api.list_sets(**params)
    assert response.status_code == 200, response.text
    return [s["uid"] for s in response.json()]


def test_empty_list(api: SandboxHttp) -> None:
    response = api.list_sets()
    assert (response.status_code, response.text) == (200, "[]")
    assert response.headers["content-type"].startswith("application/json")


def test_item_shape_and_ordering_by_created_at(api: SandboxHttp) -> None:
    late = inject(api, created_on=T0 + timedelta(hours=1))[0]
    early = inject(api, created_on=T0 - timedelta(days=1), sent_to_ods=False)[0]
    middle = inject(api, created_on=T0.replace(microsecond=123456))[0]
    items = api.list_sets().json()
    assert [i["uid"] for i in items] == [early, middle, late]
    first = items[0]
    assert list(first) == [
        "uid",
        "files",
        "sentToOds",
        "createdAt",
        "jobUid",
        "partner",
        "tenant",
        "schoolYear",
        "bundle",
    ]
    assert first["sentToOds"] is False
    assert first["createdAt"] == "2026-03-14T14:30:00.123Z"
    assert items[1]["createdAt"] == "2026-03-15T14:30:00.123Z"  # truncated to milliseconds
    assert all(MILLIS.fullmatch(i["createdAt"]) for i in items)
    assert (first["partner"], first["tenant"], first["schoolYear"]) == (
        "acme",
        "district-a",
        "2026",
    )
    assert first["bundle"] == "assessments/PSAT_SAT"
    assert first["files"] == ["studentAssessments.jsonl"]


def test_real_run_createdat_has_millis(api: SandboxHttp) -> None:
    uid = api.run_job(psat_body(), PSAT_INPUT)
    api.wait_finished(uid)
    (item,) = api.sets_for(uid)
    assert MILLIS.fullmatch(item["createdAt"])
    stamp = datetime.fromisoformat(item["createdAt"].replace("Z", "+00:00"))
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 10


def test_filters(api: SandboxHttp) -> None:
    a = inject(api)[0]
    b = inject(api, tenant="district-b", created_on=T0 + timedelta(seconds=1))[0]
    c = inject(api, school_year="2025", sent_to_ods=False, created_on=T0 + timedelta(seconds=2))[0]
    d = inject(api, bundle="assessments/STAR", created_on=T0 + timedelta(seconds=3))[0]
    inject(api, partner="ea", tenant="tenant1", created_on=T0 + timedelta(seconds=4))
    inject(api, partner="globex", tenant="globex-east")
    assert uids(api) == [a, b, c, d]
    assert uids(api, tenant="district-b") == [b]
    assert uids(api, tenant="unknown-tenant") == []
    assert uids(api, tenant="") == [a, b, c, d]
    assert uids(api, schoolYear="2025") == [c]
    assert uids(api, schoolYear="2024") == []
    assert uids(api, schoolYear="") == [a, b, c, d]
    assert uids(api, bundle="assessments/STAR") == [d]
    assert uids(api, bundle="assessments/star") == []
    assert uids(api, sentToOds="true") == [a, b, d]
    assert uids(api, sentToOds="false") == [c]
    assert uids(api, tenant="district-a", sentToOds="true", bundle="assessments/PSAT_SAT") == [a]
    assert len(uids(api, partner="ea")) == 1


def test_created_after_is_truncated_to_milliseconds(api: SandboxHttp) -> None:
    # new Date("….123300Z") is ….123: a set stamped ….123200 is after it.
    stamped = inject(api, created_on=T0 + timedelta(microseconds=200))[0]
    assert uids(api, createdAfter="2026-03-15T14:30:00.1233Z") == [stamped]
    assert uids(api, createdAfter="2026-03-15T14:30:00.124Z") == []


def test_created_after_is_strictly_greater(api: SandboxHttp) -> None:
    exact = inject(api, created_on=T0)[0]
    micro = inject(api, created_on=T0 + timedelta(microseconds=456))[0]
    later = inject(api, created_on=T0 + timedelta(seconds=1))[0]
    # The set stamped exactly at createdAfter is excluded; one a few µs later is returned
    # although its createdAt prints the same millisecond (CONTRACT §5.5).
    assert uids(api, createdAfter="2026-03-15T14:30:00.123Z") == [micro, later]
    assert uids(api, createdAfter="2026-03-15T14:30:00.122Z") == [exact, micro, later]
    assert uids(api, createdAfter="2026-03-15T14:30:01.123Z") == []
    assert uids(api, createdAfter="2026-03-15T19:30:00.5+05:00") == [later]


@pytest.mark.parametrize(
    ("value", "count"),
    [
        ("2026-03-15T00:00:00Z", 1),
        ("2026-03-15T16:00:00+05:00", 1),
        ("2026-03-15T15:30:00.122999+01:00", 1),
        ("2026-03-15T15:30:00.123999+01:00", 0),  # JS Dates keep milliseconds only
        ("2026-03-15T14:29:59,9Z", 1),
        ("2026-03-15", 1),
        ("2026-03-16", 0),
        ("2026", 1),
        ("2027", 0),
        ("2026-03", 1),
        ("2000-01-01T00:00:00", 1),  # zone-less: server local time, far enough not to matter
        ("2099-01-01T00:00:00", 0),
    ],
)
def test_created_after_accepted_forms(api: SandboxHttp, value: str, count: int) -> None:
    inject(api)
    assert len(uids(api, createdAfter=value)) == count


@pytest.mark.parametrize(
    "value",
    ["2026-02-30", "2026-03-15 00:00:00Z", "03/15/2024", "", "yesterday", "2026-13-01", "2026-3-5"],
)
def test_created_after_rejected_forms(api: SandboxHttp, value: str) -> None:
    response = api.list_sets(createdAfter=value)
    expected = nest(400, "createdAfter must be a valid ISO 8601 timestamp", "Bad Request")
    assert (response.status_code, response.text) == (400, expected)


@pytest.mark.parametrize("value", ["2026-W11", "2026-W11-3", "2026-074", "20260315T000000Z"])
def test_created_after_valid_but_unparseable_is_500(api: SandboxHttp, value: str) -> None:
    response = api.list_sets(createdAfter=value)
    assert response.text == '{"statusCode":500,"message":"Internal server error"}'


PARTNER_REQUIRED = nest(400, "partner query parameter is required", "Bad Request")
SENT_BAD = nest(400, 'sentToOds must be "true" or "false"', "Bad Request")
CREATED_BAD = nest(400, "createdAfter must be a valid ISO 8601 timestamp", "Bad Request")
YEAR_BAD = nest(400, 'schoolYear must be a 4-digit end year, e.g. "2026"', "Bad Request")


@pytest.mark.parametrize(
    ("params", "status", "text"),
    [
        ({"partner": "", "sentToOds": "x"}, 400, PARTNER_REQUIRED),
        (
            {"partner": "globex", "sentToOds": "x"},
            404,
            nest(404, "Partner not found: globex", "Not Found"),
        ),
        ({"sentToOds": "True", "createdAfter": "x"}, 400, SENT_BAD),
        ({"sentToOds": "1"}, 400, SENT_BAD),
        ({"sentToOds": ""}, 400, SENT_BAD),
        ({"createdAfter": "x", "schoolYear": "26"}, 400, CREATED_BAD),
        ({"schoolYear": "26"}, 400, YEAR_BAD),
        ({"schoolYear": "2025-26"}, 400, YEAR_BAD),
        ({"schoolYear": "abcd", "createdAfter": "2026-W11"}, 400, YEAR_BAD),
        ({"schoolYear": "2040"}, 400, nest(400, "Unknown school year: 2040", "Bad Request")),
        (
            {"schoolYear": "2019", "createdAfter": "2026-W11"},
            400,
            nest(400, "Unknown school year: 2019", "Bad Request"),
        ),
        (
            {"schoolYear": "2026", "createdAfter": "2026-W11"},
            500,
            '{"statusCode":500,"message":"Internal server error"}',
        ),
    ],
)
def test_list_check_order(api: SandboxHttp, params: dict[str, str], status: int, text: str) -> None:
    response = api.list_sets(**params)
    assert (response.status_code, response.text) == (status, text)


def test_missing_partner_parameter(api: SandboxHttp) -> None:
    response = api.call("GET", "/output-sets")
    assert response.text == PARTNER_REQUIRED


def test_partner_outside_token_is_not_found(api: SandboxHttp) -> None:
    inject(api, partner="globex", tenant="globex-east")
    response = api.list_sets(partner="globex")
    assert response.text == nest(404, "Partner not found: globex", "Not Found")
    response = api.list_sets(token=api.fetch_token("keycloak-style"), partner="ea")
    assert response.text == nest(404, "Partner not found: ea", "Not Found")


def test_partner_granted_by_token_but_unknown_lists_nothing(api: SandboxHttp) -> None:
    token = api.own_token(scope="read:jobs partner:initech")
    response = api.list_sets(token=token, partner="initech")
    assert (response.status_code, response.text) == (200, "[]")


def test_only_successful_runs_are_listed(api: SandboxHttp) -> None:
    api.sandbox.set_executor(outcome="fail")
    failed = api.run_job(psat_body(), PSAT_INPUT)
    assert api.wait_finished(failed) == [("error", "earthmover_run")]
    api.sandbox.set_executor(outcome="auto")
    ok = api.run_job(psat_body(), PSAT_INPUT)
    api.wait_finished(ok)
    assert [s["jobUid"] for s in api.list_sets().json()] == [ok]


def test_set_is_linkable_before_its_run_is_listed(api: SandboxHttp) -> None:
    api.sandbox.set_executor(delay_seconds=0.05, visibility_lag_seconds=1.0)
    uid = api.run_job(psat_body(), PSAT_INPUT)
    server = api.sandbox.server

    def reported() -> list[str]:
        job = server.state.find_job(uid)
        assert job is not None
        return [s.uid for r in job.runs for s in r.output_sets]

    api.wait_until(lambda: bool(api.sandbox.call(reported)))
    set_uid = api.sandbox.call(reported)[0]
    assert api.sets_for(uid) == []  # reported, stamped, but the run is not yet success
    assert api.links(set_uid).status_code == 200  # download-links does not check the run
    api.wait_finished(uid)
    assert [s["uid"] for s in api.sets_for(uid)] == [set_uid]


# -- download links ----------------------------------------------------------------------------
def test_download_links_non_uuid(api: SandboxHttp) -> None:
    response = api.links("set-1")
    assert response.text == nest(400, "Validation failed (uuid is expected)", "Bad Request")


def test_download_links_unknown_or_other_partner(api: SandboxHttp) -> None:
    missing = nest(404, "Output file set not found", "Not Found")
    assert api.links(new_uuid()).text == missing
    globex = inject(api, partner="globex", tenant="globex-east")[0]
    assert api.links(globex).text == missing
    ea = inject(api, partner="ea", tenant="tenant1")[0]
    assert api.links(ea, token=api.fetch_token("keycloak-style")).text == missing
    assert api.links(ea).status_code == 200


def test_download_links_order_shape_and_content(api: SandboxHttp) -> None:
    files = {
        "assessments.jsonl": b'{"x":1}\n',
        "descriptors.jsonl": b'{"y":2}\n',
        "studentAssessments.jsonl": b'{"z":3}\n{"z":4}\n',
    }
    set_uid = inject(api, files=files)[0]
    (item,) = api.list_sets().json()
    assert item["files"] == sorted(files)
    response = api.links(set_uid.upper())
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["downloadLinks"]
    links = body["downloadLinks"]
    assert list(links) == item["files"]
    for name, url in links.items():
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        assert query["response-content-disposition"] == [f'attachment; filename="{name}"']
        assert query["x-amz-checksum-mode"] == ["ENABLED"]
        assert query["X-Amz-SignedHeaders"] == ["host"]
        assert query["X-Amz-Expires"] == ["3600"]
        assert unquote(parts.path).endswith(f"/output/ods/{name}")
        got = api.http.get(url)
        assert got.status_code == 200
        assert got.content == files[name]
        assert got.headers["content-disposition"] == f'attachment; filename="{name}"'


def test_download_links_read_scope_alone_is_not_enough(api: SandboxHttp) -> None:
    set_uid = inject(api)[0]
    token = api.own_token(scope="read:jobs partner:acme")
    assert api.links(set_uid, token=token).text == nest(403, "Insufficient scopes", "Forbidden")
    token = api.own_token(scope="read:jobs:output-files partner:acme")
    assert api.links(set_uid, token=token).status_code == 200
