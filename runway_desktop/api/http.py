"""The app's one shared ``httpx.AsyncClient``.

Create it once at start-up and pass it to the token provider, the API client and the
transfers: building one costs 50–90 ms (mostly the TLS context, STACK-NOTES §2), and one client
means one connection pool.
"""

from __future__ import annotations

import logging
import platform
import re
import ssl

import httpx
import truststore

from runway_desktop import __version__
from runway_desktop.api import policy

# A district runs a handful of parallel transfers at most; keep-alive saves TLS handshakes.
DEFAULT_LIMITS = httpx.Limits(max_connections=20, max_keepalive_connections=10)

# Retries, token refreshes and bounds are logged here (INFO), always through loggable_url().
api_log = logging.getLogger("runway_desktop.api")


def default_user_agent() -> str:
    """``RunwayDesktop/<version> (<OS> <release>; Python <version>)``.

    Runway's optional WAF blocks requests without a User-Agent (CONTRACT §1); a descriptive one
    also lets a district's IT team allow the app by name.
    """
    system = f"{platform.system() or 'Unknown'} {platform.release()}".strip()
    return f"RunwayDesktop/{__version__} ({system}; Python {platform.python_version()})"


def make_tls_context() -> ssl.SSLContext:
    """Verification always on, against the operating system's trust store.

    Districts that inspect HTTPS install their own root certificate in the OS store (Windows
    certificate store, macOS keychain); certifi's bundle would not know it.
    """
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def make_http_client(
    *,
    user_agent: str | None = None,
    timeout: httpx.Timeout | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """The shared client: OS trust store, env/system proxies, a User-Agent on every request.

    ``transport`` is for tests only (``httpx.MockTransport``). Redirects are not followed: no
    Runway or S3 answer redirects, and following one could carry the bearer token elsewhere.
    """
    install_log_redaction()
    return httpx.AsyncClient(
        verify=make_tls_context(),
        trust_env=True,  # HTTPS_PROXY/NO_PROXY and, on Windows/macOS, the system proxy settings
        timeout=timeout or policy.api_timeout(),
        limits=DEFAULT_LIMITS,
        headers={"User-Agent": user_agent or default_user_agent()},
        follow_redirects=False,
        transport=transport,
    )


# --- keeping presigned URLs out of logs ---------------------------------------------------

_QUERY = re.compile(r"\?[^\s\"']*")


def redact_url(url: str | httpx.URL) -> str:
    """The URL without its query string: presigned URLs carry their credentials there."""
    return _QUERY.sub("?…", str(url))


def loggable_url(url: str | httpx.URL) -> str:
    """``host[:port]/path`` of a URL, for log lines: no scheme, user info, query or fragment."""
    parsed = httpx.URL(url) if isinstance(url, str) else url
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.host}{port}{parsed.path}"


class _RedactQueryStrings(logging.Filter):
    """httpx logs every request's full URL at INFO; strip query strings from those records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                redact_url(a) if isinstance(a, str | httpx.URL) else a for a in record.args
            )
        return True


_REDACTION = _RedactQueryStrings()


def install_log_redaction() -> None:
    """Attach the filter to httpx's logger once (idempotent)."""
    logger = logging.getLogger("httpx")
    if _REDACTION not in logger.filters:
        logger.addFilter(_REDACTION)
