"""``outputs list`` and ``outputs download``: find and fetch Runway's processed output sets.

``download`` feeds the desktop app's download queue (core/outputs/download_queue.py): explicit
uids are queued, and ``--new`` is the scripted "fetch everything I have not got yet" through
the queue's watch poll (lagging cursor, de-duplication by uid, both kept in the history
store), so a set is downloaded once per profile no matter how often the command runs.
``--csv`` then writes each verified JSONL file's CSV for Excel beside it
(core/outputs/csv_export.py); stdout still lists only the folders, the CSVs are told on stderr
(and in ``--json``), so scripts reading the folders keep working.
"""

from __future__ import annotations

import argparse
import asyncio
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from runway_desktop.api.errors import NotFound, RunwayError
from runway_desktop.api.models import OutputSet, OutputSetFilter
from runway_desktop.base.formatting import school_year_label
from runway_desktop.cli import lookups
from runway_desktop.cli.connection import CommandSession, choose_profile, registry
from runway_desktop.cli.output import (
    EXIT_OK,
    CliParser,
    Console,
    SubCommands,
    exit_code_for,
    failure_from_error,
    render_table,
    usage_error,
    yes_no,
)
from runway_desktop.core.output_sets import list_and_record
from runway_desktop.core.outputs.csv_export import (
    EXCEL_MAX_ROWS,
    CsvExport,
    export_set,
    verified_set,
)
from runway_desktop.core.outputs.download_queue import DownloadEvent, DownloadQueue, SetStarted
from runway_desktop.core.outputs.downloader import SetDownload, SetDownloader

_END_YEAR = re.compile(r"[0-9]{4}")


def add_outputs_parser(commands: SubCommands, common: CliParser) -> None:
    outputs = commands.add_parser("outputs", help="list or download Runway's output sets")
    actions = outputs.add_subparsers(dest="outputs_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", parents=[common], help="list output sets")
    listing.add_argument("--partner", help="partner code (default: from the profile or token)")
    listing.add_argument("--tenant", help="only this district (tenant)")
    listing.add_argument("--year", help='only this school year (end year: "2026" = 2025–26)')
    listing.add_argument("--bundle", help="only this assessment, e.g. assessments/STAR")
    listing.add_argument(
        "--sent-to-ods",
        choices=("true", "false"),
        help="only sets that were (true) or were not (false) sent to the ODS",
    )
    listing.add_argument(
        "--created-after",
        metavar="ISO",
        help="only sets created after this time, e.g. 2026-03-15T00:00:00Z",
    )

    download = actions.add_parser(
        "download", parents=[common], help="download output sets by uid, or all new ones"
    )
    download.add_argument("set_uids", nargs="*", metavar="SET_UID")
    download.add_argument(
        "--new",
        action="store_true",
        help="every set of the partner this profile has not downloaded yet",
    )
    download.add_argument("--to", required=True, metavar="DIR", help="folder to download into")
    download.add_argument("--partner", help="partner code (default: from the profile or token)")
    download.add_argument(
        "--csv",
        action="store_true",
        help="also save each downloaded JSONL file as a CSV for Excel beside it (same name, "
        ".csv; nested fields as dotted columns, e.g. studentReference.studentUniqueId; "
        "UTF-8 with BOM; cells that look like formulas prefixed with ')",
    )


async def run_outputs_command(args: argparse.Namespace, console: Console) -> int:
    if args.outputs_command == "list":
        return await outputs_list(args, console)
    return await outputs_download(args, console)


def _created_after(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise usage_error(
            f"--created-after {text!r} is not a date and time.",
            "Use ISO 8601, e.g. 2026-03-15 or 2026-03-15T08:00:00Z.",
        ) from None
    # A time without a zone means the user's own clock, not the server's (CONTRACT §4.5).
    return value if value.tzinfo is not None else value.astimezone()


def _end_year(text: str | None) -> str | None:
    if text is None:
        return None
    if not _END_YEAR.fullmatch(text.strip()):
        raise usage_error(
            f"--year {text!r} is not a school year's end year.", 'Use e.g. "2026" for 2025–26.'
        )
    return text.strip()


def _folder(text: str) -> Path:
    return Path(text).expanduser()


def set_json(output_set: OutputSet, assessment_name: Callable[[str | None], str]) -> dict[str, Any]:
    """The API's field names, plus the assessment name a person would recognise."""
    return {
        "uid": output_set.uid,
        "jobUid": output_set.job_uid,
        "createdAt": output_set.created_at_text,
        "partner": output_set.partner,
        "tenant": output_set.tenant,
        "schoolYear": output_set.school_year,
        "bundle": output_set.bundle,
        "assessment": assessment_name(output_set.bundle),
        "sentToOds": output_set.sent_to_ods,
        "files": list(output_set.files),
    }


async def outputs_list(args: argparse.Namespace, console: Console) -> int:
    created_after = _created_after(args.created_after)
    school_year = _end_year(args.year)
    # Before signing in: "STAR" for assessments/STAR would list "no sets", never an error.
    bundle = lookups.bundle_filter(registry(), args.bundle)
    chosen = choose_profile(args.profile, args.profile_file)
    async with CommandSession(chosen) as connection:
        await connection.sign_in()
        query = OutputSetFilter(
            partner=await connection.partner(args.partner),
            tenant=args.tenant,
            school_year=school_year,
            bundle=bundle,
            sent_to_ods=None if args.sent_to_ods is None else args.sent_to_ods == "true",
            created_after=created_after,
        )
        sets = await list_and_record(connection.client, connection.history, query)
    if console.json_mode:
        console.json([set_json(s, connection.assessment_name) for s in sets])
        return EXIT_OK
    if not sets:
        console.note(f"No output sets match for partner {query.partner}.")
        return EXIT_OK
    rows = [
        [
            s.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            s.tenant,
            school_year_label(s.school_year),
            connection.assessment_name(s.bundle),
            str(len(s.files)),
            yes_no(s.sent_to_ods),
            s.uid,
        ]
        for s in sets
    ]
    headers = ["Created", "Tenant", "Year", "Assessment", "Files", "Sent to ODS", "UID"]
    console.result(render_table(headers, rows))
    return EXIT_OK


async def outputs_download(args: argparse.Namespace, console: Console) -> int:
    if args.new == bool(args.set_uids):
        raise usage_error(
            "Give either one or more SET_UIDs or --new (not both, not neither).",
            "For example: outputs download --new --to ./runway-output",
        )
    root = _folder(args.to)
    chosen = choose_profile(args.profile, args.profile_file)
    async with CommandSession(chosen) as connection:
        await connection.sign_in()
        partner = await connection.partner(args.partner)
        worker = SetDownloader(
            connection.client,
            connection.http,
            connection.history,
            profile_name=chosen.profile.name,
            assessment_name=connection.assessment_name,
        )
        if args.new:
            # The desktop app's queue and watch loop, for one partner and one poll; no cursor
            # is started first, so the first run fetches everything not downloaded yet.
            queue = DownloadQueue(root=root, check_root=False)
            queue.configure(worker, [partner])
            downloads = list((await queue.poll(partner)).downloads)
            if not downloads:
                console.note(f"No new output sets for partner {partner}.")
        else:
            wanted = list(dict.fromkeys(args.set_uids))
            listed = await list_and_record(
                connection.client, connection.history, OutputSetFilter(partner=partner)
            )
            by_uid = {s.uid: s for s in listed}
            unknown = [uid for uid in wanted if uid not in by_uid]
            if unknown:
                raise failure_from_error(
                    NotFound(
                        f"Runway lists no output set {', '.join(unknown)} for partner {partner}.",
                        next_step="Check the uid with `outputs list`, or pass --partner.",
                    )
                )

            def tell(event: DownloadEvent) -> None:
                if isinstance(event, SetStarted):  # the only event this command prints
                    console.note(f"Downloading output set {event.output_set.uid}…")

            # Each set's own error is kept (check_root=False): the GUI's root check names
            # its "Change…" button.
            queue = DownloadQueue(tell, root=root, check_root=False)
            queue.configure(worker, [partner])
            downloads = list(await queue.download_all(by_uid[uid] for uid in wanted))
    csvs = await _save_csvs(downloads, console) if args.csv else None
    return _report_downloads(downloads, console, csvs)


async def _save_csvs(
    downloads: list[SetDownload], console: Console
) -> dict[str, CsvExport | RunwayError]:
    """Each verified download's CSVs (off the event loop: large files take seconds)."""
    done: dict[str, CsvExport | RunwayError] = {}
    for download in downloads:
        if not download.ok:
            continue
        uid = download.output_set.uid
        try:
            source = verified_set(download.folder, download.verification)
            exported = await asyncio.to_thread(export_set, source)
        except RunwayError as error:
            done[uid] = error
            console.note(f"Output set {uid}: no CSV: {error.message}")
            if error.next_step:
                console.note(f"What to do: {error.next_step}")
            continue
        done[uid] = exported
        for made in exported.files:
            console.note(
                f"Saved {made.path.name} for Excel ({made.rows:,} rows) in {made.path.parent}"
            )
            if not made.fits_excel:
                console.note(
                    f"{made.path.name} has more rows than Excel opens ({EXCEL_MAX_ROWS:,})."
                )
    return done


def _csv_json(result: CsvExport | RunwayError | None) -> dict[str, Any]:
    if result is None:
        return {}
    if isinstance(result, RunwayError):
        return {"csvError": result.message}
    return {"csv": [str(f.path) for f in result.files]}


def _report_downloads(
    downloads: list[SetDownload],
    console: Console,
    csvs: dict[str, CsvExport | RunwayError] | None = None,
) -> int:
    """Each set's folder on stdout; failures explained; the first failure's code wins."""
    code = EXIT_OK
    for download in downloads:
        if download.error is None:
            if download.by_another_process:
                console.note(f"Output set {download.output_set.uid} was downloaded meanwhile by "
                             "another run of Runway Desktop.")  # fmt: skip
            console.result(str(download.folder))
            continue
        error = download.error
        console.note(f"Output set {download.output_set.uid} failed: {error.message}")
        if error.next_step:
            console.note(f"What to do: {error.next_step}")
        if code == EXIT_OK:
            code = exit_code_for(error)
    for result in (csvs or {}).values():
        if isinstance(result, RunwayError) and code == EXIT_OK:
            code = exit_code_for(result)
    if console.json_mode:
        console.json(
            {
                "ok": code == EXIT_OK,
                "downloads": [
                    {
                        "uid": d.output_set.uid,
                        "ok": d.ok,
                        "folder": str(d.folder),
                        "files": [p.name for p in d.files],
                        "byAnotherProcess": d.by_another_process,
                        **({"error": d.error.message} if d.error is not None else {}),
                        **_csv_json((csvs or {}).get(d.output_set.uid)),
                    }
                    for d in downloads
                ],
            }
        )
    return code
