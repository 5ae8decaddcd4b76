"""Fault switches and the /_sandbox control endpoint, seen from a client over real HTTP."""

from __future__ import annotations

import time

import httpx
import pytest
from fitting_inputs import PSAT_INPUT
from sandbox_http import CSV, SandboxHttp, api_fixture, nest, psat_body  # noqa: F401

INTERNAL = '{"statusCode":500,"message":"Internal server error"}'


def test_api_error_500_is_nest_json_and_count_is_honoured(api: SandboxHttp) -> None:
    token = api.token
    api.sandbox.faults.set("api_error", {"status": 500, "count": 2})
    for _ in range(2):
        response = api.verify(token)
        assert (response.status_code, response.text) == (500, INTERNAL)
    assert api.verify(token).status_code == 201
    assert api.sandbox.faults.peek("api_error") is None


@pytest.mark.parametrize(
    ("status", "title"),
    [
        (502, "502 Bad Gateway"),
        (503, "503 Service Temporarily Unavailable"),
        (504, "504 Gateway Timeout"),
    ],
)
def test_api_error_gateway_statuses_are_html(api: SandboxHttp, status: int, title: str) -> None:
    api.sandbox.faults.set("api_error", {"status": status})
    for response in (api.verify(), api.list_sets(), api.create(psat_body()), api.call("GET", "/x")):
        assert response.status_code == status
        assert response.headers["content-type"].startswith("text/html")
        assert f"<title>{title}</title>" in response.text
    api.sandbox.faults.set("api_error", None)
    assert api.verify().status_code == 201


def test_api_error_fires_before_the_guard(api: SandboxHttp) -> None:
    api.sandbox.faults.set("api_error", {"status": 503, "count": 1})
    assert api.verify(token=None).status_code == 503
    assert api.verify(token=None).status_code == 401


def test_api_error_leaves_the_identity_provider_alone(api: SandboxHttp) -> None:
    api.sandbox.faults.set("api_error", {"status": 502})
    assert api.fetch_token()


def test_api_delay(api: SandboxHttp) -> None:
    token = api.token
    api.sandbox.faults.set("api_delay", {"seconds": 0.3, "count": 1})
    started = time.monotonic()
    assert api.verify(token).status_code == 201
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    assert api.verify(token).status_code == 201
    assert time.monotonic() - started < 0.25


def test_api_delay_with_client_timeout(api: SandboxHttp) -> None:
    api.sandbox.faults.set("api_delay", {"seconds": 0.5, "count": 1})
    with pytest.raises(httpx.ReadTimeout):
        api.http.post(f"{api.base}/token/verify", timeout=0.1)


@pytest.mark.parametrize(("status", "code"), [(500, "InternalError"), (503, "SlowDown")])
def test_s3_error_on_upload_and_download(api: SandboxHttp, status: int, code: str) -> None:
    created = api.create_ok(psat_body())
    api.sandbox.faults.set("s3_error", {"status": status, "count": 1})
    response = api.upload(created["uploadUrls"]["INPUT_FILE"], CSV)
    assert response.status_code == status
    assert f"<Code>{code}</Code>" in response.text
    assert response.headers["content-type"] == "application/xml"
    # A file the run succeeds on: only a successful run has a set to download.
    good = PSAT_INPUT["INPUT_FILE"]
    assert api.upload(created["uploadUrls"]["INPUT_FILE"], good).status_code == 200
    assert api.start(created["uid"]).status_code == 202
    api.wait_finished(created["uid"])
    (item,) = api.sets_for(created["uid"])
    url = next(iter(api.links(item["uid"]).json()["downloadLinks"].values()))
    api.sandbox.faults.set("s3_error", {"status": status, "count": 1})
    assert api.http.get(url).status_code == status
    assert api.http.get(url).status_code == 200


@pytest.mark.parametrize("after_bytes", [0, 10])
def test_s3_drop_cuts_the_upload(api: SandboxHttp, after_bytes: int) -> None:
    created = api.create_ok(psat_body())
    api.sandbox.faults.set("s3_drop", {"after_bytes": after_bytes, "count": 1})
    with pytest.raises(httpx.TransportError):
        api.upload(created["uploadUrls"]["INPUT_FILE"], CSV * 50)
    job = api.sandbox.call(lambda: api.sandbox.server.state.find_job(created["uid"]))
    assert job is not None
    assert api.sandbox.server.store.stat(job.files[0].key) is None  # nothing stored
    expected = nest(
        400, "Some expected files were not found. Expected files: scores.csv", "Bad Request"
    )
    assert api.start(created["uid"]).text == expected
    assert api.upload(created["uploadUrls"]["INPUT_FILE"], CSV).status_code == 200  # count=1
    assert api.start(created["uid"]).status_code == 202


def test_s3_expired(api: SandboxHttp) -> None:
    created = api.create_ok(psat_body())
    api.sandbox.faults.set("s3_expired", True)
    response = api.upload(created["uploadUrls"]["INPUT_FILE"], CSV)
    assert response.status_code == 403
    assert "<Code>AccessDenied</Code>" in response.text
    assert "<Message>Request has expired</Message>" in response.text
    assert "<X-Amz-Expires>3600</X-Amz-Expires>" in response.text
    api.sandbox.faults.set("s3_expired", None)
    assert api.upload(created["uploadUrls"]["INPUT_FILE"], CSV).status_code == 200


def test_faults_from_config_are_active_at_start() -> None:
    from runway_desktop.sandbox.config import default_config
    from runway_desktop.sandbox.server import Sandbox

    config = default_config(faults={"api_error": {"status": 502, "count": 1}})
    with Sandbox(config) as running:
        client = SandboxHttp(running)
        assert client.verify().status_code == 502
        assert client.verify().status_code == 201


# -- the control endpoint ---------------------------------------------------------------------
def test_control_faults_put_get_delete(api: SandboxHttp) -> None:
    response = api.control(
        "PUT", "/faults", json={"api_error": {"status": 503, "count": 1}, "s3_expired": True}
    )
    assert response.status_code == 200
    snapshot = {"api_error": {"count": 1, "status": 503}, "s3_expired": {"count": None}}
    assert response.json() == snapshot
    assert api.control("GET", "/faults").json() == snapshot
    assert api.verify().status_code == 503
    assert api.control("GET", "/faults").json() == {"s3_expired": {"count": None}}
    assert api.control("PUT", "/faults", json={"s3_expired": None}).json() == {}
    api.control("PUT", "/faults", json={"token_down": {}, "api_disabled": True})
    assert api.control("DELETE", "/faults").json() == {}
    assert api.control("GET", "/faults").json() == {}


@pytest.mark.parametrize(
    "body",
    [
        {"no_such_fault": True},
        {"api_error": {"status": 500, "count": 0}},
        {"api_error": {"colour": "red"}},
    ],
)
def test_control_rejects_bad_faults(api: SandboxHttp, body: dict[str, object]) -> None:
    response = api.control("PUT", "/faults", json=body)
    assert response.status_code == 400
    assert "error" in response.json()
    assert api.control("GET", "/faults").json() == {}


def test_control_executor(api: SandboxHttp) -> None:
    response = api.control("PUT", "/executor", json={"outcome": "fail", "delay_seconds": 0.05})
    assert response.status_code == 200
    assert response.json()["outcome"] == "fail"
    assert response.json()["delay_seconds"] == 0.05
    uid = api.run_job(psat_body(), PSAT_INPUT)
    assert api.wait_finished(uid)[0][0] == "error"
    assert api.control("PUT", "/executor", json={"outcome": "maybe"}).status_code == 400


def test_control_inject_output_sets(api: SandboxHttp) -> None:
    body = {
        "partner": "acme",
        "tenant": "district-b",
        "schoolYear": "2025",
        "bundle": "assessments/STAR",
        "count": 3,
        "sentToOds": False,
        "files": {"b.jsonl": '{"b":1}\n', "a.jsonl": '{"a":1}\n'},
        "createdAt": "2026-01-02T03:04:05.678Z",
    }
    response = api.control("POST", "/output-sets", json=body)
    assert response.status_code == 201
    injected = response.json()["uids"]
    assert len(injected) == 3
    items = api.list_sets(tenant="district-b").json()
    assert [i["uid"] for i in items] == injected
    assert items[0]["files"] == ["a.jsonl", "b.jsonl"]
    assert items[0]["createdAt"] == "2026-01-02T03:04:05.678Z"
    assert (items[0]["schoolYear"], items[0]["sentToOds"]) == ("2025", False)
    assert api.download(injected[0]) == {"a.jsonl": b'{"a":1}\n', "b.jsonl": b'{"b":1}\n'}
    bad = api.control("POST", "/output-sets", json={"createdAt": "yesterday"})
    assert bad.status_code == 400


def test_control_state_and_reset(api: SandboxHttp) -> None:
    uid = api.create_and_upload(psat_body())
    api.control("PUT", "/faults", json={"s3_expired": True})
    api.control("PUT", "/executor", json={"outcome": "fail"})
    state = api.control("GET", "/state").json()
    assert state["faults"] == {"s3_expired": {"count": None}}
    assert state["executor"]["outcome"] == "fail"
    assert [j["uid"] for j in state["jobs"]] == [uid]
    assert state["jobs"][0]["runs"] == []
    assert api.control("POST", "/reset").status_code == 200
    state = api.control("GET", "/state").json()
    assert (state["faults"], state["jobs"], state["executor"]["outcome"]) == ({}, [], "auto")
    assert api.start(uid).status_code == 404
