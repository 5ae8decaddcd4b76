"""A stand-in for Runway's executor: turns a started job into output sets, or fails it.

Like the real one it reads the uploaded inputs as their bundle does (the rows that name the
columns, fixed-width text: ``bundle_inputs``), fails runs whose input cannot work (no data
rows, no student-id column, or, as earthmover does, a column the bundle's transformation
names is not in the file), writes the non-empty JSONL files the bundle's
``destinations:`` name into the job's ``output/ods`` or ``output/non-ods`` folder, stamps the
set's ``created_on`` when it reports the folder and only afterwards marks the run ``success``
(CONTRACT §5.1, §5.5). Only runs that succeed make output sets (§4.5, §5.4).
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

from runway_desktop.sandbox.bundle_inputs import SlotNeeds, bundle_needs
from runway_desktop.sandbox.objectstore import ObjectStore
from runway_desktop.sandbox.state import Job, OutputSetRecord, Run, new_uid

OUTCOMES = ("auto", "succeed", "fail")


class RunFailure(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass
class ExecutorSettings:
    delay_seconds: float = 3.0
    visibility_lag_seconds: float = 0.3
    outcome: str = "auto"  # "fail" fails every run; "succeed" skips the input checks


def _tokens(header: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", header)
    return [t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t]


def student_id_column(header: list[str]) -> int | None:
    """A column a roster match could use: prefer 'student…id', else any '…ID' column."""
    candidates = [i for i, name in enumerate(header) if "id" in _tokens(name)]
    for i in candidates:
        if "student" in _tokens(header[i]):
            return i
    return candidates[0] if candidates else None


# A practice server, not a data warehouse: it writes records for at most this many rows of a
# file, so a 1 GB upload neither fills memory nor keeps a worker thread busy for minutes.
MAX_ROWS = 10_000
_SNIFF_BYTES = 65536
# A file whose bundle the sandbox knows nothing about: one header row, names compared as-is.
PLAIN = SlotNeeds()


def read_table(
    handle: BinaryIO, layout: SlotNeeds = PLAIN, limit: int = MAX_ROWS
) -> tuple[list[str] | None, list[list[str]]]:
    """Column names and up to ``limit`` non-blank data rows, read as a stream the way the
    slot's bundle reads the file (``layout``); the names are None for a fixed-width file."""
    head = handle.read(_SNIFF_BYTES)
    handle.seek(0)
    try:
        head.decode("utf-8")
        encoding = "utf-8-sig"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        encoding = "utf-8-sig" if exc.start >= len(head) - 3 else "cp1252"
    text = io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline="")
    try:
        dialect: Any = csv.Sniffer().sniff(head.decode(encoding, "replace"), delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    wanted = max(layout.header_rows) + 1 + limit
    records: list[list[str]] = []
    filled = 0
    for row in csv.reader(text, dialect):
        records.append(row)
        filled += any(cell.strip() for cell in row)
        if filled > wanted:
            break
    text.detach()
    header, after = layout.split(records)
    return header, [row for row in after if any(cell.strip() for cell in row)][:limit]


def _read_object_rows(
    store: ObjectStore, key: str, layout: SlotNeeds, limit: int = MAX_ROWS
) -> tuple[list[str] | None, list[list[str]]]:
    with store.open_read(key) as handle:
        return read_table(handle, layout, limit)


def student_id_column_for(header: list[str] | None, layout: SlotNeeds) -> int | None:
    """The bundle's own student-ID column when the file has one, else one that looks like it;
    None for a fixed-width file (its colspecs, which the sandbox lacks, place the ID)."""
    if header is None:
        return None
    names = [name.strip().lstrip("\ufeff") for name in header]
    own = next((names.index(c) for c in layout.student_id_any if c in names), None)
    return own if own is not None else student_id_column(header)


class Executor:
    def __init__(self, store: ObjectStore, settings: ExecutorSettings) -> None:
        self.store = store
        self.settings = settings
        self._tasks: set[asyncio.Task[None]] = set()

    def launch(self, job: Job, run: Run) -> None:
        task = asyncio.get_running_loop().create_task(self._execute(job, run))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _execute(self, job: Job, run: Run) -> None:
        delay = self.settings.delay_seconds
        await asyncio.sleep(min(0.05, delay))
        run.status = "running"
        await asyncio.sleep(max(0.0, delay - 0.05))
        try:
            outputs = await asyncio.to_thread(self._process, job)
        except RunFailure as failure:
            run.status, run.error_code = "error", failure.code
            return
        except Exception:
            run.status, run.error_code = "error", "unknown"
            return
        for sent_to_ods, files in outputs:
            folder = job.output_folder(sent_to_ods)
            for name, content in files.items():
                await asyncio.to_thread(self.store.put_bytes, f"{folder}/{name}", content)
            # The real listing includes leftovers of an earlier run in the same folder.
            listed = [key[len(folder) + 1 :] for key in self.store.list_keys(folder + "/")]
            run.output_sets.append(
                OutputSetRecord(
                    uid=new_uid(),
                    run_id=run.id,
                    folder=folder,
                    files=[n for n in listed if "/" not in n],
                    sent_to_ods=sent_to_ods,
                    created_on=datetime.now(UTC),
                )
            )
        await asyncio.sleep(self.settings.visibility_lag_seconds)
        run.status = "success"

    def _process(self, job: Job) -> list[tuple[bool, dict[str, bytes]]]:
        """Runs in a thread: read inputs, build JSONL per output set."""
        if self.settings.outcome == "fail":
            raise RunFailure("earthmover_run", "failed on purpose (sandbox executor setting)")
        main = next((f for f in job.files if f.env_var == "INPUT_FILE"), None)
        if main is None:
            raise RunFailure("invalid_job", "job has no INPUT_FILE")
        check = self.settings.outcome != "succeed"
        needs = bundle_needs(job.bundle)

        def layout(env_var: str) -> SlotNeeds:
            return needs.slots.get(env_var, PLAIN) if needs is not None else PLAIN

        header, rows = _read_object_rows(self.store, main.key, layout(main.env_var))
        if check and needs is not None:
            # What the real run fails on within seconds ("columns not present: …").
            for job_file in job.files:
                slot = needs.slots.get(job_file.env_var)
                if slot is None:
                    continue
                file_header = header
                if job_file is not main:
                    file_header = _read_object_rows(self.store, job_file.key, slot, limit=0)[0]
                problem = slot.problem(file_header)
                if problem:
                    raise RunFailure("earthmover_run", f"{job_file.name}: {problem}")
        if check and not rows:
            raise RunFailure("earthmover_run", f"{main.name} has no data rows")
        id_column = student_id_column_for(header, layout(main.env_var))
        if check and id_column is None and header is not None:
            raise RunFailure("insufficient_matches", f"{main.name} has no student id column")
        dir_name = job.bundle.rsplit("/", 1)[-1]
        test_type = job.params.get("TEST_TYPE")
        identifier = f"{dir_name}-{test_type}" if test_type else dir_name
        records = []
        for number, row in enumerate(rows, start=1):
            student = row[id_column] if id_column is not None and id_column < len(row) else ""
            records.append(
                {
                    "studentAssessmentIdentifier": hashlib.md5(
                        json.dumps(row).encode(), usedforsecurity=False
                    ).hexdigest()[:20],
                    "assessmentReference": {
                        "assessmentIdentifier": identifier,
                        "namespace": "uri://sandbox.runway.local/assessment",
                    },
                    "studentReference": {"studentUniqueId": student},
                    "schoolYearTypeReference": {"schoolYear": int(job.school_year)},
                    "sourceRow": number,
                }
            )
        extras = []
        for extra in job.files:
            if extra.env_var == "INPUT_FILE":
                continue
            extra_layout = layout(extra.env_var)
            extra_header, extra_rows = _read_object_rows(self.store, extra.key, extra_layout)
            extra_id = student_id_column_for(extra_header, extra_layout)
            for number, row in enumerate(extra_rows, start=1):
                sid = row[extra_id] if extra_id is not None and extra_id < len(row) else ""
                extras.append(
                    {"sourceFile": extra.env_var, "studentUniqueId": sid, "sourceRow": number}
                )
        assessment = {
            "assessmentIdentifier": identifier,
            "namespace": "uri://sandbox.runway.local/assessment",
            "assessmentTitle": job.bundle_name,
        }
        names = needs.destinations if needs is not None else DEFAULT_DESTINATIONS
        if job.year_kind == "ods-cross-year":
            # Cross-year matching: students unmatched in pass 1 land in a separate non-ods set.
            unmatched = [r for r in records if _unmatched(r)]
            matched = [r for r in records if not _unmatched(r)]
            sets = [(True, _files(names, assessment, matched, extras))]
            if unmatched:
                sets.append((False, _files(names, assessment, unmatched, [])))
            return sets
        return [(job.send_to_ods, _files(names, assessment, records, extras))]


def _unmatched(record: dict[str, Any]) -> bool:
    student = str(record["studentReference"]["studentUniqueId"])
    return zlib.crc32(student.encode()) % 3 == 0


def _jsonl(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records).encode()


# For a bundle the snapshot has no earthmover.yaml for.
DEFAULT_DESTINATIONS = (
    "assessments.jsonl",
    "studentAssessments.jsonl",
    "studentObjectiveAssessments.jsonl",
)


def _files(
    names: tuple[str, ...],
    assessment: dict[str, Any],
    records: list[dict[str, Any]],
    extras: list[dict[str, Any]],
) -> dict[str, bytes]:
    """One file per destination the bundle names. Only non-empty files are uploaded, like the
    real executor: no students, no studentAssessments; no extra inputs, no student
    objective assessments."""
    files: dict[str, bytes] = {}
    for name in names:
        stem = name.rsplit(".", 1)[0]
        content: list[dict[str, Any]]
        if stem == "studentAssessments":
            content = records
        elif stem == "studentObjectiveAssessments":
            content = extras
        elif stem == "assessments":
            content = [assessment]
        else:  # descriptors, objective assessments…: one record naming what it stands for
            content = [{"destination": stem, **assessment}]
        if content:
            files[name] = _jsonl(content)
    return files
