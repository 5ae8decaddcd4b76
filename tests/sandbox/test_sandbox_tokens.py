"""The External API's token guard (CONTRACT §3.2/§3.3) on every endpoint, over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest
from sandbox_http import RANDOM_UUID, SandboxHttp, api_fixture, foreign_key, nest, sign  # noqa: F401

from runway_desktop.sandbox.config import default_config
from runway_desktop.sandbox.server import Sandbox

ENDPOINTS: dict[str, tuple[str, str]] = {
    "verify": ("POST", "/token/verify"),
    "create": ("POST", "/jobs"),
    "start": ("POST", f"/jobs/{RANDOM_UUID}/start"),
    "list": ("GET", "/output-sets?partner=acme"),
    "links": ("POST", f"/output-sets/{RANDOM_UUID}/download-links"),
}
NO_TOKEN = nest(401, "No token", "Unauthorized")
INVALID = nest(401, "Invalid token", "Unauthorized")
NO_SCOPE = nest(403, "Token missing scope claim", "Forbidden")
INSUFFICIENT = nest(403, "Insufficient scopes", "Forbidden")
DISABLED = nest(503, "External API is disabled.", "Service Unavailable")


def hit(api: SandboxHttp, endpoint: str, auth: str | None) -> httpx.Response:
    method, path = ENDPOINTS[endpoint]
    return api.call(method, path, auth=auth, token=None, json={} if method == "POST" else None)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("auth", [None, "bearer x", "Bearer", "BEARER x", "Basic abc", "x"])
def test_missing_or_malformed_header_is_no_token(
    api: SandboxHttp, endpoint: str, auth: str | None
) -> None:
    response = hit(api, endpoint, auth)
    assert response.status_code == 401
    assert response.text == NO_TOKEN
    assert response.headers["cache-control"] == "no-cache"


def _bad_tokens(api: SandboxHttp) -> dict[str, str]:
    own = api.sandbox.server.key
    foreign = foreign_key()
    now = int(time.time())
    return {
        "foreign key, same kid": sign(api.base_claims(), foreign, kid=own.kid),
        "foreign key, other kid": sign(api.base_claims(), foreign, kid="other-kid"),
        "hs256": sign(api.base_claims(), b"x" * 32, kid=own.kid, algorithm="HS256"),
        "alg none": sign(api.base_claims(), "", kid=own.kid, algorithm="none"),
        "wrong aud": api.own_token(aud="https://elsewhere.example"),
        "aud with slash": api.own_token(aud=api.profile["audience"] + "/"),
        "missing aud": api.own_token(aud=None),
        "aud array without it": api.own_token(aud=["a", "b"]),
        "expired": api.own_token(exp=now - 5),
        "future nbf": api.own_token(nbf=now + 120),
        "malformed": "not.a.jwt",
        "garbage": "abc",
        "tampered": api.own_token()[:-4] + "AAAA",
    }


BAD_TOKEN_NAMES = [
    "foreign key, same kid",
    "foreign key, other kid",
    "hs256",
    "alg none",
    "wrong aud",
    "aud with slash",
    "missing aud",
    "aud array without it",
    "expired",
    "future nbf",
    "malformed",
    "garbage",
    "tampered",
]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_bad_tokens_are_invalid_token(api: SandboxHttp, endpoint: str) -> None:
    tokens = _bad_tokens(api)
    assert sorted(tokens) == sorted(BAD_TOKEN_NAMES)
    for name, token in tokens.items():
        response = hit(api, endpoint, f"Bearer {token}")
        assert (response.status_code, response.text) == (401, INVALID), name


@pytest.mark.parametrize(
    "make",
    [
        lambda a: a.own_token(aud=["someone-else", a.profile["audience"]]),
        lambda a: a.own_token(exp=None),
        lambda a: a.own_token(iss="https://not-the-issuer.example"),  # iss is not checked
        lambda a: a.own_token(iat=int(time.time()) + 3600),  # iat is not limited
        lambda a: sign(a.base_claims(), a.sandbox.server.key.private_key, kid=None),  # one key fits
        lambda a: sign(
            a.base_claims(), a.sandbox.server.key.private_key, kid=a.sandbox.server.key.kid
        ),
    ],
    ids=["aud array", "no exp", "other iss", "future iat", "no kid", "hand-signed"],
)
def test_acceptable_tokens(api: SandboxHttp, make: Callable[[SandboxHttp], str]) -> None:
    response = api.verify(make(api))
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("scope", [None, ["create:jobs", "read:jobs"], 5], ids=str)
def test_scope_claim_must_be_a_string(api: SandboxHttp, endpoint: str, scope: object) -> None:
    claims = api.base_claims(scope=scope)  # None drops the claim
    key = api.sandbox.server.key
    response = hit(api, endpoint, f"Bearer {sign(claims, key.private_key, kid=key.kid)}")
    assert (response.status_code, response.text) == (403, NO_SCOPE)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_scp_claim_is_ignored(api: SandboxHttp, endpoint: str) -> None:
    response = hit(api, endpoint, f"Bearer {api.own_token(scope=None, scp=['create:jobs'])}")
    assert (response.status_code, response.text) == (403, NO_SCOPE)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_partner_scope_alone_is_insufficient(api: SandboxHttp, endpoint: str) -> None:
    response = hit(api, endpoint, f"Bearer {api.own_token(scope='partner:acme')}")
    assert (response.status_code, response.text) == (403, INSUFFICIENT)


@pytest.mark.parametrize(
    ("endpoint", "scope", "allowed"),
    [
        ("links", "read:jobs:output-files partner:acme", True),
        ("links", "read:jobs create:jobs partner:acme", False),
        ("list", "read:jobs partner:acme", True),
        ("list", "read:jobs:output-files create:jobs partner:acme", False),
        ("verify", "create:jobs", True),
        ("verify", "CREATE:JOBS read:jobs", False),
        ("verify", "create:jobs  read:jobs", True),  # split on single spaces; "" is ignored
        ("start", "create:jobs partner:acme", True),
        ("create", "read:jobs read:jobs:output-files partner:acme", False),
    ],
)
def test_resource_scope_per_endpoint(
    api: SandboxHttp, endpoint: str, scope: str, allowed: bool
) -> None:
    response = hit(api, endpoint, f"Bearer {api.own_token(scope=scope)}")
    if allowed:
        assert response.status_code not in (401, 403), response.text
    else:
        assert (response.status_code, response.text) == (403, INSUFFICIENT)


def test_read_only_client_cannot_verify(api: SandboxHttp) -> None:
    token = api.fetch_token("read-only")
    assert api.verify(token).text == INSUFFICIENT
    assert api.list_sets(token).status_code == 200


def test_partner_code_is_text_between_first_and_second_colon(api: SandboxHttp) -> None:
    token = api.own_token(scope=f"create:jobs read:jobs partner:acme:x partner:{'ea'}")
    response = api.verify(token)
    assert response.text == "Token is valid for partners: acme, ea"
    assert api.list_sets(token, partner="acme").status_code == 200
    assert api.list_sets(token, partner="acme:x").status_code == 404


def test_api_disabled_fault_answers_503_after_the_header_check(api: SandboxHttp) -> None:
    api.sandbox.faults.set("api_disabled", True)
    for endpoint in ENDPOINTS:
        assert hit(api, endpoint, None).text == NO_TOKEN
        response = hit(api, endpoint, f"Bearer {api.token}")
        assert (response.status_code, response.text) == (503, DISABLED), endpoint
        # Disabled is checked before the token itself is verified.
        assert hit(api, endpoint, "Bearer garbage").text == DISABLED
    api.sandbox.faults.set("api_disabled", None)
    assert api.verify().status_code == 201


def test_api_disabled_by_config() -> None:
    config = default_config(api_enabled=False, executor_delay_seconds=0.2)
    with Sandbox(config) as running:
        client = SandboxHttp(running)
        try:
            token = client.fetch_token()  # the identity provider still works
            for endpoint in ENDPOINTS:
                assert hit(client, endpoint, None).text == NO_TOKEN
                response = hit(client, endpoint, f"Bearer {token}")
                assert (response.status_code, response.text) == (503, DISABLED)
        finally:
            client.close()
