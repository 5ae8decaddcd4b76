"""Taking credentials out of text before it reaches a log file or a support zip.

Tokens and presigned URLs are credentials (DESIGN: never logged, never stored on disk). The
patterns are deliberately broad: a false positive costs a support engineer one unreadable
value, a false negative hands out a district's access.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "[redacted]"

_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+")
# A JWT (header.payload.signature, base64url) or any long base64url run starting like one.
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{6,}(?:\.[A-Za-z0-9_-]*){0,2}")
# client_secret=…, "client_secret": "…", access_token: … (form bodies, JSON, repr output).
_SECRET_FIELD = re.compile(
    r"(?i)(\b(?:client_secret|access_token|refresh_token|id_token|password|secret)"
    r"[\"']?\s*[=:]\s*[\"']?)([^&\s\"',;}]+)"
)
# The query string of an http(s) URL that carries S3 presigning parameters.
_PRESIGNED = re.compile(r"(?i)(https?://[^\s?\"'<>]+)\?([^\s\"'<>]*X-Amz-[^\s\"'<>]*)")
# Presigning values seen outside a whole URL (a query string logged on its own).
_AMZ_VALUE = re.compile(
    r"(?i)(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s\"'<>]+"
)  # fmt: skip


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """``text`` with tokens, secrets and presigned query strings replaced by ``[redacted]``.

    ``extra``: literal values known to be secret (the client secret in use), removed wherever
    they appear, whatever they look like.
    """
    for value in extra:
        if value and len(value) >= 4:
            text = text.replace(value, REDACTED)
    text = _PRESIGNED.sub(lambda m: f"{m.group(1)}?{REDACTED}", text)
    text = _AMZ_VALUE.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    text = _JWT.sub(REDACTED, text)
    return _SECRET_FIELD.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
