"""Presigned URLs as Runway's server makes them, signed by the sandbox's own SigV4 code
(sandbox/sigv4.py): the API hands them out, the S3 front (sandbox/s3.py) verifies them."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from runway_desktop.sandbox.sigv4 import presign_url

S3_REGION = "us-east-1"


class Presigner:
    """Signs URLs shaped like those of Runway's server (AWS SDK for JS v3), path-style.

    Like the JS SDK, only ``host`` is signed and everything else rides in the query:
    ``x-id``, ``X-Amz-Content-Sha256=UNSIGNED-PAYLOAD``, the empty-body CRC32 on uploads
    (CONTRACT §4.3) and ``x-amz-checksum-mode=ENABLED`` on downloads (§4.6). (The Python
    SDK would sign ``x-amz-checksum-mode`` as a header instead, which a browser-style GET lacks.)
    """

    def __init__(
        self,
        endpoint_url: str,
        bucket: str,
        access_key: str,
        secret_key: str,
        region: str = S3_REGION,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bucket = bucket
        self._endpoint_url = endpoint_url
        self._access_key = access_key
        self._secret_key = secret_key
        self._region = region
        self._clock = clock

    def put_url(self, key: str, expires_in: int = 3600) -> str:
        return self._sign("PUT", key, [*_operation("PutObject"), *_EMPTY_BODY_CRC32], expires_in)

    def head_url(self, key: str, expires_in: int = 3600) -> str:
        """A HEAD URL (the method is signed, so a GET URL cannot be used for HEAD)."""
        return self._sign("HEAD", key, _operation("HeadObject"), expires_in)

    def get_url(self, key: str, filename: str, expires_in: int = 3600) -> str:
        query = [
            ("response-content-disposition", f'attachment; filename="{filename}"'),
            *_operation("GetObject"),
            ("x-amz-checksum-mode", "ENABLED"),
        ]
        return self._sign("GET", key, query, expires_in)

    def _sign(self, method: str, key: str, query: list[tuple[str, str]], expires: int) -> str:
        # Whole seconds: X-Amz-Date has no fraction, and a signature must match it exactly.
        signed_at = datetime.fromtimestamp(int(self._clock()), UTC)
        return presign_url(
            method=method,
            endpoint_url=self._endpoint_url,
            decoded_path=f"/{self.bucket}/{key}",
            query=query,
            access_key=self._access_key,
            secret_key=self._secret_key,
            region=self._region,
            expires_in=expires,
            signed_at=signed_at,
        )


def _operation(name: str) -> list[tuple[str, str]]:
    return [("x-id", name), ("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")]


# The JS SDK's default checksum on uploads: the CRC32 of an empty body (CONTRACT §4.3).
_EMPTY_BODY_CRC32 = [
    ("x-amz-checksum-crc32", "AAAAAA=="),
    ("x-amz-sdk-checksum-algorithm", "CRC32"),
]
