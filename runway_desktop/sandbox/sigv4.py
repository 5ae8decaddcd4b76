"""S3 SigV4 presigned URLs (query-string authentication): signing and verification, stdlib only.

The signer (:func:`presign_url`) and the verifier share the canonical request below, so the
cross-check against the AWS SDK in the tests (a dev-only dependency) covers both. The server
recomputes what the signer computed (AWS "Authenticating Requests: Using Query
Parameters"): canonical request → string to sign → HMAC chain from the secret key, and compares
signatures in constant time. S3-specific rules that differ from other AWS services:

* the canonical URI is the object path URI-encoded once (S3 does not double-encode), so the
  server decodes the path it received and encodes it again, which accepts any equivalent
  spelling of the same key;
* the payload hash is ``UNSIGNED-PAYLOAD`` unless ``x-amz-content-sha256`` is a signed header.

Checks run in the order LocalStack's AWS-validated handler uses: query parameters, access key,
signature, then expiry, so a tampered expired URL reports the tampering.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote, unquote_plus, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_EXPIRES_SECONDS = 604800  # seven days, S3's ceiling for presigned URLs
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
REQUIRED_PARAMS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Expires",
)
_AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_AMZ_DATE_RE = re.compile(r"^\d{8}T\d{6}Z$")
_SPACES_RE = re.compile(r" +")

QueryPairs = Sequence[tuple[str, str]]


@dataclass
class S3Error(Exception):
    """A refusal in S3's terms: HTTP status, error code, message and extra XML elements."""

    status: int
    code: str
    message: str
    extras: dict[str, str] = field(default_factory=dict)


def _query_error(message: str, **extras: str) -> S3Error:
    return S3Error(400, "AuthorizationQueryParametersError", message, dict(extras))


def iso8601(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_query(raw_query: str) -> list[tuple[str, str]]:
    """Decoded (name, value) pairs in arrival order; ``+`` means space, as S3 reads it."""
    pairs = []
    for piece in raw_query.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            pairs.append((unquote_plus(name), unquote_plus(value)))
    return pairs


def uri_encode(text: str, *, keep_slash: bool) -> str:
    """SigV4's URI encoding: every byte except A-Z a-z 0-9 - _ . ~ becomes %XX (upper case)."""
    return quote(text, safe="/~" if keep_slash else "~")


def canonical_query_string(pairs: QueryPairs) -> str:
    encoded = sorted(
        (uri_encode(name, keep_slash=False), uri_encode(value, keep_slash=False))
        for name, value in pairs
        if name != "X-Amz-Signature"
    )
    return "&".join(f"{name}={value}" for name, value in encoded)


def canonical_headers(headers: Mapping[str, str], signed_headers: Sequence[str]) -> str | None:
    """The canonical header block, or None when a signed header is missing from the request."""
    lines = []
    for name in signed_headers:
        value = headers.get(name)
        if value is None:
            return None
        lines.append(f"{name}:{_SPACES_RE.sub(' ', value.strip())}\n")
    return "".join(lines)


def canonical_request(
    method: str,
    decoded_path: str,
    pairs: QueryPairs,
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
) -> str | None:
    header_block = canonical_headers(headers, signed_headers)
    if header_block is None:
        return None
    if "x-amz-content-sha256" in signed_headers:
        payload_hash = headers.get("x-amz-content-sha256", UNSIGNED_PAYLOAD)
    else:
        payload_hash = UNSIGNED_PAYLOAD
    return "\n".join(
        [
            method,
            uri_encode(decoded_path, keep_slash=True),
            canonical_query_string(pairs),
            header_block,
            ";".join(signed_headers),
            payload_hash,
        ]
    )


def signing_key(secret_key: str, date_stamp: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret_key).encode("utf-8")
    for part in (date_stamp, region, service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


def string_to_sign(amz_date: str, scope: str, canonical: str) -> str:
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{digest}"


@dataclass(frozen=True)
class PresignedAuth:
    """The authentication parameters of a presigned URL, checked for form but not signature."""

    access_key: str
    date_stamp: str
    region: str
    service: str
    amz_date: str
    signed_at: datetime
    expires_in: int
    signed_headers: tuple[str, ...]
    signature: str

    @property
    def scope(self) -> str:
        return f"{self.date_stamp}/{self.region}/{self.service}/aws4_request"

    @property
    def expires_at(self) -> float:
        return self.signed_at.timestamp() + self.expires_in


def has_presigned_auth(pairs: QueryPairs) -> bool:
    names = {name for name, _ in pairs}
    return any(name in names for name in REQUIRED_PARAMS)


def parse_presigned_auth(pairs: QueryPairs, expected_region: str) -> PresignedAuth:
    """Check the X-Amz-* parameters the way S3 does before it looks at the signature."""
    params: dict[str, str] = {}
    for name, value in pairs:
        params.setdefault(name, value)
    if not all(name in params for name in REQUIRED_PARAMS):
        raise _query_error(
            "Query-string authentication version 4 requires the X-Amz-Algorithm, "
            "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, "
            "and X-Amz-Expires parameters."
        )
    if params["X-Amz-Algorithm"] != ALGORITHM:
        raise _query_error(f'X-Amz-Algorithm only supports "{ALGORITHM}"')
    credential = params["X-Amz-Credential"].split("/")
    if len(credential) != 5 or not all(credential):
        raise _query_error(
            "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; "
            'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'
        )
    access_key, date_stamp, region, service, terminal = credential
    if region != expected_region:
        raise _query_error(
            "Error parsing the X-Amz-Credential parameter; the region "
            f"'{region}' is wrong; expecting '{expected_region}'",
            Region=expected_region,
        )
    if service != "s3":
        raise _query_error(
            f'Error parsing the X-Amz-Credential parameter; incorrect service "{service}". '
            'This endpoint belongs to "s3".'
        )
    if terminal != "aws4_request":
        raise _query_error(
            f'Error parsing the X-Amz-Credential parameter; incorrect terminal "{terminal}". '
            'This endpoint uses "aws4_request".'
        )
    amz_date = params["X-Amz-Date"]
    try:
        if not _AMZ_DATE_RE.match(amz_date):
            raise ValueError(amz_date)
        signed_at = datetime.strptime(amz_date, _AMZ_DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise _query_error(
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""
        ) from None
    if date_stamp != amz_date[:8]:
        raise _query_error("Invalid credential date. Date is not the same as X-Amz-Date.")
    try:
        expires_in = int(params["X-Amz-Expires"])
    except ValueError:
        raise _query_error("X-Amz-Expires should be a number") from None
    if expires_in < 0:
        raise _query_error("X-Amz-Expires must be non-negative")
    if expires_in > MAX_EXPIRES_SECONDS:
        raise _query_error(
            "X-Amz-Expires must be less than a week (in seconds); that is, the given "
            f"X-Amz-Expires must be less than {MAX_EXPIRES_SECONDS} seconds"
        )
    signed_headers = tuple(params["X-Amz-SignedHeaders"].split(";"))
    return PresignedAuth(
        access_key=access_key,
        date_stamp=date_stamp,
        region=region,
        service=service,
        amz_date=amz_date,
        signed_at=signed_at,
        expires_in=expires_in,
        signed_headers=signed_headers,
        signature=params["X-Amz-Signature"],
    )


def verify_presigned(
    *,
    method: str,
    decoded_path: str,
    pairs: QueryPairs,
    headers: Mapping[str, str],
    secret_for: Callable[[str], str | None],
    now: float,
    region: str = "us-east-1",
) -> PresignedAuth:
    """Accept a presigned request or raise :class:`S3Error` as S3 would.

    ``headers`` must be looked up case-insensitively (aiohttp's CIMultiDict is).
    ``decoded_path`` is ``/<bucket>/<key>`` after percent-decoding.
    """
    if not has_presigned_auth(pairs):
        raise S3Error(403, "AccessDenied", "Access Denied")
    auth = parse_presigned_auth(pairs, region)
    secret = secret_for(auth.access_key)
    if secret is None:
        raise S3Error(
            403,
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
            {"AWSAccessKeyId": auth.access_key},
        )
    canonical = canonical_request(method, decoded_path, pairs, headers, auth.signed_headers)
    to_sign = string_to_sign(auth.amz_date, auth.scope, canonical or "")
    key = signing_key(secret, auth.date_stamp, auth.region, auth.service)
    expected = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    if canonical is None or not hmac.compare_digest(
        expected.encode("ascii"), auth.signature.encode("utf-8")
    ):
        raise S3Error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
            {
                "AWSAccessKeyId": auth.access_key,
                "StringToSign": to_sign,
                "SignatureProvided": auth.signature,
                "CanonicalRequest": canonical or "",
            },
        )
    if now > auth.expires_at:
        raise expired_error(auth, now)
    return auth


def presign_url(
    *,
    method: str,
    endpoint_url: str,
    decoded_path: str,
    query: QueryPairs,
    access_key: str,
    secret_key: str,
    region: str,
    expires_in: int,
    signed_at: datetime,
    service: str = "s3",
) -> str:
    """A presigned URL: ``query`` (the operation's parameters, in the order given) followed by
    the authentication parameters, with ``host`` the only signed header.

    The order is the one the AWS SDKs (Python, JavaScript v3) use: operation parameters first,
    then ``X-Amz-Algorithm`` … ``X-Amz-SignedHeaders``, then ``X-Amz-Signature``. Values are
    encoded as SigV4 encodes them, so the URL's query is its own canonical form.
    """
    parts = urlsplit(endpoint_url)
    amz_date = signed_at.astimezone(UTC).strftime(_AMZ_DATE_FORMAT)
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    pairs = [
        *query,
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", f"{access_key}/{scope}"),
        ("X-Amz-Date", amz_date),
        ("X-Amz-Expires", str(expires_in)),
        ("X-Amz-SignedHeaders", "host"),
    ]
    canonical = canonical_request(method, decoded_path, pairs, {"host": parts.netloc}, ("host",))
    assert canonical is not None  # the one signed header is supplied right above
    key = signing_key(secret_key, amz_date[:8], region, service)
    signature = hmac.new(
        key, string_to_sign(amz_date, scope, canonical).encode("utf-8"), hashlib.sha256
    ).hexdigest()
    encoded = "&".join(
        f"{uri_encode(name, keep_slash=False)}={uri_encode(value, keep_slash=False)}"
        for name, value in [*pairs, ("X-Amz-Signature", signature)]
    )
    base = endpoint_url.rstrip("/")
    return f"{base}{uri_encode(decoded_path, keep_slash=True)}?{encoded}"


def expired_error(auth: PresignedAuth | None, now: float) -> S3Error:
    """S3's answer to a URL used after X-Amz-Date + X-Amz-Expires."""
    extras: dict[str, str] = {}
    if auth is not None:
        extras["X-Amz-Expires"] = str(auth.expires_in)
        extras["Expires"] = iso8601(datetime.fromtimestamp(auth.expires_at, UTC))
    extras["ServerTime"] = iso8601(datetime.fromtimestamp(now, UTC))
    return S3Error(403, "AccessDenied", "Request has expired", extras)
