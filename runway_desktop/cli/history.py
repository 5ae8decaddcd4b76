"""``history list`` / ``history show ID`` / ``history batches``: what became of each submission
sent from this computer, and each batch's own summary.

The state and its words come from the core's one derivation (core/submission_state.py), the
same the History screen shows; no connection is needed, only this computer's record.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from runway_desktop.base.formatting import school_year_label
from runway_desktop.cli.output import (
    EXIT_OK,
    CliParser,
    Console,
    SubCommands,
    usage_error,
)
from runway_desktop.cli.resume import add_resume_arguments, run_resume
from runway_desktop.core.batch.summary import BatchSummary, summarize
from runway_desktop.core.history_view import HistoryRow, ViewInputs, load
from runway_desktop.core.session import Session
from runway_desktop.history.records import utc_now

DEFAULT_LIMIT = 20


def add_history_parser(commands: SubCommands, common: CliParser) -> None:
    history = commands.add_parser(
        "history", parents=[common], help="what became of the submissions sent from here"
    )
    actions = history.add_subparsers(dest="history_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", parents=[common], help="the newest submissions")
    listing.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, help=f"how many (default {DEFAULT_LIMIT})"
    )
    show = actions.add_parser("show", parents=[common], help="one submission in full")
    show.add_argument("submission", type=int, metavar="ID", help="the submission's number")
    batches = actions.add_parser(
        "batches", parents=[common], help="the newest batch runs, each with its summary"
    )
    batches.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, help=f"how many (default {DEFAULT_LIMIT})"
    )
    add_resume_arguments(
        actions.add_parser(
            "resume",
            parents=[common],
            help="finish an interrupted submission (never starts a job twice)",
        )
    )


def row_json(row: HistoryRow) -> dict[str, Any]:
    record, derived = row.record, row.derived
    return {
        "id": record.id,
        "created_at": record.created_at.isoformat(),
        "partner": record.partner,
        "tenant": record.tenant,
        "school_year": record.school_year,
        "bundle": record.bundle,
        "assessment": row.assessment,
        "job_uid": record.job_uid,
        "state": derived.state.value,
        "label": derived.label,
        "explanation": derived.text(),
        "error_code": record.error_code,
        "output_sets": [seen.set_uid for seen in record.sets],
    }


async def run_history_command(args: argparse.Namespace, console: Console) -> int:
    if args.history_command == "resume":
        return await run_resume(args, console)
    if args.history_command in ("list", "batches") and args.limit <= 0:
        raise usage_error("--limit must be a positive number.")
    session = Session.create()
    try:
        if args.history_command == "batches":
            summaries = await asyncio.to_thread(_batches, session, args.limit)
            return _print_batches(console, summaries)
        rows = (await asyncio.to_thread(_load, session)).rows
        shown_batches = (
            await asyncio.to_thread(_batches_of, session, args.submission)
            if args.history_command == "show"
            else []
        )
    finally:
        await session.aclose()
    if args.history_command == "list":
        shown = rows[: args.limit]
        if console.json_mode:
            console.json([row_json(r) for r in shown])
        for row in shown:
            record = row.record
            console.result(
                f"#{record.id}  {record.created_at.astimezone():%Y-%m-%d %H:%M}  "
                f"{row.assessment}  {record.tenant}  {school_year_label(record.school_year)}  "
                f"{row.derived.mark} {row.derived.label}"
            )
        if not shown:
            console.note("No submissions have been sent from this computer yet.")
        return EXIT_OK
    row = next((r for r in rows if r.record.id == args.submission), None)
    if row is None:
        raise usage_error(
            f"There is no submission #{args.submission} on this computer.",
            "`runway-desktop-cli history list` shows their numbers.",
        )
    if console.json_mode:
        console.json({**row_json(row), "batches": [b.record.id for b in shown_batches]})
    console.result(f"#{row.record.id}  {row.derived.mark} {row.derived.label}")
    console.result(row.derived.text())
    if row.record.job_uid:
        console.result(f"Job id: {row.record.job_uid}")
    for summary in shown_batches:
        console.result(f"Part of {summary.text()}")
    return EXIT_OK


def batch_json(summary: BatchSummary) -> dict[str, Any]:
    record = summary.record
    return {
        "id": record.id,
        "created_at": record.created_at.isoformat(),
        "finished_at": record.finished_at.isoformat() if record.finished_at else None,
        "partner": record.partner,
        "source": record.source,
        "outcomes": summary.outcomes,
        "states": {state.value: n for state, n in summary.states.items()},
        "summary": summary.text(),
        "items": [
            {
                "number": i.number,
                "label": i.label,
                "status": i.status,
                "submission_id": i.submission_id,
                "message": i.message,
            }
            for i in record.items
        ],
    }


def _print_batches(console: Console, summaries: list[BatchSummary]) -> int:
    if console.json_mode:
        console.json([batch_json(s) for s in summaries])
    for summary in summaries:
        console.result(summary.text())
    if not summaries:
        console.note("No batch has been sent from this computer yet (`batch run` sends one).")
    return EXIT_OK


def _load(session: Session) -> Any:
    return load(session.history, ViewInputs(now=utc_now()), session.assessment_name)


def _batches(session: Session, limit: int) -> list[BatchSummary]:
    now = utc_now()
    return [summarize(b, session.history, now) for b in session.history.batches(limit=limit)]


def _batches_of(session: Session, submission_id: int) -> list[BatchSummary]:
    now = utc_now()
    return [summarize(b, session.history, now) for b in session.history.batches_of(submission_id)]
