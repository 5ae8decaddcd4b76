"""``batch plan FOLDER`` and ``batch run PLAN``: a folder of vendor files, sent as submissions.

    runway-desktop-cli batch plan FOLDER [--partner P] [--tenant T] [--year Y] [-o plan.toml]
    runway-desktop-cli batch run plan.toml [--jobs N] [--resend] [--wait] [--timeout S] [--json]

``plan`` needs no connection: it identifies every file by its header (core/batch/plan.py) and
writes a TOML plan to review and edit. ``run`` sends it through the core's queue
(core/batch/run.py): one line per item and a summary; running it again sends nothing twice.
Its exit code is 0 when every item was sent or had been sent already, else the highest of
the documented codes its items ended with.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from runway_desktop.base.atomic_files import atomic_write_bytes
from runway_desktop.base.formatting import duration_text
from runway_desktop.bundles.model import Registry
from runway_desktop.bundles.validation import validate_submission
from runway_desktop.cli.batch_report import (
    BatchReport,
    item_exit_code,
    item_json,
    run_document,
    summary_line,
)
from runway_desktop.cli.connection import CommandSession, choose_profile, registry
from runway_desktop.cli.output import (
    EXIT_LOCAL_FILE,
    EXIT_OK,
    CliParser,
    CommandFailure,
    Console,
    SubCommands,
    usage_error,
)
from runway_desktop.cli.waiting import DEFAULT_WAIT_SECONDS, check_wait_options
from runway_desktop.core.batch.plan import TO_DO, BatchPlan, WhereGiven, plan_folder
from runway_desktop.core.batch.plan_file import PlanFormatError, plan_text, read_plan
from runway_desktop.core.batch.run import (
    DEFAULT_JOBS,
    BatchRunner,
)
from runway_desktop.core.batch.waiting import awaited, wait_for_outputs
from runway_desktop.core.practice import practice_world
from runway_desktop.history.records import utc_now
from runway_desktop.settings import default_profile_store

# The plan's notes say where a district or year is given: here, the options.
GIVEN_ON_THE_COMMAND_LINE = WhereGiven(district="with --tenant", year="with --year")


def add_batch_parser(commands: SubCommands, common: CliParser) -> None:
    batch = commands.add_parser(
        "batch", parents=[common], help="plan a folder of files as submissions, then send them"
    )
    actions = batch.add_subparsers(dest="batch_command", metavar="ACTION", required=True)
    plan = actions.add_parser(
        "plan",
        parents=[common],
        help="identify every file in a folder and write a plan to review",
        description="Group a folder's files into submissions (one per assessment, district "
        "and school year) and write them as a TOML plan; subfolders named after a district "
        "are that district's.",
    )
    plan.add_argument("folder", type=Path, metavar="FOLDER", help="the folder of vendor files")
    plan.add_argument("--partner", help="partner code (default: the connection's)")
    plan.add_argument("--tenant", help="district for files outside a district's folder")
    plan.add_argument("--year", help="school year end year for files whose rows name none")
    plan.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the plan here")
    plan.add_argument("--force", action="store_true", help="replace an existing plan file")
    run = actions.add_parser(
        "run",
        parents=[common],
        help="send a plan's submissions (what was already sent is skipped)",
        description="Send every item of a plan; items already sent and started are skipped, "
        "interrupted ones are finished, and nothing is ever started twice.",
    )
    run.add_argument("plan", type=Path, metavar="PLAN", help="the plan file (TOML)")
    run.add_argument("--partner", help="partner code, for a plan that names none")
    run.add_argument(
        "--jobs", type=int, default=DEFAULT_JOBS, metavar="N",
        help=f"submissions sent at a time (default {DEFAULT_JOBS})",
    )  # fmt: skip
    run.add_argument(
        "--resend", action="store_true", help="send again files that were already sent"
    )
    run.add_argument("--wait", action="store_true", help="wait until Runway's output appears")
    run.add_argument(
        "--timeout", type=float, metavar="SECONDS",
        help=f"with --wait: give up after this long (default {DEFAULT_WAIT_SECONDS:.0f} s)",
    )  # fmt: skip


async def run_batch_command(args: argparse.Namespace, console: Console) -> int:
    if args.batch_command == "plan":
        return await run_plan(args, console)
    return await run_batch(args, console)


# -- plan ----------------------------------------------------------------------------------------
async def run_plan(args: argparse.Namespace, console: Console) -> int:
    # Header reads of hundreds of files, and the plan's write: off the loop, in one go.
    plan, found, output = await asyncio.to_thread(_plan_and_write, args)
    if output is None and not console.json_mode:
        console.stdout.write(plan_text(plan, found))
        console.stdout.flush()
    _plan_notes(plan, output, console)
    if console.json_mode:
        console.json(plan_document(plan, found, output))
    return EXIT_OK


def _plan_and_write(args: argparse.Namespace) -> tuple[BatchPlan, Registry, Path | None]:
    folder: Path = args.folder.expanduser()
    if not folder.is_dir():
        raise usage_error(f"{folder} is not a folder.", "Give the folder that holds the files.")
    if args.year is not None:
        _check_year(args.year)
    output: Path | None = args.output.expanduser() if args.output else None
    if output is not None and output.exists() and not args.force:
        raise usage_error(
            f"{output} exists already; it may hold your edits.",
            "Give another file name, or add --force to replace it.",
        )
    partner, known = _plan_context(args)
    found = registry()
    plan = plan_folder(
        folder, found, partner=partner, tenant=args.tenant, school_year=args.year,
        known_tenants=known, leave_out=[output] if output is not None else [],
        where=GIVEN_ON_THE_COMMAND_LINE,
    )  # fmt: skip
    if output is not None:
        try:
            atomic_write_bytes(output, plan_text(plan, found).encode("utf-8"))
        except OSError as exc:
            raise CommandFailure(
                f"The plan could not be written to {output} ({exc.strerror or exc}).",
                "Choose a folder you can write to.",
                EXIT_LOCAL_FILE,
                "PlanNotWritten",
            ) from None
    return plan, found, output


def _check_year(text: str) -> None:
    for problem in validate_submission(None, {}, {}, school_year=text):
        if problem.field == "school_year":
            raise usage_error(f"--year {text!r}: {problem.message}", problem.next_step)


def _plan_context(args: argparse.Namespace) -> tuple[str, tuple[str, ...]]:
    """The partner to plan for, and its districts when the connection says them (the
    practice server's profile file lists its world; Runway has no district listing)."""
    partner: str = args.partner or ""
    seed: Any = {}
    if args.profile_file:
        try:
            data = json.loads(Path(args.profile_file).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}  # the plan needs no connection: without the file, no districts known
        if isinstance(data, dict):
            seed = data.get("seed") or {}
    elif args.profile:
        saved = default_profile_store().get(args.profile)
        if saved is not None:
            partner = partner or saved.default_partner or ""
    tenants, _ = practice_world(seed if isinstance(seed, dict) else {})
    if partner:
        return partner, tuple(tenants.get(partner, ()))
    return partner, tuple(t for names in tenants.values() for t in names)


def _plan_notes(plan: BatchPlan, output: Path | None, console: Console) -> None:
    files = sum(len(item.files) for item in plan.items)
    where = f" in {output}" if output is not None else ""
    console.note(f"Planned {len(plan.items)} submission(s) of {files} file(s){where}.")
    if plan.unplaced:
        console.note(f"{len(plan.unplaced)} file(s) could not be placed (not sent):")
        for one in plan.unplaced:
            console.note(f"- {one.path}: {one.reason}")
    todo = sum(1 for item in plan.items if any(n.startswith(TO_DO) for n in item.notes))
    if todo:
        console.note(f"{todo} item(s) need a value filled in before sending (see 'To do').")


def plan_document(plan: BatchPlan, found: Registry, output: Path | None) -> dict[str, Any]:
    return {
        "ok": True,
        "plan": str(output) if output is not None else None,
        "folder": str(plan.folder),
        "partner": plan.partner or None,
        "items": [
            {**item_json(item, found), "params": dict(item.params), "notes": list(item.notes)}
            for item in plan.items
        ],
        "unplaced": [{"file": str(u.path), "reason": u.reason} for u in plan.unplaced],
    }


# -- run -----------------------------------------------------------------------------------------
async def run_batch(args: argparse.Namespace, console: Console) -> int:
    check_wait_options(args)
    if args.jobs < 1:
        raise usage_error("--jobs must be 1 or more.")
    try:
        plan = await asyncio.to_thread(read_plan, args.plan.expanduser())
    except PlanFormatError as exc:
        raise usage_error(
            str(exc), "Fix the plan file, or make a new one with `batch plan FOLDER -o FILE`."
        ) from None
    if plan.partner and args.partner and plan.partner != args.partner:
        raise usage_error(f"The plan is for partner {plan.partner}, not {args.partner}.")
    if not plan.items:
        raise usage_error("The plan has no items to send.", "Plan the folder again.")
    chosen = choose_profile(args.profile, args.profile_file)
    async with CommandSession(chosen) as connection:
        partner = await connection.partner(plan.partner or args.partner)
        found = connection.session.registry
        report = BatchReport(console, found, len(plan.items))
        runner = BatchRunner(
            connection.client, connection.http, connection.history, chosen.profile, found,
            jobs=args.jobs, resend=args.resend, listener=report.handle,
            record_as=str(args.plan.expanduser().resolve()),
        )  # fmt: skip
        started_at = utc_now()
        outcomes = await runner.run(plan, partner)
        if args.wait and any(awaited(o) for o in outcomes):
            timeout = args.timeout or DEFAULT_WAIT_SECONDS
            console.note(f"Waiting up to {duration_text(timeout)} for Runway's output…")
            outcomes = await wait_for_outputs(
                connection.client, connection.history, partner, outcomes, timeout,
                started_at=started_at,
            )  # fmt: skip
            report.outputs(outcomes, timeout)
    if plan.unplaced:
        console.note(f"The plan lists {len(plan.unplaced)} file(s) it could not place: not sent.")
    code = max((item_exit_code(o, found) for o in outcomes), default=EXIT_OK)
    console.result(summary_line(outcomes))
    if runner.batch_id is not None:
        console.note(f"Kept in History as batch #{runner.batch_id} (`history batches` shows it).")
    if console.json_mode:
        document = run_document(outcomes, found, partner, code, waited=args.wait)
        console.json({**document, "batch_id": runner.batch_id})
    return code
