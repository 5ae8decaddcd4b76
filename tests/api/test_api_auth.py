"""Token claims, verify-body parsing and secrets staying out of reprs (no server needed)."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from runway_desktop.api.auth import TokenProvider, TokenSettings, decode_claims
from runway_desktop.api.client import api_root, parse_verify_body


def fake_jwt(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        raw = json.dumps(data).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'kid': 'k'})}.{part(claims)}.c2lnbmF0dXJl"


def test_claims_give_scopes_and_partner_codes() -> None:
    token = fake_jwt(
        {
            "scope": "create:jobs read:jobs partner:acme partner:ea:extra partner: partner:acme",
            "azp": "keycloak-style",
            "exp": 1_900_000_000,
        }
    )
    claims = decode_claims(token)
    assert claims.scopes == (
        "create:jobs",
        "read:jobs",
        "partner:acme",
        "partner:ea:extra",
        "partner:",
        "partner:acme",
    )
    # The code is the text between the first and second ':'; empty codes and repeats dropped.
    assert claims.partner_codes == ("acme", "ea")
    assert claims.client_id == "keycloak-style"
    assert claims.expires_at == 1_900_000_000.0


def test_scope_must_be_a_string_like_runway_requires() -> None:
    claims = decode_claims(fake_jwt({"scope": ["create:jobs", "partner:acme"]}))
    assert claims.scope == ""
    assert claims.partner_codes == ()


@pytest.mark.parametrize("token", ["opaque-token", "a.b", "a.!!!.c", f"a.{'x' * 5}.c", ""])
def test_undecodable_tokens_give_empty_claims(token: str) -> None:
    assert decode_claims(token).raw == {}


def test_secret_and_token_never_appear_in_reprs() -> None:
    settings = TokenSettings(
        token_url="https://idp.example.org/token",
        client_id="district-42",
        client_secret="s3cr3t-value",
        scopes=("create:jobs",),
    )
    assert "s3cr3t-value" not in repr(settings)
    provider = TokenProvider(httpx.AsyncClient(), settings)
    assert "s3cr3t-value" not in repr(provider)
    assert "district-42" in repr(provider)


@pytest.mark.parametrize(
    ("body", "codes"),
    [
        (
            'Token is valid for no partners. No scope of the form "partner:partner-code" '
            "was found on the token.",
            [],
        ),
        ("Token is valid for partner: acme", ["acme"]),
        ("Token is valid for partners: acme, ea", ["acme", "ea"]),
        ("Token is valid for partners: a, b, c-d\n", ["a", "b", "c-d"]),
    ],
)
def test_verify_body_sentences(body: str, codes: list[str]) -> None:
    assert parse_verify_body(body) == codes


def test_verify_body_rejects_other_text() -> None:
    with pytest.raises(ValueError):
        parse_verify_body("<html>Welcome</html>")


@pytest.mark.parametrize(
    ("base", "root"),
    [
        ("https://runway.example.org", "https://runway.example.org/api/v1"),
        ("https://runway.example.org/", "https://runway.example.org/api/v1"),
        ("https://runway.example.org/api", "https://runway.example.org/api/v1"),
        ("https://runway.example.org/api/v1/", "https://runway.example.org/api/v1"),
        ("http://127.0.0.1:8000/api/v1", "http://127.0.0.1:8000/api/v1"),
    ],
)
def test_api_root(base: str, root: str) -> None:
    assert api_root(base) == root
