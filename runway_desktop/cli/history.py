"""``history list`` / ``history show ID``: what became of each submission sent from this computer.

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
    if args.history_command == "list" and args.limit <= 0:
        raise usage_error("--limit must be a positive number.")
    session = Session.create()
    try:
        rows = (await asyncio.to_thread(_load, session)).rows
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
        console.json(row_json(row))
    console.result(f"#{row.record.id}  {row.derived.mark} {row.derived.label}")
    console.result(row.derived.text())
    if row.record.job_uid:
        console.result(f"Job id: {row.record.job_uid}")
    return EXIT_OK


def _load(session: Session) -> Any:
    return load(session.history, ViewInputs(now=utc_now()), session.assessment_name)
