"""Every timeout, deadline, size cap and retry default of the API layer, in one place.

The rest of ``api/`` reads these as ``policy.NAME`` when a call starts (never copies them at
import time), so a test or a support build can change one and have every call honour it:

* ``RETRY_DELAY_SCALE`` multiplies every wait between retries (backoff and ``Retry-After``).
  A test fixture sets it to ``0`` so that no test sleeps through real backoff; the retries,
  their count and their log lines still happen.
* the ``*_SECONDS`` / ``*_BYTES`` bounds can be shortened to provoke a deadline or a stall.

Why each number is what it is is said next to it. The retry *rules* (what is idempotent, what
may have taken effect) live in :mod:`runway_desktop.api.retry` and the callers.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import httpx

# --- connecting ----------------------------------------------------------------------------
# A handshake (DNS, TCP, TLS through an inspecting proxy) that takes longer is not coming.
CONNECT_TIMEOUT_SECONDS = 10.0
# Waiting for a free connection of the shared pool; transfers queue behind each other.
API_POOL_TIMEOUT_SECONDS = 30.0
TRANSFER_POOL_TIMEOUT_SECONDS = 600.0

# --- JSON calls (Runway's five endpoints, the token endpoint) ---------------------------------
# No byte at all for this long means the server stalled (httpx's read/write timeout, which
# restarts on every byte, so it cannot catch a server that dribbles).
API_STALL_SECONDS = 30.0
# Hence the overall deadline per attempt, from connecting to the last byte: Runway's calls
# answer in well under a second, a full 64 MiB listing on a slow link in about a minute.
API_DEADLINE_SECONDS = 120.0
TOKEN_DEADLINE_SECONDS = 60.0
# A JSON answer above this is refused (ANSWER_TOO_LARGE) rather than read into memory:
# the output-set list has no pagination (CONTRACT §4.5), but 64 MiB is ~150,000 sets.
JSON_MAX_BYTES = 64 << 20
# Of an error answer only the start is kept: the message is at the top, a proxy page is long.
ERROR_BODY_MAX_BYTES = 256 << 10

# --- transfers (presigned S3 URLs) -----------------------------------------------------------
# A transfer has no overall deadline (a 2 GB file on a school's uplink takes hours) but must
# keep moving: fewer than STALL_MIN_BYTES in any STALL_WINDOW_SECONDS is a stall (a retry for
# the idempotent transfers). 64 KiB a minute is ~1 KiB/s: slower than any real link, faster
# than a server that dribbles a byte every few seconds to keep a connection open.
TRANSFER_STALL_WINDOW_SECONDS = 60.0
TRANSFER_STALL_MIN_BYTES = 64 << 10
# 1 MiB upload pieces: 64 KiB pieces halve throughput and cost ~4x the CPU under qasync
# (STACK-NOTES §5).
UPLOAD_CHUNK_BYTES = 1 << 20
# A presigned link refused right after being fetched is not an expiry problem: stop asking.
MAX_URL_REFRESHES = 3
# A download whose MD5 differs from the ETag is fetched once more from the start, then failed.
INTEGRITY_REFETCHES = 1

# --- retries ---------------------------------------------------------------------------------
# Multiplies every wait between retries; 0 in tests (see the module docstring).
RETRY_DELAY_SCALE = 1.0


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry.

    ``max_attempts`` counts the first try: 5 means one try and up to four retries. The n-th
    retry waits a random time in ``[0, min(max_delay, base_delay * 2**(n-1))]`` (full jitter,
    AWS Architecture Blog "Exponential Backoff And Jitter": it spreads out the many clients of
    a district that hit the same outage), times ``RETRY_DELAY_SCALE``.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("delays must not be negative")

    def delay_ceiling(self, retry_number: int) -> float:
        """Upper bound of the wait before retry ``retry_number`` (1 = the first retry)."""
        # min() before the power would overflow for huge retry numbers; cap the exponent.
        exponent = min(retry_number - 1, 62)
        return float(min(self.max_delay, self.base_delay * (2**exponent)))

    def delay(self, retry_number: int, *, rand: Callable[[], float] = random.random) -> float:
        """Full jitter: uniform between 0 and the ceiling."""
        return rand() * self.delay_ceiling(retry_number)


# Listing output sets and fetching download links (idempotent; create and start never retry).
API_RETRY = RetryPolicy(max_attempts=5, base_delay=0.5, max_delay=20.0)
# The token endpoint: a caller that retries its own call must not multiply these.
TOKEN_RETRY = RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=5.0)
# Uploads restart from byte 0; downloads resume, so they can afford one more try.
UPLOAD_RETRY = RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=30.0)
DOWNLOAD_RETRY = RetryPolicy(max_attempts=5, base_delay=1.0, max_delay=30.0)
NO_RETRY = RetryPolicy(max_attempts=1)

# --- tokens ----------------------------------------------------------------------------------
# Renew this long before expiry (capped at 10 % of the lifetime for short-lived tokens) so a
# token does not expire between being handed out and reaching Runway.
TOKEN_EXPIRY_MARGIN_SECONDS = 60.0
TOKEN_EXPIRY_MARGIN_FRACTION = 0.10
# When the server sends no expires_in and the token has no exp: re-fetch after this long.
TOKEN_DEFAULT_LIFETIME_SECONDS = 300.0


def api_timeout() -> httpx.Timeout:
    """httpx's per-operation timeouts for a JSON call (the deadline is kept separately)."""
    return httpx.Timeout(
        connect=CONNECT_TIMEOUT_SECONDS,
        read=API_STALL_SECONDS,
        write=API_STALL_SECONDS,
        pool=API_POOL_TIMEOUT_SECONDS,
    )


def transfer_timeout() -> httpx.Timeout:
    """httpx's per-operation timeouts for a transfer: a read or write that gets no byte for a
    whole stall window fails here; slower-than-sane progress is caught by the stall check."""
    return httpx.Timeout(
        connect=CONNECT_TIMEOUT_SECONDS,
        read=TRANSFER_STALL_WINDOW_SECONDS,
        write=TRANSFER_STALL_WINDOW_SECONDS,
        pool=TRANSFER_POOL_TIMEOUT_SECONDS,
    )
