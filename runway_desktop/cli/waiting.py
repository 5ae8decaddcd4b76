"""``--wait``: watch for a started job's output sets, for ``submit`` and ``history resume``.

Runway has no job-status endpoint (CONTRACT §5.5): waiting can only watch for an output set
carrying the job's uid. A failed run never produces one, so the honest answer after the
timeout is "no result yet", with the likely cause and the job id to look for.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import timedelta
from typing import Any

from runway_desktop.api.models import OutputSet, OutputSetFilter
from runway_desktop.base.formatting import duration_text
from runway_desktop.cli.connection import CommandSession
from runway_desktop.cli.output import EXIT_TRANSIENT, CommandFailure, Console, usage_error, yes_no
from runway_desktop.core.output_sets import list_and_record
from runway_desktop.core.submission_state import NO_OUTPUT_CAUSE

DEFAULT_WAIT_SECONDS = 3600.0  # Runway's executor gives up on a run after an hour (§5.1)
# Poll soon (small files finish in seconds), then settle at a gentle pace.
POLL_DELAYS = (1.0, 2.0, 3.0)
POLL_SECONDS = 5.0
# Sets are stamped before they become visible, and clocks differ: look back a little.
WAIT_LOOKBACK = timedelta(minutes=10)


def check_wait_options(args: argparse.Namespace) -> None:
    if args.timeout is not None and not args.wait:
        raise usage_error("--timeout only makes sense with --wait.")
    if args.timeout is not None and args.timeout <= 0:
        raise usage_error("--timeout must be a positive number of seconds.")


async def wait_for_output(
    connection: CommandSession,
    query: OutputSetFilter,
    job_uid: str,
    wait_seconds: float,
    console: Console,
) -> list[OutputSet]:
    """Poll until sets with ``job_uid`` are listed (all of a run's sets appear together, §5.5)."""
    console.note(f"Waiting up to {duration_text(wait_seconds)} for Runway's output…")
    deadline = time.monotonic() + wait_seconds
    polls = 0
    while True:
        # Recorded too, so the desktop app's History shows this job as processed.
        listed = await list_and_record(connection.client, connection.history, query)
        mine = [s for s in listed if s.job_uid == job_uid]
        if mine:
            return mine
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return []
        delay = POLL_DELAYS[polls] if polls < len(POLL_DELAYS) else POLL_SECONDS
        polls += 1
        await asyncio.sleep(min(delay, remaining))


def no_output_failure(
    job_uid: str, timeout: float, ids: dict[str, Any], outcome: str
) -> CommandFailure:
    return CommandFailure(
        f"No output has appeared for job {job_uid} after {duration_text(timeout)}. "
        f"{NO_OUTPUT_CAUSE} Runway reports failed runs only in its web app.",
        f"Look for job {job_uid} in the Runway web app (or give that id to Runway support); "
        "if it is still running, check later with `outputs list`.",
        EXIT_TRANSIENT,
        "WaitTimedOut",
        {**ids, "outcome": outcome},
    )


def report_sets(sets: list[OutputSet], summary: dict[str, Any], console: Console) -> None:
    for output_set in sets:
        console.result(f"{output_set.uid}  sent to ODS: {yes_no(output_set.sent_to_ods)}")
    summary["output_sets"] = [
        {"uid": s.uid, "sentToOds": s.sent_to_ods, "files": list(s.files)} for s in sets
    ]
