"""Our SigV4 against AWS's own Python SDK, a dev-only dependency (skipped where it is absent).

Two independent implementations agreeing is the point: the sandbox signs and verifies with
its own code, and botocore is the reference it must match, byte for byte.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from s3_helpers import ACCESS_KEY, SECRET_KEY, S3Sandbox, s3_fixture, verify  # noqa: F401

from runway_desktop.sandbox.presign import Presigner
from runway_desktop.sandbox.sigv4 import S3Error

boto3 = pytest.importorskip("boto3")
botocore_auth = pytest.importorskip("botocore.auth")
botocore_config = pytest.importorskip("botocore.config")

FIXED = datetime(2026, 3, 15, 14, 30, 7, tzinfo=UTC)
AWKWARD_KEYS = [
    "acme/district-a/2526/4312/input/INPUT_FILE__scores.csv",
    "acme/district-a/2526/4312/input/INPUT_FILE__my file (1).csv",
    "dir/ü ñ/it's (1)*!~+=&;?.csv",
    "ea/t1/2526/1/output/ods/studentAssessments.jsonl",
    "a//b/../c/%41.csv",
]


def boto_client(endpoint: str, region: str = "us-east-1") -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=botocore_config.Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def _hoist_into_query(request: Any, operation_name: str, **_: object) -> None:
    """botocore ``before-sign`` hook: put into the query what the JS SDK v3 puts there, so
    botocore produces the URL shape Runway's server hands out (CONTRACT §4.3, §4.6)."""
    params = request.params
    params["x-id"] = operation_name
    params["X-Amz-Content-Sha256"] = "UNSIGNED-PAYLOAD"
    checksum_mode = request.headers.get("x-amz-checksum-mode")
    if checksum_mode is not None:
        del request.headers["x-amz-checksum-mode"]
        params["x-amz-checksum-mode"] = checksum_mode
    if operation_name == "PutObject":
        params["x-amz-checksum-crc32"] = "AAAAAA=="
        params["x-amz-sdk-checksum-algorithm"] = "CRC32"


@pytest.fixture
def fixed_botocore_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # botocore reads the time once per signature through this function.
    monkeypatch.setattr(botocore_auth, "get_current_datetime", lambda: FIXED.replace(tzinfo=None))


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
@pytest.mark.parametrize("key", AWKWARD_KEYS)
@pytest.mark.usefixtures("fixed_botocore_clock")
def test_our_presigned_urls_equal_botocores(key: str, region: str) -> None:
    endpoint = "http://127.0.0.1:54321"
    reference = boto_client(endpoint, region)
    reference.meta.events.register("before-sign.s3", _hoist_into_query)
    ours = Presigner(
        endpoint, "runway-sandbox", ACCESS_KEY, SECRET_KEY, region, clock=FIXED.timestamp
    )
    bucket_key = {"Bucket": "runway-sandbox", "Key": key}
    for expires in (60, 3600, 604800):
        assert ours.put_url(key, expires) == reference.generate_presigned_url(
            "put_object", Params=bucket_key, ExpiresIn=expires
        )
        assert ours.head_url(key, expires) == reference.generate_presigned_url(
            "head_object", Params=bucket_key, ExpiresIn=expires
        )
        name = key.rsplit("/", 1)[-1]
        get_params = {
            **bucket_key,
            "ResponseContentDisposition": f'attachment; filename="{name}"',
            "ChecksumMode": "ENABLED",
        }
        assert ours.get_url(key, name, expires) == reference.generate_presigned_url(
            "get_object", Params=get_params, ExpiresIn=expires
        )


def test_verifier_accepts_plain_boto3_urls_with_extra_signed_headers() -> None:
    client = boto_client("http://127.0.0.1:9")
    key = "dir/ü ñ/it's (1)*!~+=&;?.csv"
    put = client.generate_presigned_url(
        "put_object", Params={"Bucket": "b", "Key": key, "ContentType": "text/csv"}
    )
    verify(put, "PUT", {"content-type": "text/csv"})  # boto3 signs Content-Type here
    get = client.generate_presigned_url(
        "get_object", Params={"Bucket": "b", "Key": key, "ChecksumMode": "ENABLED"}
    )
    verify(get, "GET", {"x-amz-checksum-mode": "ENABLED"})
    tampered = [
        (put, "PUT", {"content-type": "text/plain"}),  # a signed header changed
        (put.replace("X-Amz-Expires=3600", "X-Amz-Expires=3601"), "PUT", {}),
        (put + "&extra=1", "PUT", {"content-type": "text/csv"}),
        (put, "GET", {"content-type": "text/csv"}),
        (get.replace("/dir/", "/Dir/"), "GET", {"x-amz-checksum-mode": "ENABLED"}),
    ]
    for url, method, headers in tampered:
        with pytest.raises(S3Error) as refused:
            verify(url, method, headers)
        assert refused.value.code == "SignatureDoesNotMatch", url


def test_plain_boto3_urls_work_against_the_s3_front(s3: S3Sandbox) -> None:
    client = boto_client(f"http://127.0.0.1:{s3.port}")
    data = os.urandom(70_000)
    for key in AWKWARD_KEYS[:3]:
        bucket_key = {"Bucket": s3.store.bucket, "Key": key}
        put = client.generate_presigned_url("put_object", Params=bucket_key)
        assert httpx.put(put, content=data).status_code == 200
        get = client.generate_presigned_url("get_object", Params=bucket_key)
        got = httpx.get(get)
        assert got.status_code == 200 and got.content == data
        head = client.generate_presigned_url("head_object", Params=bucket_key)
        assert httpx.head(head).headers["content-length"] == str(len(data))
        # A plain boto3 URL is still a signed URL: another key is refused.
        other = get.replace("/dir/", "/other/") if "/dir/" in get else get + "x"
        assert httpx.get(other).status_code == 403
