"""``submit``: send assessment files through the submission pipeline, optionally wait for output.

Runway has no job-status endpoint (CONTRACT §5.5): ``--wait`` can only watch for an output set
carrying the job's uid. A failed run never produces one, so the honest answer after the
timeout is "no result yet — look in the web app", with the job id to look for.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from runway_desktop.api.models import OutputSetFilter
from runway_desktop.bundles.model import Bundle
from runway_desktop.cli import lookups
from runway_desktop.cli.connection import CommandSession, choose_profile, registry
from runway_desktop.cli.output import (
    EXIT_LOCAL_FILE,
    EXIT_OK,
    EXIT_USAGE,
    CliParser,
    Console,
    SubCommands,
    failure_from_error,
    usage_error,
)
from runway_desktop.cli.progress import SubmitProgress
from runway_desktop.cli.resume import undecided_failure
from runway_desktop.cli.waiting import (
    DEFAULT_WAIT_SECONDS,
    WAIT_LOOKBACK,
    check_wait_options,
    no_output_failure,
    report_sets,
    wait_for_output,
)
from runway_desktop.core.submit.checks import accept_all
from runway_desktop.core.submit.events import Outcome, SubmissionInvalid
from runway_desktop.core.submit.form_values import FormValues, submission_request
from runway_desktop.core.submit.pipeline import SubmissionPipeline
from runway_desktop.history.records import utc_now


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
    submit.add_argument(
        "--accept-mismatch",
        action="store_true",
        help="send files that look like another assessment's, or of another school year, "
        "anyway (without it such a file is refused, exit 5)",
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


def find_bundle(path: str) -> Bundle:
    return lookups.find_bundle(registry(), path)


async def run_submit(args: argparse.Namespace, console: Console) -> int:
    check_wait_options(args)
    bundle = find_bundle(args.bundle)
    lookups.school_year_argument(bundle, args.year)
    files = file_paths(parse_pairs(args.file, "--file"))
    # A file that looks wrong (its columns, its school year) is refused by the pipeline's
    # check, the rule the window's "Send anyway…" follows too; --accept-mismatch accepts it.
    accepted = accept_all(files) if args.accept_mismatch else ()
    params = parse_pairs(args.param, "--param")
    chosen = choose_profile(args.profile, args.profile_file)
    async with CommandSession(chosen) as connection:
        partner = await connection.partner(args.partner)
        progress = SubmitProgress(console)
        pipeline = SubmissionPipeline(
            connection.client, connection.http, connection.history, listener=progress.handle
        )
        values = FormValues(partner, args.tenant, args.year, bundle, params, files)
        request = submission_request(chosen.profile, values, accepted_mismatches=accepted)
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
                # "3 things need fixing." alone would hide what they are: name each.
                problems = result.error.problems
                for problem in problems if len(problems) > 1 else []:
                    console.note(f"- {problem.message}")
                code = invalid_exit_code(result.error, files, bundle)
            failure = failure_from_error(result.error, exit_code=code, extra=ids)
            if isinstance(result.error, SubmissionInvalid) and result.error.mismatches:
                failure.next_step = mismatch_next_step(result.error)
            raise failure
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
        raise no_output_failure(result.job_uid, timeout, ids, result.outcome.value)
    report_sets(sets, summary, console)
    if console.json_mode:
        console.json(summary)
    return EXIT_OK


def mismatch_next_step(error: SubmissionInvalid) -> str:
    """How to go on from a refused mismatch: the right file, or --accept-mismatch, saying
    plainly when Runway's run would fail on the file anyway."""
    fails = any(m.run_will_fail for m in error.mismatches)
    warning = (
        " Runway will most likely fail to process such a file and make no output." if fails else ""
    )
    return (
        "Choose the right file (or assessment, or school year), or add --accept-mismatch to "
        f"send it anyway.{warning}"
    )


def invalid_exit_code(error: SubmissionInvalid, files: dict[str, Path], bundle: Bundle) -> int:
    """A file the user named that is unusable → 5; a missing or unknown slot, a bad param → 2."""
    for problem in error.problems:
        kind, _, key = problem.field.partition(":")
        if kind == "file" and key in files and bundle.file(key) is not None:
            return EXIT_LOCAL_FILE
    return EXIT_USAGE
