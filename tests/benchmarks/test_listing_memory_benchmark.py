"""Memory of a very large ``GET /output-sets`` listing through the app's real client.

Issue "4/6 transfers": a listing of 1,000,000 sets took 2 GB of memory; the app's parse must
hold no more than one copy of the answer. Run on demand:

    python -m pytest -m benchmark -s -p no:cacheprovider \
        tests/benchmarks/test_listing_memory_benchmark.py

- **Server.** A plain ``http.server`` in a thread of the pytest process returns a pre-built
  body: a JSON array in the exact shape of CONTRACT §4.5 (compact, as Runway's Express
  ``res.json`` writes it; ``createdAt`` ascending with milliseconds), RUNWAY_BENCH_LISTING_SETS
  (default 1,000,000) sets. The sandbox is not used: injecting 1,000,000 sets into it writes
  1,000,000 objects (the output-sets benchmark needs ~25 s for 100,000). The same server
  answers ``POST /token`` with an unsigned JWT, so the real ``TokenProvider`` signs in.
- **Client.** Each listing runs in a fresh child process (this file with ``--child``):
  ``make_http_client``, ``TokenProvider``, ``RunwayClient`` as ``core.session`` builds them; one
  warm-up listing of 10 sets (imports, connection, token); then ``VmHWM`` is reset through
  ``/proc/self/clear_refs`` and exactly one ``list_output_sets`` is awaited. Peak growth is
  ``VmHWM`` after it minus ``VmRSS`` before it; "models" is ``VmRSS`` with the returned list
  still held minus ``VmRSS`` before (what the models themselves take).
- **The cap.** ``policy.JSON_MAX_BYTES`` (64 MiB) refuses a larger answer (ANSWER_TOO_LARGE):
  1,000,000 sets (~270 MB) are refused, with a ``Content-Length`` before a byte of the body is
  read, without one once 64 MiB have been read; both are shown with their message and peak.
  The memory figure is then for the largest answer under the cap (a prefix of the same sets).
  ``RUNWAY_BENCH_LISTING_UNCAPPED=1`` also lists all the sets with the cap raised in that child
  only, for the figure the issue names (about 2 GB before the fix).

Printed: body bytes, sets, seconds, peak growth ÷ body, and ÷ (body + models), the floor the
issue allows (one copy of the body plus the parsed models). Target: peak growth ≤ body +
models + 16 MiB. (Before the client dropped the bytes ahead of ``json.loads``, which decodes
bytes into a ``str`` of the same size, the parse held both: one body more, a MISS.)
RUNWAY_BENCH_ASSERT=1 fails on a miss.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = [pytest.mark.benchmark, pytest.mark.timeout(1800)]
MIB = 1 << 20
KINDS = (
    ("district-a", "2026", "assessments/MAP_Growth", "true"),
    ("district-b", "2026", "assessments/PSAT_SAT", "true"),
    ("district-a", "2025", "assessments/STAR", "false"),
    ("lincoln-county", "2026", "assessments/ACT", "true"),
)
FILES = '["assessments.jsonl","studentAssessments.jsonl"]'
SLACK = 16 * MIB


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


SETS = _env_int("RUNWAY_BENCH_LISTING_SETS", 1_000_000)
ASSERT = _env_flag("RUNWAY_BENCH_ASSERT")
UNCAPPED = _env_flag("RUNWAY_BENCH_LISTING_UNCAPPED")


def listing_pieces(count: int) -> list[bytes]:
    """One JSON object per set, CONTRACT §4.5's shape, created_on ascending."""
    start = datetime(2025, 8, 1, tzinfo=UTC)
    pieces = []
    for i in range(count):
        tenant, year, bundle, ods = KINDS[i % len(KINDS)]
        created = (start + timedelta(seconds=7 * i, milliseconds=i % 1000)).strftime(
            "%Y-%m-%dT%H:%M:%S.%f"
        )[:-3]
        pieces.append(
            (
                f'{{"uid":"{i:08x}-5e75-4a1b-9c2d-{i * 7919 % 16**12:012x}","files":{FILES},'
                f'"sentToOds":{ods},"createdAt":"{created}Z",'
                f'"jobUid":"{i // 3:08x}-70b5-4c3e-8f4a-{i * 104729 % 16**12:012x}",'
                f'"partner":"acme","tenant":"{tenant}","schoolYear":"{year}","bundle":"{bundle}"}}'
            ).encode("ascii")
        )
    return pieces


def join_listing(pieces: list[bytes]) -> bytes:
    return b"[" + b",".join(pieces) + b"]"


def largest_under(pieces: list[bytes], limit: int) -> int:
    """How many of the first pieces fit in a listing of at most ``limit`` bytes."""
    total = 2
    for count, piece in enumerate(pieces):
        total += len(piece) + (1 if count else 0)
        if total > limit:
            return count
    return len(pieces)


def fake_jwt() -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {"scope": "read:jobs partner:acme", "exp": int(time.time()) + 3600}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.c2ln"


class ListingServer:
    """``GET /api/v1/output-sets?partner=<key>`` answers ``bodies[key]``; ``POST /token``."""

    def __init__(self, bodies: dict[str, bytes]) -> None:
        self.bodies = bodies
        token = json.dumps({"access_token": fake_jwt(), "expires_in": 3600}).encode()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                self._answer(token, announce=True)

            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                key = query.get("partner", [""])[0]
                body = owner.bodies.get(key.removesuffix("-unannounced"))
                if body is None:
                    self._answer(b'{"message":"Partner not found"}', status=404, announce=True)
                    return
                self._answer(body, announce=not key.endswith("-unannounced"))

            def _answer(self, body: bytes, *, status: int = 200, announce: bool) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                if announce:
                    self.send_header("Content-Length", str(len(body)))
                else:  # no length: the body ends when the connection closes
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                view = memoryview(body)
                try:
                    for offset in range(0, len(view), MIB):
                        self.wfile.write(view[offset : offset + MIB])
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client refused the rest: expected

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> ListingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- the child process --------------------------------------------------------------------


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _reset_peak() -> bool:
    """VmHWM back to the current RSS (Linux ≥ 4.0): the next peak is the listing's own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


async def _child(url: str, partner: str, cap: int | None) -> dict[str, Any]:
    from runway_desktop.api import policy
    from runway_desktop.api.auth import TokenProvider, TokenSettings
    from runway_desktop.api.client import RunwayClient
    from runway_desktop.api.errors import ErrorCode, RunwayError
    from runway_desktop.api.http import make_http_client
    from runway_desktop.api.models import OutputSetFilter

    if cap is not None:
        policy.JSON_MAX_BYTES = cap  # this child only: the diagnostic without the cap
    out: dict[str, Any] = {"cap": policy.JSON_MAX_BYTES}
    http = make_http_client()
    try:
        tokens = TokenProvider(http, TokenSettings(f"{url}/token", "bench", "bench-secret"))
        client = RunwayClient(http, f"{url}/api/v1", tokens)
        warm = await client.list_output_sets(OutputSetFilter(partner="small"))
        assert len(warm) == 10
        del warm
        gc.collect()
        out["peak_reset"] = _reset_peak()
        out["hwm_before_kib"] = _status_kib("VmHWM")
        out["rss_before_kib"] = _status_kib("VmRSS")
        started = time.perf_counter()
        try:
            sets = await client.list_output_sets(OutputSetFilter(partner=partner))
        except RunwayError as error:
            out["seconds"] = time.perf_counter() - started
            out["peak_kib"] = _status_kib("VmHWM")
            out["error"] = {
                "code": str(error.code),
                "too_large": error.code is ErrorCode.ANSWER_TOO_LARGE,
                "message": str(error),
                "next_step": error.next_step,
                "server_message": error.server_message,
            }
            return out
        out["seconds"] = time.perf_counter() - started
        out["peak_kib"] = _status_kib("VmHWM")
        out["rss_held_kib"] = _status_kib("VmRSS")
        out["sets"] = len(sets)
        out["last_created"] = sets[-1].created_at_text if sets else ""
        del sets
        gc.collect()
        out["rss_freed_kib"] = _status_kib("VmRSS")
        return out
    finally:
        await http.aclose()


def child_main(argv: list[str]) -> int:
    url, partner = argv[0], argv[1]
    cap = int(argv[2]) if len(argv) > 2 else None
    print(json.dumps(asyncio.run(_child(url, partner, cap))))
    return 0


# --- the benchmark ------------------------------------------------------------------------


def run_child(url: str, partner: str, cap: int | None = None) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", url, partner]
    if cap is not None:
        args.append(str(cap))
    done = subprocess.run(args, capture_output=True, text=True, timeout=1200, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[ListingServer, int, int]]:
    """The server with "big" (SETS sets), "cap" (the largest prefix under the cap), "small"."""
    from runway_desktop.api import policy

    pieces = listing_pieces(SETS)
    under = largest_under(pieces, policy.JSON_MAX_BYTES)
    bodies = {
        "big": join_listing(pieces),
        "cap": join_listing(pieces[:under]),
        "small": join_listing(pieces[:10]),
    }
    del pieces
    gc.collect()
    with ListingServer(bodies) as running:
        yield running, under, policy.JSON_MAX_BYTES


def _mib(kib: int) -> float:
    return kib / 1024


def _measured(name: str, result: dict[str, Any], body: int) -> tuple[list[str], bool]:
    growth = (result["peak_kib"] - result["rss_before_kib"]) * 1024
    models = (result["rss_held_kib"] - result["rss_before_kib"]) * 1024
    floor = body + models
    allowed = floor + SLACK
    ok = growth <= allowed
    lines = [
        f"  {name}: {result['sets']:,} sets, body {body:,} B ({body / MIB:.1f} MiB), "
        f"{result['seconds']:.2f} s",
        f"    RSS before {_mib(result['rss_before_kib']):.0f} MiB, peak "
        f"{_mib(result['peak_kib']):.0f} MiB (reset: {result['peak_reset']}), held with the "
        f"list {_mib(result['rss_held_kib']):.0f} MiB, "
        f"after del {_mib(result['rss_freed_kib']):.0f} MiB",
        f"    peak growth {growth / MIB:.0f} MiB = {growth / body:.2f} × body; models "
        f"{models / MIB:.0f} MiB ({models / result['sets']:.0f} B/set); floor body + models "
        f"{floor / MIB:.0f} MiB; growth ÷ floor {growth / floor:.2f}; beyond the models "
        f"{(growth - models) / body:.2f} × body",
        f"    target peak growth ≤ body + models + 16 MiB = {allowed / MIB:.0f} MiB: "
        f"{'PASS' if ok else 'MISS'}",
    ]
    return lines, ok


def test_listing_memory(server: tuple[ListingServer, int, int]) -> None:
    running, under, cap = server
    big, capped = len(running.bodies["big"]), len(running.bodies["cap"])
    lines = [
        "",
        f"listing memory: {SETS:,} sets = {big:,} B ({big / MIB:.0f} MiB, "
        f"{big / SETS:.0f} B/set); JSON cap {cap:,} B ({cap // MIB} MiB)",
    ]
    verdicts: list[bool] = []
    for partner, how in (("big", "with Content-Length"), ("big-unannounced", "without one")):
        result = run_child(running.url, partner)
        growth = (result["peak_kib"] - result["rss_before_kib"]) / 1024
        if "error" in result:
            error = result["error"]
            lines.append(
                f"  {SETS:,} sets {how}: refused in {result['seconds']:.2f} s, peak growth "
                f"{growth:.0f} MiB: {error['code']}: {error['message']} / {error['next_step']}"
                f" ({error['server_message']})"
            )
            verdicts.append(bool(error["too_large"]))
        else:
            lines.append(f"  {SETS:,} sets {how}: NOT refused ({result['sets']:,} sets listed)")
            verdicts.append(big <= cap)
    result = run_child(running.url, "cap")
    assert result.get("sets") == under, result
    text, ok = _measured(f"largest under the cap ({under:,} sets)", result, capped)
    lines += text
    verdicts.append(ok)
    if UNCAPPED:
        result = run_child(running.url, "big", cap=big + 1)
        assert result.get("sets") == SETS, result
        text, _ok = _measured(
            f"all {SETS:,} sets, cap raised in the child (diagnostic)", result, big
        )
        lines += text
    print("\n".join(lines))
    if ASSERT:
        assert all(verdicts), lines


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    raise SystemExit(child_main(sys.argv[2:]))
