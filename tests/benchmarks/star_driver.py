"""One STAR submission (three files) against a running sandbox, in a fresh process.

Run by ``test_star_benchmark.py`` once per measurement, in one of two modes:

- ``reference``: Runway's Python client as it is, with ``requests``: a form-encoded token
  request, ``POST jobs``, one ``PUT`` per file in turn with the open file as the body, then
  ``POST start``; no local check at all.
- ``runway``: Runway Desktop's ``SubmissionPipeline.submit()`` on the loop the app runs
  (qasync over an offscreen ``QApplication``), its progress shown in the real Submit progress
  panel, with every check: the quick check before sending, the whole-file scans in the worker
  process beside the uploads, the MD5 computed while sending, S3's ETag compared with it.
  Before the clock starts, as in the app by then: the HTTP client exists and has made one
  request, and the worker pool has run one job (the window's file checks start it).

``--variant`` changes one thing in this process only, to see where the time goes:
``two-workers`` (a pool of two worker processes, not ``workers.worker_count()``'s one on a
2-CPU machine) and ``free-scans`` (the whole-file checks answer at once: what the rest costs);
``as-is`` is the shipped code.

The clock runs from the first request (reference) or ``submit()`` (runway) to the started
job. The JSON result has ``seconds``, this process's CPU seconds in that time (its worker
processes' apart), and for ``runway`` when each phase ended (``phases``, seconds from the
start), the scans' own times and what the history recorded (MD5s, ETag checks).

Usage: python star_driver.py --mode runway --profile sandbox.json --file INPUT_FILE=SR.csv …
    --out result.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MODES = ("reference", "runway")
VARIANTS = ("as-is", "two-workers", "free-scans")
PARTNER, TENANT, YEAR, BUNDLE = "acme", "district-a", "2024", "assessments/STAR"


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _children_cpu_seconds() -> float:
    """User+system CPU of this process's live children (the worker pool), from /proc."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    me = str(os.getpid())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me:  # ppid
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


# --- Runway's Python client, as it is -----------------------------------------------------------


def run_reference(profile: dict[str, Any], files: dict[str, Path]) -> dict[str, Any]:
    import requests  # a dev dependency: the reference client's own library

    api = str(profile["api_base_url"]).rstrip("/")
    session = requests.Session()
    session.trust_env = False  # loopback only: no proxy from the environment
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    token = session.post(
        str(profile["token_url"]),
        data={
            "grant_type": "client_credentials",
            "client_id": profile["client_id"],
            "client_secret": profile["client_secret"],
        },
    )
    token.raise_for_status()
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    body: dict[str, Any] = {
        "partner": PARTNER,
        "tenant": TENANT,
        "bundle": BUNDLE,
        "schoolYear": YEAR,
        "files": {env: path.name for env, path in files.items()},
    }
    created = session.post(f"{api}/jobs", json=body, headers=headers)
    created.raise_for_status()
    job = created.json()
    for env, path in files.items():
        with path.open("rb") as handle:
            put = session.put(job["uploadUrls"][env], data=handle)
        put.raise_for_status()
    start = session.post(f"{api}/jobs/{job['uid']}/start", headers=headers)
    start.raise_for_status()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu_seconds": _cpu_seconds() - cpu_before,
        "job_uid": job["uid"],
        "start_status": start.status_code,
    }


# --- Runway Desktop's pipeline, on the app's loop -----------------------------------------------


async def _runway(profile: dict[str, Any], files: dict[str, Path], panel: Any) -> dict[str, Any]:
    from runway_desktop.api.auth import TokenProvider, TokenSettings
    from runway_desktop.api.client import RunwayClient
    from runway_desktop.api.http import make_http_client
    from runway_desktop.base.resources import samples_dir
    from runway_desktop.bundles.preflight import preflight_file
    from runway_desktop.bundles.registry import load_snapshot
    from runway_desktop.core.submit.events import (
        FileProgress,
        FileScanned,
        PipelineEvent,
        Step,
        StepFinished,
        StepStarted,
        SubmissionRequest,
    )
    from runway_desktop.core.submit.pipeline import SubmissionPipeline
    from runway_desktop.history.store import HistoryStore
    from runway_desktop.ui.event_adapter import dispatcher

    bundle = load_snapshot().get(BUNDLE)
    assert bundle is not None
    http = make_http_client()
    scratch = tempfile.TemporaryDirectory(prefix="runway-star-")
    history = HistoryStore(Path(scratch.name) / "history.sqlite3")
    try:
        tokens = TokenProvider(
            http,
            TokenSettings(
                token_url=str(profile["token_url"]),
                client_id=str(profile["client_id"]),
                client_secret=str(profile["client_secret"]),
                audience=str(profile["audience"]),
            ),
        )
        client = RunwayClient(http, str(profile["api_base_url"]), tokens)
        # What the app has done by the time Submit is pressed: its client made a request,
        # and a file check started the worker pool.
        await http.get(str(profile["control_url"]) + "/state")
        sample = samples_dir() / "STAR" / "SR_SkillArea_v1_sample_anonymized_file.csv"
        slot = bundle.file("INPUT_FILE_SA")
        assert slot is not None
        await preflight_file(sample, slot)

        show = dispatcher(panel.handlers())
        panel.begin("Sending Star Assessments", {env: p.name for env, p in files.items()})
        started = time.perf_counter()
        phases: dict[str, float] = {}
        scans: dict[str, float] = {}
        progress_events = 0

        def mark(name: str) -> None:
            phases.setdefault(name, time.perf_counter() - started)

        def listen(event: PipelineEvent) -> None:
            nonlocal progress_events
            show(event)
            if isinstance(event, StepFinished) and event.status == "done":
                mark(f"{event.step.name.lower()} done")
            elif isinstance(event, StepStarted) and event.step is Step.START:
                mark("start asked")
            elif isinstance(event, FileProgress):
                progress_events += 1
                if event.progress.bytes_done:
                    mark("first byte sent")
                if event.progress.fraction == 1.0:
                    mark(f"{event.env_var} sent")
            elif isinstance(event, FileScanned):
                mark(f"{event.env_var} scanned")
                scans[event.env_var] = event.seconds

        pipeline = SubmissionPipeline(client, http, history, listener=listen)
        request = SubmissionRequest(
            profile_name="sandbox",
            api_base_url=str(profile["api_base_url"]),
            partner=PARTNER,
            tenant=TENANT,
            school_year=YEAR,
            bundle=bundle,
            files=files,
        )
        cpu_before, workers_before = _cpu_seconds(), _children_cpu_seconds()
        result = await pipeline.submit(request)
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
        workers = _children_cpu_seconds() - workers_before
        if not result.ok:
            raise RuntimeError(f"the submission did not start: {result.error!r}")
        record = history.get(result.submission_id)
        assert record is not None
        return {
            "seconds": seconds,
            "cpu_seconds": cpu,
            "worker_cpu_seconds": workers,
            "job_uid": result.job_uid,
            "phases": phases,
            "scan_seconds": scans,
            "progress_events": progress_events,
            "md5": {f.env_var: f.md5 for f in record.files},
            "etag_checked": {f.env_var: bool(f.etag_checked) for f in record.files},
            "steps": [(s.step, s.detail, s.status) for s in record.steps],
        }
    finally:
        history.close()
        await http.aclose()
        scratch.cleanup()


def apply_variant(variant: str) -> None:
    """Patch one piece of the pipeline in this process only (see the module's doc)."""
    from runway_desktop.base import workers
    from runway_desktop.bundles.preflight import PreflightReport, upload_name
    from runway_desktop.core.submit import whole_file_checks

    if variant == "two-workers":
        workers.worker_count = lambda: 2
    elif variant == "free-scans":

        def passed(path: Path) -> PreflightReport:
            info = path.stat()
            return PreflightReport(
                path, info.st_size, info.st_mtime_ns, "", "utf-8", ",", (), 0, (), (), (),
                upload_name(path),
            )  # fmt: skip

        async def scanned_at_once(path: Path, *_: Any, **__: Any) -> PreflightReport:
            return passed(path)

        setattr(whole_file_checks, "preflight_file", scanned_at_once)  # noqa: B010


def run_runway(profile: dict[str, Any], files: dict[str, Path]) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    from runway_desktop.base import workers
    from runway_desktop.ui.submit.progress_panel import ProgressPanel

    app = QApplication.instance() or QApplication([])
    panel = ProgressPanel()
    panel.show()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            out: dict[str, Any] = loop.run_until_complete(_runway(profile, files, panel))
    finally:
        workers.shutdown()
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--mode", choices=MODES, required=True)
    parser.add_argument("--profile", required=True, help="the sandbox's profile (JSON file)")
    parser.add_argument("--file", action="append", default=[], metavar="ENV=PATH")
    parser.add_argument("--variant", choices=VARIANTS, default="as-is", help="runway only")
    parser.add_argument("--out", required=True, help="write the JSON result here")
    args = parser.parse_args(argv)
    apply_variant(args.variant)
    profile = json.loads(Path(args.profile).read_text())
    files = {env: Path(path) for env, _, path in (f.partition("=") for f in args.file)}
    run = run_reference if args.mode == "reference" else run_runway
    out = run(profile, files)
    out["mode"], out["variant"] = args.mode, args.variant
    Path(args.out).write_text(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
