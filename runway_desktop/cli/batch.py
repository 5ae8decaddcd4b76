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
import re
from pathlib import Path
from typing import Any

from runway_desktop.base.atomic_files import atomic_write_bytes
from runway_desktop.base.formatting import duration_text, school_year_label
from runway_desktop.bundles.model import Registry
from runway_desktop.bundles.validation import validate_submission
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
from runway_desktop.cli.submit import _invalid_exit_code
from runway_desktop.cli.waiting import DEFAULT_WAIT_SECONDS, check_wait_options
from runway_desktop.core.batch.plan import TO_DO, BatchPlan, PlanItem, plan_folder
from runway_desktop.core.batch.plan_file import PlanFormatError, plan_text, read_plan
from runway_desktop.core.batch.run import (
    DEFAULT_JOBS,
    STATUS_WORDS,
    BatchEvent,
    BatchRunner,
    ItemFinished,
    ItemOutcome,
    ItemStatus,
    ItemStep,
    outcome_text,
)
from runway_desktop.core.batch.waiting import awaited, wait_for_outputs
from runway_desktop.core.practice import practice_world
from runway_desktop.core.submission_state import NO_OUTPUT_CAUSE
from runway_desktop.core.submit.events import Notice, SubmissionInvalid
from runway_desktop.history.records import utc_now
from runway_desktop.settings import default_profile_store


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


def item_json(item: PlanItem, found: Registry) -> dict[str, Any]:
    """What an item is, in ``plan --json`` and ``run --json`` alike."""
    return {
        "label": item.label(found),
        "bundle": item.bundle,
        "tenant": item.tenant,
        "school_year": item.school_year,
        "school_year_label": school_year_label(item.school_year),
        "files": {env: str(path) for env, path in item.files.items()},
    }


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


class BatchReport:
    """The run's listener: one line per item as it ends, the pipeline's notices on stderr."""

    def __init__(self, console: Console, found: Registry, total: int) -> None:
        self.console = console
        self.registry = found
        self.total = total

    def _prefix(self, number: int) -> str:
        return f"{number}/{self.total}"

    def handle(self, event: BatchEvent) -> None:
        if isinstance(event, ItemStep) and isinstance(event.event, Notice):
            self.console.note(f"{self._prefix(event.number)} note: {event.event.text}")
        elif isinstance(event, ItemFinished):
            self.console.result(self.line(event.outcome))

    def line(self, outcome: ItemOutcome) -> str:
        words = STATUS_WORDS[outcome.status]
        label = outcome.item.label(self.registry)
        return f"{self._prefix(outcome.number)}  {words:<13} {label}: {self.detail(outcome)}"

    def detail(self, outcome: ItemOutcome) -> str:
        if outcome.status is ItemStatus.FAILED:
            failure = item_failure(outcome, self.registry)
            return f"{failure.message} What to do: {failure.next_step}".rstrip(" :")
        hint = {
            ItemStatus.ALREADY_SENT: " Add --resend to send them again.",
            ItemStatus.UNDECIDED: " Run the batch again later: it looks again and never starts "
            "it twice.",
        }.get(outcome.status, "")
        return outcome_text(outcome) + hint

    def outputs(self, outcomes: list[ItemOutcome], timeout: float) -> None:
        for outcome in outcomes:
            if not outcome.waited:
                continue
            prefix = self._prefix(outcome.number)
            for found in outcome.output_sets:
                self.console.result(
                    f"{prefix}  output        {found.uid}  sent to ODS: {yes_no(found.sent_to_ods)}"
                )
            if not outcome.output_sets:
                self.console.result(
                    f"{prefix}  no output yet for job {outcome.job_uid} after "
                    f"{duration_text(timeout)}. {NO_OUTPUT_CAUSE}"
                )


# An item's values come from the plan, not from options: where the CLI's words name an
# option (cli/output.py's vocabulary), a batch names the plan's key instead.
_PLAN_WORDS = (
    (re.compile(r"Check --tenant"), "Check the item's tenant in the plan"),
    (re.compile(r"Give it with --file KEY=PATH \(the “(.+?)” slot\)\."),
     r"Add it to the item's [item.files] in the plan (the “\1” slot)."),
    (re.compile(r"Check the options named above and run the command again\."),
     "Correct the item in the plan and run the batch again."),
)  # fmt: skip


def _in_plan_words(text: str) -> str:
    for pattern, words in _PLAN_WORDS:
        text = pattern.sub(words, text)
    return text


def item_failure(outcome: ItemOutcome, found: Registry) -> CommandFailure:
    """A failed item in the CLI's words and exit code, by the rules ``submit`` follows."""
    error = outcome.error
    assert error is not None, outcome
    code = None
    if isinstance(error, SubmissionInvalid):
        # submit's rule: a file the person named that is unusable → 5; a slot or value → 2.
        bundle = found.get(outcome.item.bundle)
        files = dict(outcome.item.files)
        code = EXIT_USAGE if bundle is None else _invalid_exit_code(error, files, bundle)
    failure = failure_from_error(error, exit_code=code)
    failure.message, failure.next_step = (
        _in_plan_words(t) for t in (failure.message, failure.next_step)
    )
    if isinstance(error, SubmissionInvalid):
        if len(error.problems) > 1:
            failure.message = " ".join(p.message for p in error.problems)
        if error.mismatches:
            failure.next_step = (
                "Correct the item in the plan (its files, assessment or school year), or send "
                "the file by itself with `submit --accept-mismatch`."
            )
    return failure


def item_exit_code(outcome: ItemOutcome, found: Registry) -> int:
    if outcome.status in (ItemStatus.UNDECIDED, ItemStatus.BUSY, ItemStatus.NOT_SENT):
        return EXIT_TRANSIENT
    if outcome.status is ItemStatus.FAILED:
        return item_failure(outcome, found).exit_code
    return EXIT_OK if outcome.ok else EXIT_TRANSIENT  # waited, and no output yet


def summary_line(outcomes: list[ItemOutcome]) -> str:
    counts = {s: sum(1 for o in outcomes if o.status is s) for s in ItemStatus}
    parts = [f"{n} {STATUS_WORDS[s]}" for s, n in counts.items() if n]
    return f"{len(outcomes)} item(s): {', '.join(parts)}."


def run_document(
    outcomes: list[ItemOutcome], found: Registry, partner: str, code: int, *, waited: bool
) -> dict[str, Any]:
    items = []
    for outcome in outcomes:
        item = outcome.item
        entry: dict[str, Any] = {
            "number": outcome.number,
            **item_json(item, found),
            "status": outcome.status.value,
            "submission_id": outcome.submission_id,
            "job_uid": outcome.job_uid,
            "state": outcome.state.value if outcome.state is not None else None,
            "reason": outcome.reason or None,
            "already_started": outcome.already_started,
            "new_job": outcome.new_job,
            "exit_code": item_exit_code(outcome, found),
            "error": None,
        }
        if outcome.status is ItemStatus.FAILED:
            failure = item_failure(outcome, found)
            entry["error"] = {
                "code": failure.code,
                "kind": failure.kind,
                "message": failure.message,
                "next_step": failure.next_step,
                **failure.extra,
            }
        if waited:
            entry["output_sets"] = [
                {"uid": s.uid, "sentToOds": s.sent_to_ods, "files": list(s.files)}
                for s in outcome.output_sets
            ]
        items.append(entry)
    summary = {s.value: sum(1 for o in outcomes if o.status is s) for s in ItemStatus}
    return {"ok": code == EXIT_OK, "exit_code": code, "partner": partner,
            "summary": summary, "items": items}  # fmt: skip
