"""The sandbox's identity provider: OIDC discovery, JWKS and a client-credentials token endpoint.

It accepts both request styles clients use in the wild: Keycloak's form-encoded body (client
credentials in the body or HTTP Basic) and Auth0's JSON body with an ``audience``. Tokens are
RS256 JWTs signed with a key that can come from a PEM file, so a test can mint its own.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import uuid
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from runway_desktop.sandbox.config import ApiClient, SandboxConfig
from runway_desktop.sandbox.faults import FaultSwitches

IDP_PREFIX = "/idp"


@dataclass(frozen=True)
class SigningKey:
    private_key: rsa.RSAPrivateKey
    kid: str

    @classmethod
    def generate(cls) -> SigningKey:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls(private_key=key, kid=_thumbprint(key))

    @classmethod
    def from_pem_file(cls, path: Path) -> SigningKey:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise ValueError(f"{path} is not an RSA private key")
        return cls(private_key=loaded, kid=_thumbprint(loaded))

    def pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(
            jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key())
        )
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return jwk


def _thumbprint(key: rsa.RSAPrivateKey) -> str:
    """RFC 7638 thumbprint: a stable kid, so the same PEM always yields the same kid."""
    numbers = key.public_key().public_numbers()

    def b64(n: int) -> str:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    canonical = json.dumps(
        {"e": b64(numbers.e), "kty": "RSA", "n": b64(numbers.n)}, separators=(",", ":")
    )
    return base64.urlsafe_b64encode(sha256(canonical.encode()).digest()).rstrip(b"=").decode()


class IdentityProvider:
    def __init__(
        self,
        config: SandboxConfig,
        key: SigningKey,
        faults: FaultSwitches,
        *,
        clock: Any = time.time,
    ) -> None:
        self.config = config
        self.key = key
        self.faults = faults
        self.clock = clock
        self.issuer = ""  # set once the server knows its URL
        self.audience = ""

    def configure_urls(self, issuer: str, audience: str) -> None:
        self.issuer = issuer
        self.audience = audience

    # -- minting -------------------------------------------------------------------------
    def mint(self, client: ApiClient, scopes: str, **extra_claims: Any) -> str:
        now = int(self.clock())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": f"service-account-{client.client_id}",
            "aud": self.audience,
            "iat": now,
            "exp": now + self.config.token_lifetime_seconds,
            "jti": str(uuid.uuid4()),
            "scope": scopes,
        }
        if client.id_claim == "client_id":
            claims["client_id"] = client.client_id
        elif client.id_claim == "azp":
            claims["azp"] = client.client_id
        if client.client_name:
            claims["client_name"] = client.client_name
        claims.update(extra_claims)
        # The key object, not its PEM: re-loading a PEM re-checks the RSA key (tens of ms).
        return jwt.encode(
            claims, self.key.private_key, algorithm="RS256", headers={"kid": self.key.kid}
        )

    # -- HTTP ------------------------------------------------------------------------------
    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(f"{IDP_PREFIX}/.well-known/openid-configuration", self.handle_discovery),
            web.get(f"{IDP_PREFIX}/jwks", self.handle_jwks),
            web.post(f"{IDP_PREFIX}/token", self.handle_token),
        ]

    async def handle_discovery(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": self.issuer,
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "grant_types_supported": ["client_credentials"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "client_secret_basic",
                ],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["token"],
                "subject_types_supported": ["public"],
            }
        )

    async def handle_jwks(self, request: web.Request) -> web.Response:
        return web.json_response({"keys": [self.key.public_jwk()]})

    async def handle_token(self, request: web.Request) -> web.Response:
        down = self.faults.take("token_down")
        if down is not None:
            status = int(down.get("status", 503))
            return web.json_response(
                {"error": "temporarily_unavailable", "error_description": "Sandbox fault"},
                status=status,
            )
        fields = await _read_token_request(request)
        if fields is None:
            return _oauth_error(400, "invalid_request", "Body must be form-encoded or JSON")
        if fields.get("grant_type") != "client_credentials":
            return _oauth_error(
                400, "unsupported_grant_type", "Only client_credentials is supported"
            )
        client = self.config.client(fields.get("client_id", ""))
        if client is None or fields.get("client_secret") != client.client_secret:
            return _oauth_error(
                401, "invalid_client", "Invalid client or Invalid client credentials"
            )
        audience = fields.get("audience")
        if audience is not None and audience != self.audience:
            return _oauth_error(
                403, "access_denied", f"Service not enabled within domain: {audience}"
            )
        allowed = client.scopes.split()
        requested = fields.get("scope")
        if requested:
            wanted = requested.split()
            invalid = [s for s in wanted if s not in allowed]
            if invalid:
                return _oauth_error(400, "invalid_scope", f"Invalid scopes: {' '.join(invalid)}")
            granted = [s for s in allowed if s in wanted]
        else:
            granted = allowed
        scope_text = " ".join(granted)
        token = self.mint(client, scope_text)
        return web.json_response(
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.config.token_lifetime_seconds,
                "scope": scope_text,
            },
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )


async def _read_token_request(request: web.Request) -> dict[str, str] | None:
    fields: dict[str, str] = {}
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        if not isinstance(body, dict):
            return None
        fields = {str(k): str(v) for k, v in body.items() if v is not None}
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        fields = {str(k): str(v) for k, v in form.items()}
    else:
        return None
    # client_secret_basic: credentials in the Authorization header instead of the body.
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Basic "):
        try:
            decoded = base64.b64decode(auth[6:]).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, _, secret = decoded.partition(":")
        fields.setdefault("client_id", unquote_plus(client_id))
        fields.setdefault("client_secret", unquote_plus(secret))
    return fields


def _oauth_error(status: int, error: str, description: str) -> web.Response:
    return web.json_response({"error": error, "error_description": description}, status=status)
