"""One upload or download with Runway Desktop's own transfer code, in a fresh process.

Run by the benchmark (``test_transfer_benchmark.py``) once per measurement, so the CPU time
and peak RSS that the parent reads with ``wait4()`` belong to this process alone. The figures
for the transfer itself are taken here, around the ``upload_file``/``download_file`` call
only (imports, client creation and one warm-up request are excluded), and written as JSON:

- ``seconds``: wall time of the transfer; ``cpu_seconds``: this process's user+system CPU
  during it (worker threads included);
- ``rss_before``: resident set just before; ``peak_rss``: the high-water mark during the
  transfer (``VmHWM`` after resetting it through ``/proc/self/clear_refs``), so
  ``peak_rss - rss_before`` is the transfer's own memory growth.

``--variant`` swaps one piece of ``runway_desktop.api.transfer`` *in this process only*, to
find out where the time goes (``no-md5``, ``sync-read``, ``one-ahead``: the body as shipped
before 2026-12-04); ``as-is`` is the shipped code. ``--profile FILE`` writes a cProfile dump
of the transfer. ``--expected-md5`` passes the preflight's MD5 to ``upload_file`` as the submit
pipeline always does (it still hashes what it sends, and compares the two); without it,
``upload_file`` only hashes the bytes as it sends them.

Usage: python transfer_driver.py --op upload --url URL --path FILE --out result.json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import hashlib
import json
import os
import resource
import sys
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from pathlib import Path
from typing import Any

from runway_desktop.api import transfer, upload_body
from runway_desktop.api.download import download_file
from runway_desktop.api.errors import file_changed_error
from runway_desktop.api.http import make_http_client
from runway_desktop.api.progress import ProgressMeter, TransferProgress

VARIANTS = ("as-is", "no-md5", "sync-read", "one-ahead")
LOOPS = ("asyncio", "qasync")


def _status_kib(field: str) -> int:
    """A ``kB`` field of /proc/self/status (VmRSS, VmHWM), or ru_maxrss if unreadable."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0), so the next peak is the transfer's."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _md5_of_file(path: Path) -> str:
    """What the preflight check records (bundles.preflight): the MD5 of the whole file."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while piece := handle.read(1 << 20):
            digest.update(piece)
    return digest.hexdigest()


# --- diagnostic variants: replace one piece of transfer.py in this process only ----------


class _NoDigest:
    """Stands in for hashlib.md5: same calls, no hashing."""

    def update(self, data: bytes) -> None:
        pass

    def hexdigest(self) -> str:
        return "0" * 32


class _HashlibWithoutMd5:
    @staticmethod
    def md5(*, usedforsecurity: bool = True) -> _NoDigest:
        return _NoDigest()


def _read_chunk(handle: Any, digest: Any, size: int) -> bytes:
    data: bytes = handle.read(size)
    if digest is not None:
        digest.update(data)
    return data


async def _read_file_sync(
    path: Path,
    size: int,
    mtime_ns: int,
    digest: Any,
    meter: ProgressMeter,
    cancel: asyncio.Event | None,
    chunk_size: int,
) -> AsyncGenerator[bytes, None]:
    """``upload_body.read_file`` with plain reads on the loop thread (no thread at all)."""
    sent = 0
    with path.open("rb") as handle:
        while sent < size:
            upload_body.raise_if_cancelled(cancel)
            data = _read_chunk(handle, digest, min(chunk_size, size - sent))
            upload_body.check_unchanged(path, size, mtime_ns, os.fstat(handle.fileno()))
            if not data:
                raise file_changed_error(path, detail=f"file ended after {sent} bytes")
            sent += len(data)
            meter.advance(len(data))
            yield data


async def _read_file_one_ahead(
    path: Path,
    size: int,
    mtime_ns: int,
    digest: Any,
    meter: ProgressMeter,
    cancel: asyncio.Event | None,
    chunk_size: int,
) -> AsyncGenerator[bytes, None]:
    """The body as shipped until 2026-12-04: one piece read+hashed ahead through
    ``asyncio.to_thread`` (the loop's default executor), two hops per piece."""
    sent = 0
    handle = await asyncio.to_thread(path.open, "rb")
    pending: asyncio.Future[bytes] | None = None
    try:

        def start(offset: int) -> asyncio.Future[bytes] | None:
            if offset >= size:
                return None
            want = min(chunk_size, size - offset)
            return asyncio.ensure_future(asyncio.to_thread(_read_chunk, handle, digest, want))

        pending = start(0)
        while pending is not None:
            upload_body.raise_if_cancelled(cancel)
            data = await pending
            pending = None
            upload_body.check_unchanged(path, size, mtime_ns, os.fstat(handle.fileno()))
            if not data:
                raise file_changed_error(path, detail=f"file ended after {sent} bytes")
            sent += len(data)
            pending = start(sent)
            meter.advance(len(data))
            yield data
    finally:
        if pending is not None:
            with contextlib.suppress(BaseException):
                await pending
        await asyncio.to_thread(handle.close)


def apply_variant(variant: str) -> None:
    if variant == "no-md5":
        vars(transfer)["hashlib"] = _HashlibWithoutMd5
    elif variant == "sync-read":
        vars(transfer)["read_file"] = _read_file_sync
    elif variant == "one-ahead":
        vars(transfer)["read_file"] = _read_file_one_ahead
    elif variant != "as-is":
        raise SystemExit(f"unknown variant {variant!r}; one of {', '.join(VARIANTS)}")


# --- the measured transfer ----------------------------------------------------------------


async def _measure(
    args: argparse.Namespace, on_progress: Callable[[TransferProgress], None]
) -> dict[str, Any]:
    http = make_http_client()
    try:
        # Warm-up, as the app does at start-up: lazy imports and the connection (STACK-NOTES §2).
        await http.head(args.url)
        operation: Callable[[], Awaitable[Any]]
        if args.op == "upload":

            async def operation() -> Any:
                return await transfer.upload_file(
                    http,
                    args.url,
                    Path(args.path),
                    expected_size=args.upload_size,
                    expected_mtime_ns=args.upload_mtime_ns,
                    expected_md5=args.upload_md5,
                    on_progress=on_progress,
                    cancel=asyncio.Event(),
                )

        else:

            async def url_provider() -> str:
                return str(args.url)

            async def operation() -> Any:
                return await download_file(
                    http,
                    url_provider,
                    Path(args.dest_dir),
                    args.name,
                    expected_size=args.size,
                    on_progress=on_progress,
                    cancel=asyncio.Event(),
                )

        hwm_before = _status_kib("VmHWM")
        peak_reset = _reset_peak_rss()
        rss_before = _status_kib("VmRSS")
        cpu_before = _cpu_seconds()
        profiler = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        result = await operation()
        if profiler is not None:
            profiler.disable()
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
        if profiler is not None:
            profiler.dump_stats(args.profile)
        out: dict[str, Any] = {
            "seconds": seconds,
            "cpu_seconds": cpu,
            "rss_before_kib": rss_before,
            "peak_rss_kib": _status_kib("VmHWM"),
            "rss_after_kib": _status_kib("VmRSS"),
            "startup_peak_rss_kib": hwm_before,
            "peak_reset": peak_reset,
        }
        if args.op == "upload":
            out.update(
                bytes=result.bytes_sent,
                etag_checked=result.etag_checked,
                etag_note=result.etag_note,
                md5=result.md5_hex,
            )
        else:
            out.update(bytes=result.size, path=str(result.path))
        return out
    finally:
        await http.aclose()


def _run_asyncio(args: argparse.Namespace) -> dict[str, Any]:
    calls = 0

    def on_progress(_: TransferProgress) -> None:
        nonlocal calls
        calls += 1

    out = asyncio.run(_measure(args, on_progress))
    out["progress_calls"] = calls
    return out


def _run_qasync(args: argparse.Namespace) -> dict[str, Any]:
    """The same transfer inside a qasync loop, feeding a QProgressBar (offscreen)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication, QProgressBar

    app = QApplication.instance() or QApplication([])
    bar = QProgressBar()
    bar.setRange(0, 1000)
    bar.show()
    calls = 0

    def on_progress(progress: TransferProgress) -> None:
        nonlocal calls
        calls += 1
        bar.setValue(int((progress.fraction or 0.0) * 1000))

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        out: dict[str, Any] = loop.run_until_complete(_measure(args, on_progress))
    out["progress_calls"] = calls
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--op", choices=("upload", "download"), required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--path", help="upload: the file to send")
    parser.add_argument("--dest-dir", help="download: the folder to write into")
    parser.add_argument("--name", default="download.bin", help="download: the file name")
    parser.add_argument("--size", type=int, help="download: the expected size")
    parser.add_argument("--loop", choices=LOOPS, default="asyncio")
    parser.add_argument("--variant", choices=VARIANTS, default="as-is")
    parser.add_argument(
        "--expected-md5",
        metavar="HEX|auto",
        help="upload: the MD5 the app's preflight found, as the submit pipeline always passes "
        "it (then upload_file does not hash while sending); 'auto': hash the file first, "
        "before anything is timed. Default: not given (upload_file hashes as it sends)",
    )
    parser.add_argument("--profile", help="write a cProfile dump of the transfer here")
    parser.add_argument("--out", required=True, help="write the JSON result here")
    args = parser.parse_args(argv)
    if args.op == "upload" and not args.path:
        parser.error("--path is required for uploads")
    if args.op == "download" and not args.dest_dir:
        parser.error("--dest-dir is required for downloads")
    if args.op == "upload":
        stat = Path(args.path).stat()  # what the app's pre-flight check would have recorded
        args.upload_size, args.upload_mtime_ns = stat.st_size, stat.st_mtime_ns
        args.upload_md5 = (
            _md5_of_file(Path(args.path)) if args.expected_md5 == "auto" else args.expected_md5
        )
    if args.variant == "no-md5":
        args.upload_md5 = None  # nothing is hashed, so there is nothing to compare it with
    apply_variant(args.variant)
    out = _run_qasync(args) if args.loop == "qasync" else _run_asyncio(args)
    out.update(op=args.op, loop=args.loop, variant=args.variant)
    if args.op == "upload":
        out["md5_given"] = bool(args.upload_md5)
    Path(args.out).write_text(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
