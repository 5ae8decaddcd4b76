"""The sandbox's S3 front: presigned PUT/GET/HEAD on one bucket, refusing what S3 refuses.

moto and s3rver accept expired, tampered and chunked uploads (STACK-NOTES §4), so this front
verifies every SigV4 presigned URL itself and answers with S3's status codes and XML errors.

Order of checks (for one request): ``s3_error`` fault → path (bucket, method, key) → PUT
framing (chunked, Content-Length, size) → ``s3_expired`` fault → query authentication
(parameters, access key, signature, expiry) → unsigned ``x-amz-*`` headers → the operation.

Presigned URLs are credentials: never log them. Run the app with ``access_log=None`` or
``access_log_class=RedactedAccessLogger`` (which logs the path without the query string).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import re
import socket
import struct
import time
import uuid
from collections.abc import Callable, Mapping
from email.utils import format_datetime
from typing import BinaryIO
from urllib.parse import unquote_to_bytes
from xml.sax.saxutils import escape

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from runway_desktop.sandbox.faults import FaultSwitches
from runway_desktop.sandbox.objectstore import MAX_KEY_BYTES, ObjectInfo, ObjectStore
from runway_desktop.sandbox.presign import S3_REGION
from runway_desktop.sandbox.sigv4 import (
    S3Error,
    expired_error,
    parse_presigned_auth,
    parse_query,
    verify_presigned,
)

MAX_PUT_SIZE = 5 * 1024**3  # S3's limit for a single PUT
_IO_CHUNK = 1 << 20  # 1 MiB disk reads/writes: big enough to be cheap, small enough for memory
_SERVED_METHODS = ("GET", "HEAD", "PUT")
# GET query parameters that override response headers, as S3 supports them.
_RESPONSE_OVERRIDES = {
    "response-content-disposition": "Content-Disposition",
    "response-content-type": "Content-Type",
    "response-content-language": "Content-Language",
    "response-content-encoding": "Content-Encoding",
    "response-cache-control": "Cache-Control",
    "response-expires": "Expires",
}
_FAULT_ERRORS = {
    500: ("InternalError", "We encountered an internal error. Please try again."),
    503: ("SlowDown", "Please reduce your request rate."),
}
_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RedactedAccessLogger(AbstractAccessLogger):
    """Access log without query strings (they hold signatures); pass as ``access_log_class``."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s %s %.3fs',
            request.remote,
            request.method,
            request.path,
            response.status,
            response.body_length,
            time,
        )


def _fault_error(status: int) -> S3Error:
    code, message = _FAULT_ERRORS.get(status, ("ServiceError", f"Injected fault {status}."))
    return S3Error(status, code, message)


def _error_body(error: S3Error, request_id: str, host_id: str) -> bytes:
    fields = [("Code", error.code), ("Message", error.message), *error.extras.items()]
    fields += [("RequestId", request_id), ("HostId", host_id)]
    inner = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{inner}</Error>'.encode()


def _parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive byte range to send, None for the whole object; S3 semantics:
    malformed or multiple ranges are ignored, a range starting past the end is 416."""
    match = _RANGE_RE.match(header.strip()) if header else None
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.groups()
    if first == "":  # suffix range: the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise _invalid_range(header or "", size)
        return max(size - suffix, 0), size - 1
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        raise _invalid_range(header or "", size)
    return start, min(int(last), size - 1) if last else size - 1


def _invalid_range(header: str, size: int) -> S3Error:
    extras = {"RangeRequested": header, "ActualObjectSize": str(size)}
    return S3Error(416, "InvalidRange", "The requested range is not satisfiable", extras)


def _cut_connection(request: web.Request) -> None:
    """Drop the TCP connection with a reset, as a network failure mid-upload would."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):  # linger 0 turns the close into an RST
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


class _S3Front:
    def __init__(
        self,
        store: ObjectStore,
        credentials: Mapping[str, str],
        faults: FaultSwitches,
        clock: Callable[[], float],
    ) -> None:
        self._store = store
        self._credentials = credentials  # not copied: the sandbox may add keys while running
        self._faults = faults
        self._clock = clock

    async def handle(self, request: web.Request) -> web.StreamResponse:
        request_id = uuid.uuid4().hex[:16].upper()
        host_id = base64.b64encode(os.urandom(48)).decode("ascii")
        common = {"x-amz-request-id": request_id, "x-amz-id-2": host_id, "Server": "AmazonS3"}
        try:
            return await self._dispatch(request, common)
        except S3Error as error:
            body = b"" if request.method == "HEAD" else _error_body(error, request_id, host_id)
            headers = {**common, "Content-Type": "application/xml"}  # S3 names no charset
            return web.Response(status=error.status, body=body, headers=headers)

    async def _dispatch(self, request: web.Request, common: dict[str, str]) -> web.StreamResponse:
        fault = self._faults.take("s3_error")
        if fault is not None:
            raise _fault_error(int(fault.get("status", 500)))
        raw_path, _, raw_query = request.raw_path.partition("?")
        try:
            decoded_path = unquote_to_bytes(raw_path).decode("utf-8")
        except UnicodeDecodeError:
            raise S3Error(
                400, "InvalidURI", "Couldn't parse the specified URI.", {"URI": raw_path}
            ) from None
        bucket, _, key = decoded_path.removeprefix("/").partition("/")
        if bucket != self._store.bucket:
            raise S3Error(
                404, "NoSuchBucket", "The specified bucket does not exist", {"BucketName": bucket}
            )
        if request.method not in _SERVED_METHODS or not key:
            raise S3Error(
                405,
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
                {"Method": request.method, "ResourceType": "OBJECT" if key else "BUCKET"},
            )
        if len(key.encode("utf-8")) > MAX_KEY_BYTES:
            raise S3Error(400, "KeyTooLongError", "Your key is too long")
        if request.method == "PUT":
            _check_put_framing(request)
        pairs = parse_query(raw_query)
        self._authenticate(request, decoded_path, pairs)
        if request.method == "PUT":
            return await self._put(request, key, common)
        return await self._get(request, key, pairs, common)

    def _authenticate(
        self, request: web.Request, decoded_path: str, pairs: list[tuple[str, str]]
    ) -> None:
        now = self._clock()
        if self._faults.take("s3_expired") is not None:
            try:
                auth = parse_presigned_auth(pairs, S3_REGION)
            except S3Error:
                auth = None
            raise expired_error(auth, now)
        auth = verify_presigned(
            method=request.method,
            decoded_path=decoded_path,
            pairs=pairs,
            headers=request.headers,
            secret_for=self._credentials.get,
            now=now,
            region=S3_REGION,
        )
        # S3 refuses x-amz-* headers the URL did not sign (CONTRACT §4.3: no checksum headers).
        unsigned = {
            name.lower()
            for name in request.headers
            if name.lower().startswith("x-amz-")
            and name.lower() not in auth.signed_headers
            and name.lower() != "x-amz-content-sha256"
        }
        if unsigned:
            raise S3Error(
                403,
                "AccessDenied",
                "There were headers present in the request which were not signed",
                {"HeadersNotSigned": ", ".join(sorted(unsigned))},
            )

    async def _put(
        self, request: web.Request, key: str, common: dict[str, str]
    ) -> web.StreamResponse:
        expected = request.content_length or 0
        drop = self._faults.take("s3_drop")
        drop_after = int(drop.get("after_bytes", 0)) if drop is not None else None
        received = 0
        with self._store.begin_upload(key) as upload:
            pending: list[bytes] = []
            pending_size = 0
            while received < expected:
                if drop_after is not None and received >= drop_after:
                    _cut_connection(request)
                    return web.Response(status=500)  # never reaches the client
                want = _IO_CHUNK if drop_after is None else min(_IO_CHUNK, drop_after - received)
                try:
                    chunk = await request.content.read(want)
                except ConnectionError:  # aiohttp's "Connection lost" when the client vanishes
                    chunk = b""
                if not chunk:
                    return web.Response(status=400)  # client gone: the with-block drops the data
                received += len(chunk)
                pending.append(chunk)
                pending_size += len(chunk)
                if pending_size >= _IO_CHUNK:
                    await asyncio.to_thread(upload.write, b"".join(pending))
                    pending, pending_size = [], 0
            if drop_after is not None and received >= drop_after:
                _cut_connection(request)  # the cut is due even when the body has ended
                return web.Response(status=500)
            await asyncio.to_thread(upload.write, b"".join(pending))
            held = self._faults.take("s3_delay")
            if held is not None:  # a slow store: the whole body is in, the answer waits
                await self._faults.hold(float(held.get("seconds", 1.0)))
            info = await asyncio.to_thread(upload.commit)
        return web.Response(status=200, headers={**common, "ETag": f'"{info.etag}"'})

    async def _get(
        self,
        request: web.Request,
        key: str,
        pairs: list[tuple[str, str]],
        common: dict[str, str],
    ) -> web.StreamResponse:
        opened = self._store.open_object(key)
        if opened is None:
            raise S3Error(404, "NoSuchKey", "The specified key does not exist.", {"Key": key})
        info, stream = opened
        with stream:
            byte_range = _parse_range(request.headers.get("Range"), info.size)
            start, end = byte_range if byte_range is not None else (0, info.size - 1)
            response = web.StreamResponse(
                status=200 if byte_range is None else 206,
                headers={**common, **_object_headers(info, pairs)},
            )
            if byte_range is not None:
                response.headers["Content-Range"] = f"bytes {start}-{end}/{info.size}"
            response.content_length = end - start + 1
            await response.prepare(request)
            with contextlib.suppress(ConnectionError):  # the client hung up mid-download
                if request.method == "GET":
                    await _send_file_range(response, stream, start, end - start + 1)
                await response.write_eof()
            return response


def _check_put_framing(request: web.Request) -> None:
    if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        raise S3Error(
            501,
            "NotImplemented",
            "A header you provided implies functionality that is not implemented",
            {"Header": "Transfer-Encoding"},
        )
    if "Content-Length" not in request.headers:
        raise S3Error(
            411, "MissingContentLength", "You must provide the Content-Length HTTP header."
        )
    length = request.content_length or 0
    if length > MAX_PUT_SIZE:
        raise S3Error(
            400,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size",
            {"ProposedSize": str(length), "MaxSizeAllowed": str(MAX_PUT_SIZE)},
        )


def _object_headers(info: ObjectInfo, pairs: list[tuple[str, str]]) -> dict[str, str]:
    headers = {
        "ETag": f'"{info.etag}"',
        "Last-Modified": format_datetime(info.last_modified, usegmt=True),
        "Accept-Ranges": "bytes",
        "Content-Type": "application/octet-stream",
    }
    for name, value in pairs:
        header = _RESPONSE_OVERRIDES.get(name)
        if header is not None:
            headers[header] = value
    return headers


async def _send_file_range(
    response: web.StreamResponse, stream: BinaryIO, start: int, length: int
) -> None:
    """Copy part of an open file to the response in 1 MiB reads, off the event loop."""
    await asyncio.to_thread(stream.seek, start)
    while length > 0:
        chunk = await asyncio.to_thread(stream.read, min(_IO_CHUNK, length))
        if not chunk:
            break
        await response.write(chunk)  # waits for the client, so memory stays bounded
        length -= len(chunk)


def create_s3_app(
    store: ObjectStore,
    credentials: Mapping[str, str],
    faults: FaultSwitches,
    *,
    clock: Callable[[], float] = time.time,
) -> web.Application:
    """The S3 front as an aiohttp app; ``credentials`` maps access key ids to secret keys."""
    front = _S3Front(store, credentials, faults, clock)
    app = web.Application()
    app.router.add_route("*", "/{path:.*}", front.handle)
    return app
