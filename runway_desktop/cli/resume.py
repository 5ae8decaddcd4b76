"""``history resume``: finish a submission that was interrupted or whose answer was lost.

It follows the core's resume plan (core/submit/resume_plan.py), the same one the History
screen's Resume button follows: a job is started only when no start of it was ever left
unanswered. After a lost start answer it only looks for the job's output sets, so running it
again and again is safe.
"""

from __future__ import annotations

import argparse
from typing import Any

from runway_desktop.api.models import OutputSetFilter
from runway_desktop.cli.connection import CommandSession, choose_profile, registry
from runway_desktop.cli.output import (
    EXIT_OK,
    EXIT_TRANSIENT,
    EXIT_USAGE,
    CommandFailure,
    Console,
    failure_from_error,
    usage_error,
)
from runway_desktop.cli.progress import SubmitProgress
from runway_desktop.cli.waiting import (
    DEFAULT_WAIT_SECONDS,
    check_wait_options,
    no_output_failure,
    report_sets,
    wait_for_output,
)
from runway_desktop.core.history_actions import resume_request
from runway_desktop.core.submit.events import Outcome, SubmissionResult
from runway_desktop.core.submit.pipeline import SubmissionPipeline


def add_resume_arguments(resume: argparse.ArgumentParser) -> None:
    """``history resume ID [--wait] [--timeout S]``."""
    resume.add_argument("submission", type=int, metavar="ID", help="the submission's number")
    resume.add_argument("--wait", action="store_true", help="wait until Runway's output appears")
    resume.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help=f"with --wait: give up after this long (default {DEFAULT_WAIT_SECONDS:.0f} s)",
    )


def undecided_failure(result: SubmissionResult) -> CommandFailure:
    """Nothing was started because Runway's answer is unknown: say so, and how to look again."""
    return CommandFailure(
        result.reason or "Couldn't tell whether Runway started this job.",
        f"Run `runway-desktop-cli history resume {result.submission_id}` later: it looks for the "
        "job's results again and never starts it a second time.",
        EXIT_TRANSIENT,
        "undecided",
        {
            "submission_id": result.submission_id,
            "job_uid": result.job_uid,
            "outcome": result.outcome.value,
        },
    )


async def run_resume(args: argparse.Namespace, console: Console) -> int:
    check_wait_options(args)
    chosen = choose_profile(args.profile, args.profile_file)
    async with CommandSession(chosen) as connection:
        record = connection.history.get(args.submission)
        if record is None:
            raise usage_error(
                f"There is no submission #{args.submission} on this computer.",
                "The desktop app's History lists the submissions and their numbers.",
            )
        try:
            request = resume_request(record, connection.connection, registry())
        except LookupError:
            raise CommandFailure(
                f"The assessment {record.bundle!r} is no longer in the bundle registry.",
                "Send the files again as a new submission with `submit`.",
                EXIT_USAGE,
                "bundle_not_in_registry",
            ) from None
        progress = SubmitProgress(console)
        pipeline = SubmissionPipeline(
            connection.client, connection.http, connection.history, listener=progress.handle
        )
        try:
            result = await pipeline.resume(args.submission, request)
        except ValueError as superseded:
            raise usage_error(str(superseded), "Resume the newer submission instead.") from None
        finally:
            progress.close()
    ids: dict[str, Any] = {"submission_id": result.submission_id, "job_uid": result.job_uid}
    if result.outcome is Outcome.UNDECIDED:
        raise undecided_failure(result)
    if result.error is not None:
        raise failure_from_error(result.error, extra=ids)
    console.result(result.job_uid or "")
    if result.already_started:
        console.note("Runway had already started this job; it was not started again.")
    elif result.new_job:
        console.note(f"Sent as a new job: submission #{result.submission_id}.")
    else:
        console.note("Runway accepted the job; its output appears under `outputs list`.")
    summary: dict[str, Any] = {"ok": True, **ids, "outcome": result.outcome.value}
    summary["new_job"] = result.new_job
    if args.wait:
        assert result.job_uid is not None  # a started submission always has its job uid
        async with CommandSession(chosen) as connection:
            query = OutputSetFilter(
                partner=record.partner,
                tenant=record.tenant,
                school_year=record.school_year,
                bundle=record.bundle,
            )
            timeout = args.timeout or DEFAULT_WAIT_SECONDS
            sets = await wait_for_output(connection, query, result.job_uid, timeout, console)
        if not sets:
            raise no_output_failure(result.job_uid, timeout, ids, result.outcome.value)
        report_sets(sets, summary, console)
    if console.json_mode:
        console.json(summary)
    return EXIT_OK
