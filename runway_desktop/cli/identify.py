"""``identify``: which assessment and file slot each file looks like, from its columns.

    runway-desktop-cli identify PATH... [--json]

Needs no connection: it compares each file's header with the signature index the app ships.
One line per file on stdout (or one JSON document); a file that cannot be read is named on
stderr and makes the exit code 5 once every other file has been reported.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from runway_desktop.base.formatting import school_year_label
from runway_desktop.bundles.file_identity import FileIdentity, identify_file
from runway_desktop.cli.output import (
    EXIT_LOCAL_FILE,
    EXIT_OK,
    CliParser,
    Console,
    SubCommands,
)


def add_identify_parser(commands: SubCommands, common: CliParser) -> None:
    parser = commands.add_parser(
        "identify",
        parents=[common],
        help="say which assessment and file slot each file looks like",
        description="Compare each file's columns with the assessments' known layouts.",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="a vendor file")


def identity_document(found: FileIdentity) -> dict[str, Any]:
    """The ``--json`` entry for one file; ``bundle`` and ``slot`` are null when nothing fits."""
    return {
        "path": str(found.path),
        "bundle": found.bundle,
        "slot": found.env_var,
        "confidence": round(found.confidence, 2),
        "school_year": found.school_year,
        "school_years": list(found.school_years),
        "display_name": found.display_name or None,
        "slot_display_name": found.slot_display_name or None,
        "problem": found.problem or None,
    }


def identity_line(found: FileIdentity) -> str:
    """ "SR.csv: Star Assessments (assessments/STAR), slot INPUT_FILE …, 2023–24, 97%"."""
    if found.problem:
        return f"{found.path}: not identified. {found.problem}"
    if found.bundle is None:
        if found.display_name:
            return (
                f"{found.path}: looks like {found.display_name}, which Runway does not list "
                f"({found.confidence:.0%} sure)."
            )
        return f"{found.path}: not identified; no assessment's columns fit it well."
    parts = [f"{found.display_name} ({found.bundle})"]
    parts.append(f"slot {found.env_var} “{found.slot_display_name}”")
    if found.school_years:
        parts.append(", ".join(school_year_label(y) for y in found.school_years))
    parts.append(f"{found.confidence:.0%} sure")
    return f"{found.path}: " + ", ".join(parts)


def identify_or_explain(path: Path) -> FileIdentity | str:
    """The file's identity, or why it could not be read (for stderr)."""
    expanded = path.expanduser()
    try:
        return identify_file(expanded)
    except IsADirectoryError:
        return f"{expanded} is a folder. Give the files inside it."
    except FileNotFoundError:
        return f"{expanded} does not exist."
    except OSError as exc:
        return f"{expanded} could not be read ({exc.strerror or exc})."


async def run_identify(args: argparse.Namespace, console: Console) -> int:
    found: list[FileIdentity] = []
    unreadable = 0
    for path in args.paths:
        outcome = await asyncio.to_thread(identify_or_explain, path)
        if isinstance(outcome, str):
            unreadable += 1
            console.note(f"Error: {outcome}")
        else:
            found.append(outcome)
    for identity in found:
        console.result(identity_line(identity))
    if console.json_mode:
        console.json({"ok": not unreadable, "files": [identity_document(f) for f in found]})
    return EXIT_LOCAL_FILE if unreadable else EXIT_OK
