"""The CHECK step's helpers: re-using the form's preflight, turning reports into problems."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path

from runway_desktop.bundles.model import InputFile
from runway_desktop.bundles.preflight import PreflightReport, file_changed_since, preflight_file
from runway_desktop.bundles.validation import Problem
from runway_desktop.history.records import FileRecord


async def checked_report(
    path: Path, slot: InputFile, known: PreflightReport | None
) -> PreflightReport:
    """Re-use the form's check of this file unless the file changed since (a 1 GB CSV takes
    a while to scan twice); otherwise check it now."""
    reusable = known is not None and known.path == path and bool(known.md5)
    if known is not None and reusable and not await asyncio.to_thread(file_changed_since, known):
        return known
    return await preflight_file(path, slot)


def file_records(reports: Mapping[str, PreflightReport]) -> list[FileRecord]:
    return [
        FileRecord(
            env_var=env,
            path=r.path,
            upload_name=r.upload_name,
            size=r.size,
            mtime_ns=r.mtime_ns,
            md5=r.md5,
        )
        for env, r in reports.items()
    ]


def report_problems(reports: Mapping[str, PreflightReport]) -> list[Problem]:
    problems = []
    for env, report in reports.items():
        for error in report.errors:
            problems.append(
                Problem(f"file:{env}", f"{report.path.name}: {error}", "Choose another file.")
            )
    return problems
