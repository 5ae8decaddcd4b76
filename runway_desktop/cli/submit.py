"""``submit``: send assessment files through the submission pipeline, optionally wait for output.

Runway has no job-status endpoint (CONTRACT §5.5): ``--wait`` can only watch for an output set
carrying the job's uid. A failed run never produces one, so the honest answer after the
timeout is "no result yet — look in the web app", with the job id to look for.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from runway_desktop.api.models import OutputSet, OutputSetFilter
from runway_desktop.base.formatting import duration_text
from runway_desktop.bundles.content_check import school_year_note, try_check_content
from runway_desktop.bundles.model import Bundle
from runway_desktop.cli.connection import CommandSession, choose_profile, registry
from runway_desktop.cli.output import (
    EXIT_LOCAL_FILE,
    EXIT_OK,
    EXIT_TRANSIENT,
    EXIT_USAGE,
    CliParser,
    CommandFailure,
    Console,
    SubCommands,
    failure_from_error,
    usage_error,
    yes_no,
)
from runway_desktop.cli.progress import SubmitProgress
from runway_desktop.cli.resume import undecided_failure
from runway_desktop.core.output_sets import list_and_record
from runway_desktop.core.submit.events import Outcome, SubmissionInvalid, SubmissionRequest
from runway_desktop.core.submit.pipeline import SubmissionPipeline
from runway_desktop.history.records import utc_now

DEFAULT_WAIT_SECONDS = 3600.0  # Runway's executor gives up on a run after an hour (§5.1)
# Poll soon (small files finish in seconds), then settle at a gentle pace.
POLL_DELAYS = (1.0, 2.0, 3.0)
POLL_SECONDS = 5.0
# Sets are stamped before they become visible, and clocks differ: look back a little.
WAIT_LOOKBACK = timedelta(minutes=10)


def add_submit_parser(commands: SubCommands, common: CliParser) -> None:
    submit = commands.add_parser(
        "submit", parents=[common], help="send assessment files to Runway and start the job"
    )
    submit.add_argument("--partner", help="partner code (default: from the profile or token)")
    submit.add_argument("--tenant", required=True, help="district (tenant) code")
    submit.add_argument("--year", required=True, help='school year end year: "2026" = 2025–26')
    submit.add_argument("--bundle", required=True, help="assessment, e.g. assessments/STAR")
    submit.add_argument(
        "--file",
        action="append",
        default=[],
        metavar="KEY=PATH",
        help="a file for the bundle's slot KEY, e.g. INPUT_FILE=scores.csv",
    )
    submit.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a bundle parameter, e.g. TEST_TYPE=SAT",
    )
    submit.add_argument("--wait", action="store_true", help="wait until Runway's output appears")
    submit.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help=f"with --wait: give up after this long (default {DEFAULT_WAIT_SECONDS:.0f} s)",
    )


def parse_pairs(values: list[str], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip() or not rest.strip():
            example = "INPUT_FILE=scores.csv" if option == "--file" else "TEST_TYPE=SAT"
            raise usage_error(
                f"{option} {value!r} is not in the form KEY=VALUE.",
                f"For example: {option} {example}",
            )
        if key.strip() in pairs:
            raise usage_error(f"{option} {key.strip()} is given twice.")
        pairs[key.strip()] = rest.strip()
    return pairs


def file_paths(pairs: dict[str, str]) -> dict[str, Path]:
    return {key: Path(value).expanduser() for key, value in pairs.items()}


def school_year_notes(bundle: Bundle, files: dict[str, Path], year: str) -> list[str]:
    """ "SR.csv: This file's school year is 2023–24; you chose 2025–26. …", per file."""
    notes = []
    for env_var, path in files.items():
        finding, _failure = try_check_content(path, bundle.path, env_var)
        note = school_year_note(finding, year)
        if note is not None:
            notes.append(f"{path.name}: {note.message}")
    return notes


def find_bundle(path: str) -> Bundle:
    bundle = registry().get(path)
    if bundle is not None:
        return bundle
    close = [b.path for b in registry().search(path.rsplit("/", 1)[-1])][:5]
    hint = f"Did you mean {', '.join(close)}?" if close else "Check the assessment's registry path."
    raise usage_error(f"There is no assessment {path!r} in the bundle registry.", hint)


async def run_submit(args: argparse.Namespace, console: Console) -> int:
    if args.timeout is not None and not args.wait:
        raise usage_error("--timeout only makes sense with --wait.")
    if args.timeout is not None and args.timeout <= 0:
        raise usage_error("--timeout must be a positive number of seconds.")
    bundle = find_bundle(args.bundle)
    files = file_paths(parse_pairs(args.file, "--file"))
    # A wrong file is refused by the pipeline's check (preflight, the same rule as the
    # window's); the school year is only this command's to compare, and only warned about.
    for note in await asyncio.to_thread(school_year_notes, bundle, files, args.year.strip()):
        console.note(f"Note: {note}")
    params = parse_pairs(args.param, "--param")
    chosen = choose_profile(args.profile, args.profile_file)
    async with CommandSession(chosen) as connection:
        partner = await connection.partner(args.partner)
        progress = SubmitProgress(console)
        pipeline = SubmissionPipeline(
            connection.client, connection.http, connection.history, listener=progress.handle
        )
        request = SubmissionRequest(
            profile_name=chosen.profile.name,
            api_base_url=chosen.profile.api_base_url,
            partner=partner,
            tenant=args.tenant.strip(),
            school_year=args.year.strip(),
            bundle=bundle,
            files=files,
            params=params,
        )
        submitted_at = utc_now()
        result = await pipeline.submit(request)
        progress.close()
        ids: dict[str, Any] = {"submission_id": result.submission_id, "job_uid": result.job_uid}
        if result.outcome is Outcome.UNDECIDED:
            # The start's answer was lost: `resume` settles it and never starts twice.
            raise undecided_failure(result)
        if result.error is not None:
            code = None
            if isinstance(result.error, SubmissionInvalid):
                for problem in result.error.problems[1:]:
                    console.note(f"Also: {problem.message}")
                code = _invalid_exit_code(result.error, files, bundle)
            raise failure_from_error(result.error, exit_code=code, extra=ids)
        console.result(result.job_uid or "")
        summary: dict[str, Any] = {"ok": True, **ids, "outcome": result.outcome.value}
        if result.already_started:
            console.note("Runway had already started this job.")
        if not args.wait:
            console.note("Runway accepted the job; its output appears under `outputs list`.")
            if console.json_mode:
                console.json(summary)
            return EXIT_OK
        assert result.job_uid is not None  # a started submission always has its job uid
        timeout = args.timeout or DEFAULT_WAIT_SECONDS
        query = OutputSetFilter(
            partner=partner,
            tenant=request.tenant,
            school_year=request.school_year,
            bundle=bundle.path,
            created_after=submitted_at - WAIT_LOOKBACK,
        )
        sets = await wait_for_output(connection, query, result.job_uid, timeout, console)
    if not sets:
        raise CommandFailure(
            f"No output has appeared for job {result.job_uid} after "
            f"{duration_text(timeout)}. Runway reports failed runs only in its web app.",
            f"Look for job {result.job_uid} in the Runway web app (or give that id to Runway "
            "support); if it is still running, check later with `outputs list`.",
            EXIT_TRANSIENT,
            "WaitTimedOut",
            {**ids, "outcome": result.outcome.value},
        )
    for output_set in sets:
        console.result(f"{output_set.uid}  sent to ODS: {yes_no(output_set.sent_to_ods)}")
    if console.json_mode:
        summary["output_sets"] = [
            {"uid": s.uid, "sentToOds": s.sent_to_ods, "files": list(s.files)} for s in sets
        ]
        console.json(summary)
    return EXIT_OK


def _invalid_exit_code(error: SubmissionInvalid, files: dict[str, Path], bundle: Bundle) -> int:
    """A file the user named that is unusable → 5; a missing or unknown slot, a bad param → 2."""
    for problem in error.problems:
        kind, _, key = problem.field.partition(":")
        if kind == "file" and key in files and bundle.file(key) is not None:
            return EXIT_LOCAL_FILE
    return EXIT_USAGE


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
