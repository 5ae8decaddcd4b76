"""Check 7a of POST /jobs is about the tenant's ODS for the year, not the partner's (CONTRACT §4.2).

The partner configures a school year (enabled, sent to an ODS); each tenant has its own ODS, or
not, for that year. Two districts of one partner can therefore answer differently for one year.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sandbox_http import SandboxHttp, api_fixture, nest, psat_body  # noqa: F401

from runway_desktop.sandbox.config import ConfigError, config_from_data, default_config
from runway_desktop.sandbox.server import Sandbox

NO_ODS_2027 = nest(400, "No ODS found for school year: 2027", "Bad Request")


def _send_to_ods(api: SandboxHttp, uid: str) -> bool:
    def read() -> bool:
        job = api.sandbox.server.state.find_job(uid)
        assert job is not None
        return job.send_to_ods

    return api.sandbox.call(read)


def test_default_world_one_year_two_districts_two_answers(api: SandboxHttp) -> None:
    # acme's 2027 sends to an ODS; only district-b has connected one for it.
    refused = api.create(psat_body(tenant="district-a", schoolYear="2027"))
    assert (refused.status_code, refused.text) == (400, NO_ODS_2027)
    created = api.create_ok(psat_body(tenant="district-b", schoolYear="2027"))
    assert _send_to_ods(api, created["uid"]) is True


@pytest.mark.parametrize("tenant", ["district-a", "district-b"])
def test_default_world_keeps_every_tenant_ods_for_2026(api: SandboxHttp, tenant: str) -> None:
    created = api.create_ok(psat_body(tenant=tenant, schoolYear="2026"))
    assert _send_to_ods(api, created["uid"]) is True


def test_the_seed_publishes_the_per_tenant_table() -> None:
    acme = default_config().seed()["acme"]
    assert acme["ods"] == {
        "district-a": ["2026", "2023"],
        "district-b": ["2026", "2023", "2027"],
    }
    assert "2027" not in acme["ods"]["district-a"]


WORLD: dict[str, Any] = {
    "executor_delay_seconds": 0.1,
    "partners": {
        "initech": {
            "tenants": ["springfield", "shelbyville"],
            "bundles": ["assessments/PSAT_SAT"],
            "school_years": {"2026": "ods", "2025": "ods"},
            # springfield has an ODS for 2026 only; shelbyville for neither year.
            "ods": {"springfield": ["2026"]},
        },
        # No table: every tenant has an ODS for its 'ods' years (older config files).
        "hooli": {
            "tenants": ["north", "south"],
            "bundles": ["assessments/PSAT_SAT"],
            "school_years": {"2026": "ods", "2027": "ods-missing"},
        },
    },
    "clients": [
        {
            "client_id": "c",
            "client_secret": "s",
            "scopes": "create:jobs read:jobs read:jobs:output-files partner:initech partner:hooli",
        }
    ],
}


@pytest.fixture(scope="module")
def world_api() -> Iterator[SandboxHttp]:
    with Sandbox(config_from_data(WORLD)) as running:
        api = SandboxHttp(running)
        api._token = _token(api)  # the world's own client, not the built-in one
        yield api
        api.close()


def _create(api: SandboxHttp, partner: str, tenant: str, year: str) -> tuple[int, str]:
    response = api.create(psat_body(partner=partner, tenant=tenant, schoolYear=year))
    return response.status_code, response.text


def _token(api: SandboxHttp) -> str:
    response = api.http.post(
        str(api.profile["token_url"]),
        data={"grant_type": "client_credentials", "client_id": "c", "client_secret": "s"},
    )
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert isinstance(token, str)
    return token


@pytest.mark.parametrize(
    ("partner", "tenant", "year", "status"),
    [
        ("initech", "springfield", "2026", 201),
        ("initech", "shelbyville", "2026", 400),
        ("initech", "springfield", "2025", 400),
        ("hooli", "north", "2026", 201),
        ("hooli", "south", "2026", 201),
        ("hooli", "south", "2027", 400),
    ],
)
def test_a_configured_world_checks_each_tenant_and_year(
    world_api: SandboxHttp, partner: str, tenant: str, year: str, status: int
) -> None:
    got_status, text = _create(world_api, partner, tenant, year)
    assert got_status == status, text
    if status == 400:
        assert text == nest(400, f"No ODS found for school year: {year}", "Bad Request")


@pytest.mark.parametrize(
    ("ods", "words"),
    [
        ({"nowhere": ["2026"]}, "'nowhere' is not one of its tenants"),
        ({"t": ["26"]}, "'26' is not an end year"),
        ({"t": "2026"}, "must be a list of end years"),
        (["t"], "must map tenants to lists of end years"),
    ],
)
def test_a_bad_ods_table_is_a_config_error(ods: Any, words: str) -> None:
    data = {
        "partners": {"p": {"tenants": ["t"], "school_years": {"2026": "ods"}, "ods": ods}},
        "clients": [{"client_id": "x", "client_secret": "y"}],
    }
    with pytest.raises(ConfigError, match=words):
        config_from_data(data)
