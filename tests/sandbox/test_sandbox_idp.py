"""The sandbox's identity provider: discovery, JWKS, the token endpoint and its claims."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from sandbox_http import (
    ALL_SCOPES,
    CLIENT_SECRETS,
    SandboxHttp,
    api_fixture,  # noqa: F401
    foreign_key,
    shared_client,
    sign,
)

from runway_desktop.sandbox.config import default_config
from runway_desktop.sandbox.idp import SigningKey
from runway_desktop.sandbox.server import Sandbox

DEFAULT_SCOPES = f"{ALL_SCOPES} partner:acme partner:ea"


def token_post(api: SandboxHttp, **kwargs: Any) -> httpx.Response:
    return api.http.post(str(api.profile["token_url"]), **kwargs)


def claims_of(api: SandboxHttp, token: str) -> dict[str, Any]:
    header = jwt.get_unverified_header(token)
    assert header["kid"] == api.sandbox.server.key.kid
    assert header["alg"] == "RS256"
    jwks = api.http.get(f"{api.profile['issuer']}/jwks").json()
    key = jwt.PyJWK(jwks["keys"][0]).key
    decoded: dict[str, Any] = jwt.decode(
        token, key, algorithms=["RS256"], audience=api.profile["audience"]
    )
    return decoded


def test_discovery_document_and_jwks(api: SandboxHttp) -> None:
    issuer = api.profile["issuer"]
    doc = api.http.get(f"{issuer}/.well-known/openid-configuration").json()
    assert doc["issuer"] == issuer
    assert doc["token_endpoint"] == api.profile["token_url"] == f"{issuer}/token"
    assert doc["jwks_uri"] == f"{issuer}/jwks"
    assert "client_credentials" in doc["grant_types_supported"]
    jwks = api.http.get(doc["jwks_uri"]).json()
    assert list(jwks) == ["keys"] and len(jwks["keys"]) == 1
    key = jwks["keys"][0]
    assert key["kty"] == "RSA" and key["use"] == "sig" and key["alg"] == "RS256"
    assert key["kid"] == api.sandbox.server.key.kid
    assert {"n", "e"} <= set(key) and "d" not in key  # public half only


def test_form_body_keycloak_style(api: SandboxHttp) -> None:
    response = token_post(
        api,
        data={
            "grant_type": "client_credentials",
            "client_id": "keycloak-style",
            "client_secret": CLIENT_SECRETS["keycloak-style"],
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert body["scope"] == f"{ALL_SCOPES} partner:acme"
    claims = claims_of(api, body["access_token"])
    assert claims["azp"] == "keycloak-style"
    assert "client_id" not in claims and "client_name" not in claims
    assert claims["scope"] == body["scope"]


def test_json_body_with_audience_and_basic_auth_auth0_style(api: SandboxHttp) -> None:
    basic = base64.b64encode(
        f"runway-desktop-sandbox:{CLIENT_SECRETS['runway-desktop-sandbox']}".encode()
    ).decode()
    response = token_post(
        api,
        json={"grant_type": "client_credentials", "audience": api.profile["audience"]},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200, response.text
    claims = claims_of(api, response.json()["access_token"])
    now = time.time()
    assert claims["aud"] == api.profile["audience"]
    assert claims["iss"] == api.profile["issuer"]
    assert abs(claims["iat"] - now) < 5
    assert claims["exp"] == claims["iat"] + 300
    assert claims["scope"] == DEFAULT_SCOPES
    assert claims["client_id"] == "runway-desktop-sandbox"
    assert claims["client_name"] == "Runway Desktop (sandbox)"
    assert "azp" not in claims
    assert api.verify(response.json()["access_token"]).status_code == 201


def test_form_body_with_basic_auth(api: SandboxHttp) -> None:
    response = token_post(
        api,
        data={"grant_type": "client_credentials"},
        auth=("read-only", CLIENT_SECRETS["read-only"]),
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "read:jobs read:jobs:output-files partner:acme"


@pytest.mark.parametrize(
    "fields",
    [
        {"client_id": "runway-desktop-sandbox", "client_secret": "wrong"},
        {"client_id": "nobody", "client_secret": "x"},
        {"client_id": "runway-desktop-sandbox"},
    ],
)
def test_wrong_credentials_are_invalid_client(api: SandboxHttp, fields: dict[str, str]) -> None:
    response = token_post(api, data={"grant_type": "client_credentials", **fields})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_wrong_basic_secret_is_invalid_client(api: SandboxHttp) -> None:
    response = token_post(
        api, data={"grant_type": "client_credentials"}, auth=("read-only", "nope")
    )
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")


def test_wrong_audience_is_refused(api: SandboxHttp) -> None:
    response = token_post(
        api,
        json={
            "grant_type": "client_credentials",
            "client_id": "runway-desktop-sandbox",
            "client_secret": CLIENT_SECRETS["runway-desktop-sandbox"],
            "audience": api.profile["audience"] + "/",
        },
    )
    assert response.status_code in (400, 401, 403)
    assert "access_token" not in response.json()


def test_wrong_grant_type(api: SandboxHttp) -> None:
    response = token_post(api, data={"grant_type": "password", "client_id": "x"})
    assert (response.status_code, response.json()["error"]) == (400, "unsupported_grant_type")


@pytest.mark.parametrize(
    ("requested", "granted"),
    [
        ("read:jobs", "read:jobs"),
        ("partner:ea read:jobs", "read:jobs partner:ea"),
        ("create:jobs partner:acme", "create:jobs partner:acme"),
    ],
)
def test_scope_narrows(api: SandboxHttp, requested: str, granted: str) -> None:
    token = api.fetch_token(scope=requested)
    claims = claims_of(api, token)
    assert set(claims["scope"].split(" ")) == set(granted.split(" "))
    assert set(claims["scope"].split(" ")) <= set(requested.split()) & set(DEFAULT_SCOPES.split())


@pytest.mark.parametrize("requested", ["read:jobs partner:globex", "admin", "partner:acme x"])
def test_unknown_requested_scope_is_invalid_scope(api: SandboxHttp, requested: str) -> None:
    response = token_post(
        api,
        data={
            "grant_type": "client_credentials",
            "client_id": "keycloak-style",
            "client_secret": CLIENT_SECRETS["keycloak-style"],
            "scope": requested,
        },
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_scope")


def test_anonymous_client_has_neither_client_id_nor_azp(api: SandboxHttp) -> None:
    claims = claims_of(api, api.fetch_token("anonymous-client"))
    assert "client_id" not in claims and "azp" not in claims


def test_token_down_fault(api: SandboxHttp) -> None:
    api.sandbox.faults.set("token_down", {"count": 1})
    response = token_post(
        api,
        data={
            "grant_type": "client_credentials",
            "client_id": "read-only",
            "client_secret": CLIENT_SECRETS["read-only"],
        },
    )
    assert response.status_code == 503
    assert response.json()["error"] == "temporarily_unavailable"
    api.fetch_token("read-only")  # count=1: the next one works
    api.sandbox.faults.set("token_down", {"status": 500})
    assert token_post(api, data={"grant_type": "client_credentials"}).status_code == 500
    assert api.verify(api.own_token()).status_code == 201  # the API itself is unaffected


def test_signing_key_from_pem_file(tmp_path: Path) -> None:
    pem_path = tmp_path / "key.pem"
    key = SigningKey.generate()
    pem_path.write_bytes(key.pem())
    config = default_config(signing_key_file=str(pem_path), executor_delay_seconds=0.2)
    with Sandbox(config) as running:
        client = SandboxHttp(running)
        assert running.server.key.kid == key.kid
        jwks = client.http.get(f"{client.profile['issuer']}/jwks").json()
        assert jwks["keys"][0]["kid"] == key.kid
        now = int(time.time())
        claims = {
            "aud": client.profile["audience"],
            "exp": now + 60,
            "scope": "create:jobs partner:acme",
        }
        # Minted here, from the PEM file alone, with PyJWT: the API accepts it.
        token = jwt.encode(claims, pem_path.read_bytes(), algorithm="RS256")
        response = client.verify(token)
        assert (response.status_code, response.text) == (201, "Token is valid for partner: acme")
        other = sign(claims, foreign_key(), kid=None)
        assert client.verify(other).status_code == 401
    assert shared_client() is client.http
