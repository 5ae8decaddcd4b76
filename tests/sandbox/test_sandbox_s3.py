"""The sandbox's S3 front over real HTTP on 127.0.0.1: signatures, expiry, framing, faults."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import socket
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from s3_helpers import (  # noqa: F401
    ACCESS_KEY,
    MIB,
    SECRET_KEY,
    S3Sandbox,
    error_code,
    no_partial_files,
    raw_get,
    raw_put,
    raw_request,
    raw_target,
    s3_fixture,
    wait_for,
)

from runway_desktop.sandbox.objectstore import ObjectStore
from runway_desktop.sandbox.presign import Presigner
from runway_desktop.sandbox.s3 import RedactedAccessLogger
from runway_desktop.sandbox.sigv4 import parse_query

# -- signing and verification ------------------------------------------------------------


def test_urls_are_shaped_like_runways(s3: S3Sandbox) -> None:
    put = dict(parse_query(urlsplit(s3.presigner.put_url("k/a.csv")).query))
    assert put["X-Amz-SignedHeaders"] == "host" and put["X-Amz-Expires"] == "3600"
    assert put["x-id"] == "PutObject" and put["x-amz-checksum-crc32"] == "AAAAAA=="
    assert put["X-Amz-Content-Sha256"] == "UNSIGNED-PAYLOAD"
    get = dict(parse_query(urlsplit(s3.presigner.get_url("k/a.csv", "a b.csv")).query))
    assert get["X-Amz-SignedHeaders"] == "host" and get["x-amz-checksum-mode"] == "ENABLED"
    assert get["response-content-disposition"] == 'attachment; filename="a b.csv"'


def test_round_trip_put_then_get(s3: S3Sandbox) -> None:
    data = os.urandom(300_000)
    put = httpx.put(
        s3.presigner.put_url("ea/t1/2526/1/input/INPUT_FILE__scores.csv"),
        content=data,
        headers={"Content-Type": "text/csv"},  # not signed, so any value is accepted
    )
    assert put.status_code == 200 and put.content == b""
    assert put.headers["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'
    url = s3.presigner.get_url("ea/t1/2526/1/input/INPUT_FILE__scores.csv", "scores.csv")
    got = httpx.get(url)
    assert got.status_code == 200 and got.content == data
    assert got.headers["ETag"] == put.headers["ETag"]
    assert got.headers["Content-Length"] == str(len(data))
    assert got.headers["Accept-Ranges"] == "bytes"
    assert got.headers["Content-Type"] == "application/octet-stream"
    assert got.headers["Content-Disposition"] == 'attachment; filename="scores.csv"'
    assert got.headers["Last-Modified"].endswith(" GMT")
    head = httpx.head(s3.presigner.head_url("ea/t1/2526/1/input/INPUT_FILE__scores.csv"))
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == str(len(data))
    assert head.headers["ETag"] == put.headers["ETag"]
    info = s3.store.stat("ea/t1/2526/1/input/INPUT_FILE__scores.csv")
    assert info is not None and info.size == len(data)


def test_missing_object(s3: S3Sandbox) -> None:
    got = httpx.get(s3.presigner.get_url("absent.csv", "absent.csv"))
    assert got.status_code == 404 and error_code(got) == "NoSuchKey"
    assert "<Key>absent.csv</Key>" in got.text
    head = httpx.head(s3.presigner.head_url("absent.csv"))
    assert head.status_code == 404 and head.content == b""


def test_ranges_on_a_2_mib_object(s3: S3Sandbox) -> None:
    data = os.urandom(2 * MIB)
    s3.store.put_bytes("big.bin", data)
    url = s3.presigner.get_url("big.bin", "big.bin")
    cases = {
        "bytes=0-99": (206, data[:100], f"bytes 0-99/{len(data)}"),
        "bytes=-100": (206, data[-100:], f"bytes {len(data) - 100}-{len(data) - 1}/{len(data)}"),
        "bytes=2097000-": (206, data[2097000:], f"bytes 2097000-{len(data) - 1}/{len(data)}"),
        "bytes=100-99999999": (206, data[100:], f"bytes 100-{len(data) - 1}/{len(data)}"),
        "bytes=0-1,5-9": (200, data, None),  # S3 ignores multiple ranges
        "bytes=9-1": (200, data, None),  # and malformed ones
    }
    for header, (status, body, content_range) in cases.items():
        got = httpx.get(url, headers={"Range": header})
        assert (got.status_code, got.content) == (status, body), header
        assert got.headers.get("Content-Range") == content_range
    refused = httpx.get(url, headers={"Range": f"bytes={len(data)}-"})
    assert refused.status_code == 416 and error_code(refused) == "InvalidRange"


def test_signature_failures(s3: S3Sandbox) -> None:
    s3.store.put_bytes("mine.csv", b"secret")
    url = s3.presigner.get_url("mine.csv", "mine.csv")
    signature = url.rsplit("X-Amz-Signature=", 1)[1]
    flipped = url[: -len(signature)] + ("0" if signature[0] != "0" else "1") + signature[1:]
    wrong_secret = Presigner(f"http://127.0.0.1:{s3.port}", s3.store.bucket, ACCESS_KEY, "x")
    other_key = s3.presigner.get_url("other.csv", "mine.csv").replace("/other.csv?", "/mine.csv?")
    for bad in (flipped, wrong_secret.get_url("mine.csv", "mine.csv"), other_key):
        got = httpx.get(bad)
        assert got.status_code == 403 and error_code(got) == "SignatureDoesNotMatch"
        assert (
            "<Message>The request signature we calculated does not match the signature you "
            "provided. Check your key and signing method.</Message>"
        ) in got.text
    put = httpx.put(s3.presigner.get_url("mine.csv", "mine.csv"), content=b"overwrite")
    assert put.status_code == 403  # the method is signed too
    stranger = Presigner(f"http://127.0.0.1:{s3.port}", s3.store.bucket, "AKIASTRANGER", "x")
    got = httpx.get(stranger.get_url("mine.csv", "mine.csv"))
    assert got.status_code == 403 and error_code(got) == "InvalidAccessKeyId"
    anonymous = httpx.get(f"http://127.0.0.1:{s3.port}/{s3.store.bucket}/mine.csv")
    assert anonymous.status_code == 403 and error_code(anonymous) == "AccessDenied"
    too_long = httpx.get(s3.presigner.head_url("mine.csv", expires_in=604801))
    assert error_code(too_long) == "AuthorizationQueryParametersError"
    assert s3.store.read_bytes("mine.csv") == b"secret"


def test_expiry_follows_the_server_clock(s3: S3Sandbox) -> None:
    s3.store.put_bytes("late.csv", b"data")
    url = s3.presigner.get_url("late.csv", "late.csv", expires_in=60)
    s3.clock.offset = 55
    assert httpx.get(url).status_code == 200
    s3.clock.offset = 65
    got = httpx.get(url)
    assert got.status_code == 403 and error_code(got) == "AccessDenied"
    assert "<Message>Request has expired</Message><X-Amz-Expires>60</X-Amz-Expires>" in got.text
    assert "<ServerTime>" in got.text
    # Signature before expiry, as S3 does: a tampered expired URL reports the tampering.
    tampered = httpx.get(url.replace("/late.csv?", "/early.csv?"))
    assert error_code(tampered) == "SignatureDoesNotMatch"


def test_put_framing_rules(s3: S3Sandbox) -> None:
    url = s3.presigner.put_url("framed.csv")

    async def chunked_upload() -> httpx.Response:
        async def body() -> AsyncIterator[bytes]:
            yield b"a" * 1000
            yield b"b" * 1000

        async with httpx.AsyncClient() as client:
            return await client.put(url, content=body())

    chunked = asyncio.run(chunked_upload())
    assert chunked.status_code == 501 and error_code(chunked) == "NotImplemented"
    assert "<Header>Transfer-Encoding</Header>" in chunked.text
    head = f"PUT {raw_target(url)} HTTP/1.1\nHost: 127.0.0.1:{s3.port}\nConnection: close\n"
    missing_length = raw_request(s3.port, head)
    assert missing_length.startswith(b"HTTP/1.1 411 ")
    assert b"<Code>MissingContentLength</Code>" in missing_length
    too_big = raw_request(s3.port, f"{head}Content-Length: {5 * 1024**3 + 1}\n")
    assert too_big.startswith(b"HTTP/1.1 400 ") and b"<Code>EntityTooLarge</Code>" in too_big
    checksum = httpx.put(url, content=b"x", headers={"x-amz-checksum-crc32": "jHNlIQ=="})
    assert checksum.status_code == 403 and "<HeadersNotSigned>x-amz-checksum-crc32<" in (
        checksum.text
    )
    assert s3.store.stat("framed.csv") is None


def test_routing_errors(s3: S3Sandbox) -> None:
    other = Presigner(f"http://127.0.0.1:{s3.port}", "another-bucket", ACCESS_KEY, SECRET_KEY)
    got = httpx.get(other.get_url("k.csv", "k.csv"))
    assert got.status_code == 404 and error_code(got) == "NoSuchBucket"
    deleted = httpx.delete(s3.presigner.put_url("k.csv"))
    assert deleted.status_code == 405 and error_code(deleted) == "MethodNotAllowed"


# -- faults -------------------------------------------------------------------------------


def test_s3_error_fault_counts_down(s3: S3Sandbox) -> None:
    url = s3.presigner.put_url("retry.csv")
    s3.faults.set("s3_error", {"status": 503, "count": 2})
    for _ in range(2):
        got = httpx.put(url, content=b"payload")
        assert got.status_code == 503 and error_code(got) == "SlowDown"
        assert "<Message>Please reduce your request rate.</Message>" in got.text
    assert httpx.put(url, content=b"payload").status_code == 200
    s3.faults.set("s3_error", {"status": 500, "count": 1})
    got = httpx.get(s3.presigner.get_url("retry.csv", "retry.csv"))
    assert got.status_code == 500 and error_code(got) == "InternalError"


def test_s3_drop_fault_cuts_the_upload(s3: S3Sandbox) -> None:
    s3.faults.set("s3_drop", {"after_bytes": 65536, "count": 1})
    url = s3.presigner.put_url("dropped.csv")
    with pytest.raises(httpx.TransportError):
        httpx.put(url, content=os.urandom(4 * MIB))
    wait_for(lambda: no_partial_files(s3.root))
    assert s3.store.stat("dropped.csv") is None
    assert httpx.put(url, content=b"second try").status_code == 200


def test_s3_expired_fault(s3: S3Sandbox) -> None:
    s3.store.put_bytes("fresh.csv", b"data")
    url = s3.presigner.get_url("fresh.csv", "fresh.csv")
    s3.faults.set("s3_expired", {"count": 1})
    got = httpx.get(url)
    assert got.status_code == 403 and "<Message>Request has expired</Message>" in got.text
    assert httpx.get(url).status_code == 200


# -- keys, partial uploads, memory ------------------------------------------------------

AWKWARD_KEYS = [
    "dir/with space/ü ñ 文件.csv",
    "a/../b.csv",
    "../../../escape.csv",
    "./x/./y.csv",
    "q?x=1&y=2.csv",
    "semi;colon.csv",
    "percent%2Fplus+#hash.csv",
    "a//double.csv",
]


def test_awkward_keys_round_trip_and_stay_inside_root(s3: S3Sandbox) -> None:
    for number, key in enumerate(AWKWARD_KEYS):
        body = f"content {number}".encode()
        assert raw_put(s3.port, s3.presigner.put_url(key), body).startswith(b"HTTP/1.1 200 ")
        assert raw_get(s3.port, s3.presigner.get_url(key, "x.csv")) == body
        assert s3.store.read_bytes(key) == body
    assert s3.store.list_keys("") == sorted(AWKWARD_KEYS, key=str.encode)
    on_disk = [path for path in s3.root.parent.rglob("*") if path.is_file()]
    assert all(path.is_relative_to(s3.root / "objects") for path in on_disk)
    assert all(set(path.stem) <= set("0123456789abcdef") for path in on_disk)


def test_clients_hanging_up_mid_transfer(s3: S3Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    s3.store.put_bytes("kept.csv", b"old version")
    for key in ("new.csv", "kept.csv"):
        url = s3.presigner.put_url(key)
        head = f"PUT {raw_target(url)} HTTP/1.1\nHost: 127.0.0.1:{s3.port}\n"
        raw_request(s3.port, f"{head}Content-Length: {MIB}\n", b"x" * 100_000, send_all=False)
    wait_for(lambda: no_partial_files(s3.root))
    assert s3.store.stat("new.csv") is None
    assert s3.store.read_bytes("kept.csv") == b"old version"
    s3.store.put_bytes("large.bin", bytes(16 * MIB))
    url = s3.presigner.get_url("large.bin", "large.bin")
    with httpx.stream("GET", url) as download:
        next(download.iter_raw())  # then hang up with most of the body unsent
    assert httpx.get(url).content == bytes(16 * MIB)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_64_mib_upload_and_download_in_bounded_memory(s3: S3Sandbox) -> None:
    block = os.urandom(MIB)
    expected_md5 = hashlib.md5(block * 64).hexdigest()
    url = s3.presigner.put_url("large.bin")
    tracemalloc.start()
    try:
        with socket.create_connection(("127.0.0.1", s3.port), timeout=30) as sock:
            head = f"PUT {raw_target(url)} HTTP/1.1\r\nHost: 127.0.0.1:{s3.port}\r\n"
            sock.sendall(f"{head}Content-Length: {64 * MIB}\r\n\r\n".encode())
            for _ in range(64):
                sock.sendall(block)
            reply = sock.recv(65536)
        _, upload_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        digest = hashlib.md5()
        with httpx.stream("GET", s3.presigner.get_url("large.bin", "large.bin")) as got:
            for chunk in got.iter_raw():
                digest.update(chunk)
        _, download_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reply.startswith(b"HTTP/1.1 200 ") and f'"{expected_md5}"'.encode() in reply
    assert digest.hexdigest() == expected_md5
    # Everything in this process is traced (client too); 64 MiB bodies must not be held.
    assert upload_peak < 16 * MIB, upload_peak
    assert download_peak < 16 * MIB, download_peak


# -- the store and the log on their own ---------------------------------------------------


def test_store_persists_replaces_atomically_and_resets(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path)
    store.put_bytes("a/1.csv", b"one")
    reader = store.open_read("a/1.csv")
    store.put_bytes("a/1.csv", b"two")
    assert reader.read() == b"one"  # an open reader keeps the version it opened
    reader.close()
    with store.begin_upload("a/2.csv") as upload:
        upload.write(b"never committed")
    reopened = ObjectStore(tmp_path)
    assert reopened.list_keys("a/") == ["a/1.csv"]
    assert reopened.read_bytes("a/1.csv") == b"two"
    assert reopened.stat("a/1.csv") == store.stat("a/1.csv")
    reopened.reset()
    assert reopened.list_keys("") == [] and reopened.stat("a/1.csv") is None
    with pytest.raises(KeyError):
        reopened.read_bytes("a/1.csv")
    with pytest.raises(ValueError):
        reopened.put_bytes("", b"x")


def test_access_logger_drops_query_strings(caplog: pytest.LogCaptureFixture) -> None:
    logger = RedactedAccessLogger(logging.getLogger("s3.access"), "")
    request = make_mocked_request("GET", "/runway-sandbox/k.csv?X-Amz-Signature=deadbeef")
    with caplog.at_level(logging.INFO, logger="s3.access"):
        logger.log(request, web.Response(status=200), 0.01)
    assert "/runway-sandbox/k.csv" in caplog.text and "deadbeef" not in caplog.text
