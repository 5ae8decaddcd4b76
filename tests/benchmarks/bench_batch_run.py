"""Sending a 200-item batch of small files to the sandbox, then sending the finished plan again.

Issue figures: a 200-item batch of small files runs at the concurrency limit with memory flat
(RSS growth ≤ 64 MB over the run); re-running the finished plan sends 0 files and starts 0
jobs, with the sandbox's ``/_sandbox/state`` as the witness. Run on demand (the file is named
bench_* so the default run skips it):

    QT_QPA_PLATFORM=offscreen python -m pytest -m benchmark -s -p no:cacheprovider \
        tests/benchmarks/bench_batch_run.py

About 30 s here. ``RUNWAY_BENCH_BATCH_ITEMS`` (default 200) sets the batch's size and
``RUNWAY_BENCH_BATCH_REFERENCE`` (default: all of them) how many submissions the sequential
reference sends. The parts below (files, memory and CPU, witness, runs) are in
``batch_bench_support.py``; this file runs them, prints the figures and judges them.

- **Files.** The shipped FastBridge Early Math sample (one file, 115 KB) and STAR's three
  samples (2–9 KB), in turn: 100 + 100 submissions, 400 files (12 MB in all), in
  ``district-a``/``district-b`` folders (a STAR submission's files in a folder of their own),
  Early Math's files side by side. Each copy differs from every other by which of its unquoted
  fields are written in quotes (bit k of the item's number quotes the k-th one): a CSV reader
  reads the same values, so every check passes, but every file has an MD5 of its own and each
  item is a distinct submission.
- **Plan.** ``plan_folder`` + ``plan_text``, written and read back with ``read_plan``, as
  ``batch plan -o`` and ``batch run`` do.
- **Run.** ``BatchRunner`` with ``DEFAULT_JOBS`` on the app's loop (``qasync.QEventLoop`` over
  an offscreen ``QApplication``, the app's main-thread garbage collector on), against the
  sandbox as a child process (``tests/sandbox_process.py``) over real HTTP, its executor delay
  an hour (a started job does not run while we measure). One warm-up submission first (the HTTP
  client, the token, the worker pool), as the app has done by the time a batch is sent.
- **Measured.** Wall time and items/s; items running at once, from ``ItemStarted`` /
  ``ItemFinished``: the maximum (it must reach the limit and never exceed it) and the share of
  the wall time spent at the limit; this process's RSS (psutil when installed, else VmRSS of
  /proc/self/status) every 50 ms, after 50, 100, 150, 200 items (each quarter), and its peak
  (``VmHWM`` reset through /proc/self/clear_refs before the run, where Linux allows it).
  Growth = peak − start, asserted ≤ 64 MiB; the RSS per item between the first and the last
  quarter shows whether it is flat.
- **Run again.** A new runner on the same history and plan. From ``/_sandbox/state`` before and
  after: jobs created (its jobs), jobs started (their runs) and files uploaded. The last is
  counted by the sandbox itself: its ``s3_delay`` fault switch, set to 0 s with a large
  ``count``, is used up once per upload received in full, and the state shows what is left. All
  three must be 0, and every item's outcome "already sent". ``/_sandbox/objects`` is compared too.
- **Reference.** The same submissions one after the other, each a bare
  ``SubmissionPipeline.submit`` (its own checks, concurrency 1), on a fresh history and an
  emptied sandbox (``POST /_sandbox/reset``): the batch's items/s is shown against it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from sandbox_process import SandboxProcess

from runway_desktop.api.http import make_http_client
from runway_desktop.base import workers
from runway_desktop.bundles.registry import load_snapshot
from runway_desktop.core.batch.plan import plan_folder
from runway_desktop.core.batch.plan_file import plan_text, read_plan
from runway_desktop.core.batch.run import DEFAULT_JOBS, STATUS_WORDS, ItemStatus
from runway_desktop.core.session import connect
from runway_desktop.history.store import HistoryStore
from runway_desktop.settings import Profile

from .batch_bench_support import (
    DISTRICTS,
    MATH,
    PARTNER,
    RSS_SOURCE,
    Bench,
    Witness,
    app_garbage_collector,
    count_uploads,
    env_int,
    make_folder,
    quoted_variant,
    run_on,
)

pytestmark = [pytest.mark.benchmark, pytest.mark.timeout(3600)]
RSS_TARGET_MIB = 64.0


def _ratio(value: float, reference: float) -> str:
    return f"{value / reference:.2f}×" if reference else "–"


def test_batch_run_at_the_limit_with_flat_memory_then_nothing_twice(
    qapp: QApplication, tmp_path: Path
) -> None:
    import qasync  # the app's loop; imported here like the other Qt benchmarks' helpers

    items = env_int("RUNWAY_BENCH_BATCH_ITEMS", 200)
    reference_count = min(items, env_int("RUNWAY_BENCH_BATCH_REFERENCE", items))
    assert items >= DEFAULT_JOBS, "the limit can only be reached with at least that many items"
    root = tmp_path / "drop"
    file_count = make_folder(root, items)
    file_bytes = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    warm_folder = tmp_path / "warm-up" / DISTRICTS[0]
    warm_folder.mkdir(parents=True)
    (warm_folder / "warm-up.csv").write_bytes(quoted_variant(MATH.read_bytes(), 1 << 12))
    registry = load_snapshot()
    planned = plan_folder(root, registry, partner=PARTNER, known_tenants=DISTRICTS)
    assert not planned.unplaced, planned.unplaced
    plan_path = tmp_path / "plan.toml"
    plan_path.write_text(plan_text(planned, registry), encoding="utf-8")
    plan = read_plan(plan_path)
    assert len(plan.items) == items
    warm_plan = plan_folder(warm_folder.parent, registry, partner=PARTNER, known_tenants=DISTRICTS)

    with contextlib.ExitStack() as stack:
        sandbox = stack.enter_context(SandboxProcess(executor_delay=3600.0, visibility_lag=0.0))
        profile, secret = Profile.from_sandbox_json(sandbox.profile, name="bench")
        assert secret is not None
        loop = qasync.QEventLoop(qapp)
        asyncio.set_event_loop(loop)
        stack.callback(asyncio.set_event_loop, None)
        stack.enter_context(loop)
        stack.callback(workers.shutdown)
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="runway-batch-")))
        http = make_http_client()
        stack.callback(lambda: run_on(loop, http.aclose))
        connection = connect(http, profile, secret)
        history = HistoryStore(scratch / "history.sqlite3")
        stack.callback(history.close)
        warm_history = HistoryStore(scratch / "warm-up.sqlite3")
        stack.callback(warm_history.close)
        stack.enter_context(app_garbage_collector())
        count_uploads(sandbox)

        # Warm-up: sign-in, a connection, the worker pool, the first imports.
        warm = Bench(sandbox, http, connection, warm_history, warm_plan)
        assert run_on(loop, lambda: warm.sequential(warm_history, 1))[1] == 1
        bench = Bench(sandbox, http, connection, history, plan)

        before_first = Witness.read(sandbox)
        first = run_on(loop, lambda: bench.batch(measure_memory=True))
        after_first = Witness.read(sandbox)
        again = run_on(loop, lambda: bench.batch(measure_memory=False))
        after_again = Witness.read(sandbox)

        sandbox.reset()  # the reference's submissions are new to an empty sandbox
        count_uploads(sandbox)
        reference_history = HistoryStore(scratch / "reference.sqlite3")
        stack.callback(reference_history.close)
        before_reference = Witness.read(sandbox)
        reference_seconds, reference_ok, reference_cpu = run_on(
            loop, lambda: bench.sequential(reference_history, reference_count)
        )
        reference_sent = Witness.read(sandbox).since(before_reference)

    sent_first = after_first.since(before_first)
    sent_again = after_again.since(after_first)
    first_status = {s: sum(1 for o in first.outcomes if o.status is s) for s in ItemStatus}
    again_words = sorted({STATUS_WORDS[o.status] for o in again.outcomes})
    watch = first.watch
    rate = items / first.seconds
    reference_rate = reference_count / reference_seconds
    again_rate = items / again.seconds
    subset = "" if reference_count == items else f" (a subset: {reference_count} of {items})"
    cpus = os.cpu_count()

    lines = [
        f"== batch run: {items} items ({items // 2 + items % 2} FastBridge Early Math, "
        f"{items // 2} STAR), {file_count} files, {file_bytes / 1024:.0f} KiB; jobs "
        f"{DEFAULT_JOBS}; qasync + offscreen Qt; sandbox child process; {cpus} CPUs ==",
    ]
    header = (
        f"{'run':<36} {'wall s':>7} {'items/s':>8} {'vs. seq':>8}  "
        "CPU s: this process / workers / sandbox"
    )
    lines += [header, "-" * len(header)]
    rows = (
        ("batch, first run", first.seconds, rate, first.cpu),
        ("batch, run again (nothing to send)", again.seconds, again_rate, again.cpu),
        ("sequential pipeline, concurrency 1", reference_seconds, reference_rate, reference_cpu),
    )
    for name, seconds, per_second, cpu in rows:
        lines.append(
            f"{name:<36} {seconds:>7.2f} {per_second:>8.2f} "
            f"{_ratio(per_second, reference_rate):>8}  {cpu.text()}"
        )
    if subset:
        lines.append(f"  sequential: {subset.strip(' ()')}")
    lines.append(
        f"  items at once: max {watch.most} (limit {DEFAULT_JOBS}: "
        f"{'reached' if watch.most >= DEFAULT_JOBS else 'NOT reached'}, "
        f"{'never exceeded' if watch.most <= DEFAULT_JOBS else 'EXCEEDED'}); at the limit "
        f"{watch.at_limit / first.seconds:.0%} of the wall time; run again: max "
        f"{again.watch.most}"
    )
    marks = " · ".join(f"{n}: {mib:.1f}" for n, mib in sorted(watch.checkpoints.items()))
    lines.append(
        f"  RSS MiB ({RSS_SOURCE}): start {first.rss_start:.1f}, peak {first.rss_peak:.1f} "
        f"({first.peak_source}), end {first.rss_end:.1f}; growth {first.growth:.1f} "
        f"(target ≤ {RSS_TARGET_MIB:.0f}: {'PASS' if first.growth <= RSS_TARGET_MIB else 'MISS'})"
    )
    slope = ""
    if len(watch.checkpoints) >= 2:
        (low, low_mib), *_, (high, high_mib) = sorted(watch.checkpoints.items())
        per_item = (high_mib - low_mib) * 1024 / (high - low)
        slope = f" ({per_item:.1f} KiB per item from {low} to {high})"
    lines.append(f"  RSS MiB after items finished: {marks}{slope}")
    lines.append(
        "  outcomes, first run: "
        + ", ".join(f"{n} {STATUS_WORDS[s]}" for s, n in first_status.items() if n)
    )
    for label, seen in (
        ("first run", sent_first),
        ("run again", sent_again),
        ("sequential", reference_sent),
    ):
        lines.append(
            f"  /_sandbox/state, {label}: {seen.jobs} jobs created, {seen.uploads} files uploaded, "
            f"{seen.starts} jobs started ({seen.objects} new objects)"
        )
    lines.append(f"  run again, outcomes: {len(again.outcomes)} × {' / '.join(again_words)}")
    print("\n" + "\n".join(lines), file=sys.stderr)
    sys.stderr.flush()

    problems = [o for o in first.outcomes if o.status is not ItemStatus.SENT]
    assert not problems, [(o.number, o.status, o.error or o.reason) for o in problems[:5]]
    assert (sent_first.jobs, sent_first.starts, sent_first.uploads) == (items, items, file_count)
    assert reference_ok == reference_count
    assert watch.most == DEFAULT_JOBS, f"items at once: max {watch.most}, limit {DEFAULT_JOBS}"
    assert again.watch.most <= DEFAULT_JOBS
    assert first.growth <= RSS_TARGET_MIB, f"RSS grew {first.growth:.1f} MiB"
    assert (sent_again.jobs, sent_again.uploads, sent_again.starts) == (0, 0, 0), sent_again
    assert sent_again.objects == 0
    assert [o.status for o in again.outcomes] == [ItemStatus.ALREADY_SENT] * items
    assert again_words == ["already sent"]
