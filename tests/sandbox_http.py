"""Small synchronous HTTP helpers for the sandbox tests (independent of ``runway_desktop.api``)."""

from __future__ import annotations

import functools
import json
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from runway_desktop.sandbox.server import Sandbox

DEFAULT_CLIENT = ("runway-desktop-sandbox", "sandbox-secret-not-for-production")
CLIENT_SECRETS = {
    "runway-desktop-sandbox": "sandbox-secret-not-for-production",
    "keycloak-style": "keycloak-style-secret",
    "read-only": "read-only-secret",
    "no-partner": "no-partner-secret",
    "anonymous-client": "anonymous-client-secret",
}
ALL_SCOPES = "create:jobs read:jobs read:jobs:output-files"
SAMPLES = Path(__file__).resolve().parent.parent / "resources" / "samples"
CSV = b"StudentID,Score\n605000,10\n605001,20\n605002,30\n"
RANDOM_UUID = "3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d"


def nest(status: int, message: str, error: str) -> str:
    """Nest's default error body, byte for byte (key order matters)."""
    return json.dumps(
        {"message": message, "error": error, "statusCode": status}, separators=(",", ":")
    )


def psat_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "partner": "acme",
        "tenant": "district-a",
        "bundle": "assessments/PSAT_SAT",
        "schoolYear": "2026",
        "files": {"INPUT_FILE": "scores.csv"},
        "params": {"TEST_TYPE": "SAT"},
    }
    body.update(overrides)
    return body


def map_body(**overrides: Any) -> dict[str, Any]:
    body = psat_body(bundle="assessments/MAP_Growth", params=None)
    del body["params"]
    body.update(overrides)
    return body


@functools.cache
def foreign_key() -> rsa.RSAPrivateKey:
    """An RSA key the sandbox has never seen (cached: generating one takes a while)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def sign(
    claims: Mapping[str, Any],
    key: rsa.RSAPrivateKey | bytes | str,
    *,
    kid: str | None,
    algorithm: str = "RS256",
) -> str:
    headers = {"kid": kid} if kid is not None else None
    return jwt.encode(dict(claims), key, algorithm=algorithm, headers=headers)


@functools.cache
def shared_client() -> httpx.Client:
    """One plain-HTTP client for the whole run: building one (its TLS context) costs ~25 ms."""
    return httpx.Client(timeout=10.0)


class SandboxHttp:
    """One httpx client against a running sandbox, plus shortcuts for the five endpoints."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.profile: dict[str, Any] = sandbox.profile
        self.base = str(self.profile["api_base_url"])
        self.origin = self.base.removesuffix("/api/v1")
        self.http = shared_client()
        self._token: str | None = None

    def close(self) -> None:
        self._token = None  # the shared httpx client stays open for the next test

    # -- tokens ---------------------------------------------------------------------------
    def fetch_token(
        self, client_id: str = DEFAULT_CLIENT[0], scope: str | None = None, **extra: str
    ) -> str:
        data = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": CLIENT_SECRETS[client_id],
            **extra,
        }
        if scope is not None:
            data["scope"] = scope
        response = self.http.post(str(self.profile["token_url"]), data=data)
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        assert isinstance(token, str)
        return token

    @property
    def token(self) -> str:
        if self._token is None:
            self._token = self.fetch_token()
        return self._token

    def base_claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.profile["issuer"],
            "aud": self.profile["audience"],
            "iat": now,
            "exp": now + 300,
            "scope": f"{ALL_SCOPES} partner:acme",
            "client_id": "hand-made",
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def own_token(self, **overrides: Any) -> str:
        """A token signed with the sandbox's own key; ``None`` values drop a claim."""
        key = self.sandbox.server.key
        return sign(self.base_claims(**overrides), key.private_key, kid=key.kid)

    # -- raw calls ------------------------------------------------------------------------
    def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = "",
        auth: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if auth is not None:
            headers["Authorization"] = auth
        elif token is not None:
            headers["Authorization"] = f"Bearer {token or self.token}"
        return self.http.request(method, self.base + path, headers=headers, **kwargs)

    def verify(self, token: str | None = "") -> httpx.Response:
        return self.call("POST", "/token/verify", token=token)

    def create(self, body: Any, token: str | None = "") -> httpx.Response:
        return self.call("POST", "/jobs", token=token, json=body)

    def start(self, uid: str, token: str | None = "") -> httpx.Response:
        return self.call("POST", f"/jobs/{uid}/start", token=token)

    def list_sets(self, token: str | None = "", **params: str) -> httpx.Response:
        params.setdefault("partner", "acme")
        return self.call("GET", "/output-sets", token=token, params=params)

    def links(self, uid: str, token: str | None = "") -> httpx.Response:
        return self.call("POST", f"/output-sets/{uid}/download-links", token=token)

    def control(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, f"{self.origin}/_sandbox{path}", **kwargs)

    # -- composite steps ------------------------------------------------------------------
    def create_ok(self, body: Mapping[str, Any]) -> dict[str, Any]:
        response = self.create(dict(body))
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def upload(self, url: str, data: bytes) -> httpx.Response:
        return self.http.put(url, content=data)

    def create_and_upload(
        self, body: Mapping[str, Any], contents: Mapping[str, bytes] | None = None
    ) -> str:
        created = self.create_ok(body)
        for env_var, url in created["uploadUrls"].items():
            data = (contents or {}).get(env_var, CSV)
            assert self.upload(url, data).status_code == 200
        uid = created["uid"]
        assert isinstance(uid, str)
        return uid

    def run_job(self, body: Mapping[str, Any], contents: Mapping[str, bytes] | None = None) -> str:
        uid = self.create_and_upload(body, contents)
        response = self.start(uid)
        assert response.status_code == 202, response.text
        return uid

    def runs(self, job_uid: str) -> list[tuple[str, str | None]]:
        server = self.sandbox.server

        def read() -> list[tuple[str, str | None]]:
            job = server.state.find_job(job_uid)
            assert job is not None
            return [(run.status, run.error_code) for run in job.runs]

        return self.sandbox.call(read)

    def wait_until(self, check: Callable[[], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError("condition not reached in time")
            time.sleep(0.02)

    def wait_finished(self, job_uid: str, runs: int = 1) -> list[tuple[str, str | None]]:
        def done() -> bool:
            found = self.runs(job_uid)
            return len(found) >= runs and found[-1][0] in ("success", "error")

        self.wait_until(done)
        return self.runs(job_uid)

    def sets_for(self, job_uid: str, **params: str) -> list[dict[str, Any]]:
        response = self.list_sets(**params)
        assert response.status_code == 200, response.text
        return [s for s in response.json() if s["jobUid"] == job_uid]

    def download(self, set_uid: str) -> dict[str, bytes]:
        response = self.links(set_uid)
        assert response.status_code == 200, response.text
        out = {}
        for name, url in response.json()["downloadLinks"].items():
            got = self.http.get(url)
            assert got.status_code == 200, got.text
            out[name] = got.content
        return out


def new_uuid() -> str:
    return str(uuid.uuid4())


@pytest.fixture(name="api")
def api_fixture(sandbox: Sandbox) -> Iterator[SandboxHttp]:
    """HTTP helpers bound to the shared, freshly reset sandbox."""
    client = SandboxHttp(sandbox)
    yield client
    client.close()
