"""NestJS-shaped answers: the error body, the unknown-route 404, the JSON body parser."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    413: "Payload Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
BODY_LIMIT_BYTES = 100 * 1024  # Express's default JSON limit


class NestError(Exception):
    """Raised by handlers; turned into Nest's default error body by the middleware."""

    def __init__(self, status: int, message: str | list[str]) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(status: int, message: str | list[str]) -> web.Response:
    body: dict[str, Any] = {
        "message": message,
        "error": REASONS.get(status, ""),
        "statusCode": status,
    }
    return _json(body, status)


def internal_error_response() -> web.Response:
    # Unhandled exceptions: no "error" key, statusCode first (Nest's default filter).
    return _json({"statusCode": 500, "message": "Internal server error"}, 500)


def _json(body: dict[str, Any], status: int) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(body, separators=(",", ":")),
        content_type="application/json",
        charset="utf-8",
    )


async def read_json_body(request: web.Request) -> Any:
    """Express's json() parser: only for JSON content types; anything else leaves ``{}``."""
    if request.content_type != "application/json":
        return {}
    raw = await request.read()
    if len(raw) > BODY_LIMIT_BYTES:
        raise NestError(413, "request entity too large")
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        # Node's SyntaxError text, close enough for a client that shows it verbatim.
        raise NestError(400, f"Unexpected token in JSON at position {exc.pos}") from exc
    except UnicodeDecodeError as exc:
        raise NestError(400, "Unexpected token in JSON at position 0") from exc
